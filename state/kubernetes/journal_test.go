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

package kubernetes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

func fileInstance(name, content string) *state.ResourceInstance {
	addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey)
	return &state.ResourceInstance{Addr: addr, Provider: addrs.Provider{Name: "file"}, Type: "file",
		Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(content)})}
}

func journalOf(t *testing.T, b state.Backend) state.Journal {
	t.Helper()
	j, ok := b.(state.Journaled)
	if !ok {
		t.Fatalf("%T keeps no journal", b)
	}
	return j.Journal()
}

// TestJournalRecovers writes a journal as an apply that is then killed
// would, and reads it back through another client, as the next run on
// another machine would; compaction then leaves nothing behind.
func TestJournalRecovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	j := journalOf(t, openBackend(t, s))
	a, b := fileInstance("a", "a"), fileInstance("b", "b")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(j.Begin(ctx, state.Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}))
	must(j.Begin(ctx, state.Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}))
	must(j.End(ctx, "1", a.Addr, a))

	next := journalOf(t, openBackend(t, s))
	entries, err := next.Entries(ctx)
	must(err)
	st := state.NewState()
	pending := state.Replay(st, entries)
	if len(st.Resources) != 1 || st.Resources["file.a"] == nil {
		t.Errorf("state replayed from the journal holds %v, want file.a", st.SortedAddrs())
	}
	if len(pending) != 1 || pending[0].ID != "2" {
		t.Fatalf("pending = %+v, want the create of file.b", pending)
	}

	must(next.Compact(ctx))
	if n := len(secrets(t, s)[roleJournal]); n != 1 {
		t.Errorf("%d journal Secrets after compacting to one intent, want 1", n)
	}
	must(next.Resolve(ctx, "2"))
	must(next.Compact(ctx))
	if n := len(secrets(t, s)[roleJournal]); n != 0 {
		t.Errorf("%d journal Secrets after every intent was resolved, want none", n)
	}
	entries, err = j.Entries(ctx)
	if err != nil || len(entries) != 0 {
		t.Errorf("entries after compaction: %d, %v; want none", len(entries), err)
	}
}

// TestJournalGroupCommit: entries that arrive together share records.
func TestJournalGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	j := journalOf(t, openBackend(t, s))
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ri := fileInstance(fmt.Sprintf("f%d", i), "x")
			if err := j.Begin(ctx, state.Operation{ID: fmt.Sprint(i), Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := j.Entries(ctx)
	if err != nil || len(entries) != n {
		t.Fatalf("entries %d, err %v; want %d", len(entries), err, n)
	}
	if records := len(secrets(t, s)[roleJournal]); records >= n/2 {
		t.Errorf("%d entries took %d records; want them grouped", n, records)
	}
}

// TestJournalRecordInParts: a record larger than a Secret holds is cut into
// parts, and a record missing a part (its writer died) counts as none.
func TestJournalRecordInParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	store := openStore(t, s, nil)
	store.chunkSize = 16 << 10
	b, _ := store.backend(s.Workspace)
	j := b.Journal()
	big := make([]byte, 48<<10)
	rand.Read(big)
	ri := fileInstance("big", hex.EncodeToString(big))
	if err := j.Begin(ctx, state.Operation{ID: "big", Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
		t.Fatal(err)
	}
	if n := len(secrets(t, s)[roleJournal]); n < 4 {
		t.Errorf("a 96 KiB entry took %d Secrets of 16 KiB, want at least 4", n)
	}

	// A torn record after it: part 0 of 2, then nothing.
	torn := 1
	l := store.labels(s.Workspace, roleJournal)
	l[labelSeq], l[labelPart] = fmt.Sprint(torn), "0"
	_, err := adminClient(t).CoreV1().Secrets(s.Namespace).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: store.journalName(s.Workspace, uint64(torn), 0), Labels: l,
			Annotations: map[string]string{annParts: "2", annChecksum: checksum([]byte("half"))}},
		Data: map[string][]byte{"records": []byte("half")},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	reader := journalOf(t, openBackend(t, s))
	entries, err := reader.Entries(ctx)
	if err != nil || len(entries) != 1 || entries[0].ID != "big" {
		t.Fatalf("entries %+v, err %v; want the big one alone", entries, err)
	}
	if got := entries[0].Planned.Value.GetAttr("content").AsString(); got != hex.EncodeToString(big) {
		t.Errorf("the big entry read back with %d bytes of content, want %d", len(got), 2*len(big))
	}
	// The next append goes after the torn record.
	if err := reader.End(ctx, "big", ri.Addr, ri); err != nil {
		t.Fatalf("End after a torn record: %v", err)
	}
	if entries, err := j.Entries(ctx); err != nil || len(entries) != 2 {
		t.Errorf("entries after the torn record: %d, %v; want 2", len(entries), err)
	}
}

// TestJournalAfterAnotherProcessCompacted: a long-running process (as
// reconcile is) appends, another process compacts the journal, and the
// first, once it locks again, appends where the second left off rather
// than below the base, where its record would be hidden.
func TestJournalAfterAnotherProcessCompacted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	first := openBackend(t, s)
	second := openBackend(t, s)
	a, b := fileInstance("a", "a"), fileInstance("b", "b")
	if err := first.Journal().Begin(ctx, state.Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := second.Journal().Resolve(ctx, fmt.Sprint("x", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := second.Journal().Compact(ctx); err != nil { // keeps the begin of 1
		t.Fatal(err)
	}
	id, err := first.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Unlock(ctx, id)
	if err := first.Journal().Begin(ctx, state.Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}); err != nil {
		t.Fatal(err)
	}
	entries, err := second.Journal().Entries(ctx)
	if err != nil || len(entries) != 2 || entries[1].ID != "2" {
		t.Errorf("entries %+v, err %v; want the kept begin of 1, then 2", entries, err)
	}
}
