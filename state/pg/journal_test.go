// Copyright 2026 The slipway Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package pg_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

func ctyString(s string) cty.Value { return cty.StringVal(s) }

func mustAddr(t testing.TB, s string) addrs.ResourceInstance {
	t.Helper()
	a, diags := addrs.ParseResourceInstance(s)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return a
}

func instance(t testing.TB, addr, content string) *state.ResourceInstance {
	t.Helper()
	a := mustAddr(t, addr)
	return &state.ResourceInstance{Addr: a, Provider: addrs.Provider{Name: "file"}, Type: a.Resource.Type,
		Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(content), "id": cty.UnknownVal(cty.String)})}
}

// journalSteps are an apply that a crash interrupted: file.a created,
// file.c deleted, file.b begun and never ended, under the lock.
func journalSteps(t *testing.T, j state.Journal) {
	t.Helper()
	ctx := t.Context()
	a, b, c := instance(t, "file.a", "a"), instance(t, "file.b", "b"), instance(t, "file.c", "c")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(j.Begin(ctx, state.Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}))
	must(j.Begin(ctx, state.Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}))
	done := *a
	done.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("a"), "id": cty.StringVal("x")})
	must(j.End(ctx, "1", a.Addr, &done))
	must(j.Begin(ctx, state.Operation{ID: "3", Addr: c.Addr, Action: "delete", Planned: c}))
	must(j.End(ctx, "3", c.Addr, nil))
}

// The journal in PostgreSQL records what the file journal records, and
// after a "crash" (a new client) replays to the same state and pending
// changes; Compact keeps only the pending intent.
func TestJournalLikeFileJournal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	mustLock(t, b, "apply")
	st := statetest.Sample()
	c := instance(t, "file.c", "c")
	c.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("c"), "id": cty.StringVal("y")})
	st.Resources["file.c"] = c
	if err := b.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	journalSteps(t, b.Journal())
	file := state.NewFileJournal(filepath.Join(t.TempDir(), "s.journal"))
	journalSteps(t, file)
	pg.StopHeartbeat(b) // the crash: nothing more from this client

	after := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	got, err := after.Journal().Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := file.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(state.JournalEntry{}, "Time"),
		cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
		cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) }),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("entries (-file journal +pg journal):\n%s", diff)
	}
	read, err := after.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending := state.Replay(read, got)
	if read.Resources["file.a"] == nil || read.Resources["file.c"] != nil {
		t.Errorf("replayed state has file.a %v and file.c %v, want file.a only", read.Resources["file.a"] != nil, read.Resources["file.c"] != nil)
	}
	if len(pending) != 1 || pending[0].ID != "2" {
		t.Fatalf("pending = %+v, want the create of file.b", pending)
	}
	if _, err := lockWithin(after, 5*testTTL); err != nil {
		t.Fatalf("Lock after the crashed holder's lock expired: %v", err)
	}
	if err := after.Write(ctx, read); err != nil {
		t.Fatal(err)
	}
	if err := after.Journal().Compact(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := after.Journal().Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Kind != "begin" || left[0].ID != "2" {
		t.Fatalf("after Compact: %+v, want the begin of 2 alone", left)
	}
	if err := after.Journal().Resolve(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if err := after.Journal().Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if left, err := after.Journal().Entries(ctx); err != nil || len(left) != 0 {
		t.Errorf("after resolving and compacting: %v, %v; want no entries", left, err)
	}
}

// Many appends at once are all durable, in an order where each change's
// begin comes before its end.
func TestJournalConcurrentAppends(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	j := backend(t, newStore(t, newWhere(t), pg.Config{}), state.DefaultWorkspace).Journal()
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint(i)
			ri := instance(t, fmt.Sprintf("file.f[%d]", i), id)
			if err := j.Begin(ctx, state.Operation{ID: id, Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
				t.Error(err)
				return
			}
			if err := j.End(ctx, id, ri.Addr, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := j.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2*n {
		t.Fatalf("%d entries after %d appends", len(entries), 2*n)
	}
	begun := map[string]bool{}
	for _, e := range entries {
		switch e.Kind {
		case "begin":
			begun[e.ID] = true
		case "end":
			if !begun[e.ID] {
				t.Errorf("the end of %s comes before its begin", e.ID)
			}
		}
	}
	if pending := state.Replay(state.NewState(), entries); len(pending) != 0 {
		t.Errorf("%d changes pending, want none", len(pending))
	}
	if err := j.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if entries, err := j.Entries(ctx); err != nil || len(entries) != 0 {
		t.Errorf("after Compact: %d entries, %v; want none", len(entries), err)
	}
}
