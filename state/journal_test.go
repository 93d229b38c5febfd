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

package state

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

func testInstance(t *testing.T, addr, content string) *ResourceInstance {
	t.Helper()
	a, diags := addrs.ParseResourceInstance(addr)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return &ResourceInstance{Addr: a, Provider: addrs.Provider{Name: "file"}, Type: a.Resource.Type,
		Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(content), "id": cty.UnknownVal(cty.String)})}
}

func TestJournalReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := NewFileJournal(filepath.Join(t.TempDir(), "s.journal"))
	a, b, c := testInstance(t, "file.a", "a"), testInstance(t, "file.b", "b"), testInstance(t, "file.c", "c")
	// a: created and ended; b: began only (interrupted); c: deleted.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}))
	must(j.Begin(ctx, Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}))
	done := *a
	done.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("a"), "id": cty.StringVal("x")})
	must(j.End(ctx, "1", a.Addr, &done))
	must(j.Begin(ctx, Operation{ID: "3", Addr: c.Addr, Action: "delete", Planned: c}))
	must(j.End(ctx, "3", c.Addr, nil))

	entries, err := j.Entries(ctx)
	must(err)
	st := NewState()
	st.Resources["file.c"] = c
	pending := Replay(st, entries)
	if diff := cmp.Diff([]string{"file.a"}, st.SortedAddrs()); diff != "" {
		t.Errorf("state after replay (-want +got):\n%s", diff)
	}
	if got := st.Resources["file.a"].Value.GetAttr("id"); !got.RawEquals(cty.StringVal("x")) {
		t.Errorf("file.a id = %#v, want the ended value", got)
	}
	if len(pending) != 1 || pending[0].ID != "2" || pending[0].Addr.String() != "file.b" {
		t.Fatalf("pending = %+v, want the create of file.b", pending)
	}
	// Values known only after apply are recorded as null.
	if id := pending[0].Planned.Value.GetAttr("id"); !id.IsNull() {
		t.Errorf("pending planned id = %#v, want null", id)
	}

	// Compact keeps only the interrupted intent; resolving it empties the journal.
	must(j.Compact(ctx))
	entries, err = j.Entries(ctx)
	must(err)
	if len(entries) != 1 || entries[0].Kind != "begin" || entries[0].ID != "2" {
		t.Fatalf("entries after compact = %+v", entries)
	}
	must(j.Resolve(ctx, "2"))
	must(j.Compact(ctx))
	if _, err := os.Stat(j.Path()); !os.IsNotExist(err) {
		t.Errorf("journal still there after every intent was resolved: %v", err)
	}
}

func TestJournalCutLastLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.journal")
	j := NewFileJournal(path)
	a := testInstance(t, "file.a", "a")
	if err := j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for name, tail := range map[string]string{
		"cut short":         `{"kind":"end","id":"1","addre`,
		"bad in the middle": "{\"kind\":\"oops\"}\n" + string(data),
	} {
		p := filepath.Join(t.TempDir(), "j")
		os.WriteFile(p, append(append([]byte(nil), data...), tail...), 0o600)
		entries, err := NewFileJournal(p).Entries(ctx)
		switch name {
		case "cut short":
			if err != nil || len(entries) != 1 {
				t.Errorf("%s: entries %d, err %v; want the one whole entry", name, len(entries), err)
			}
		default:
			if err == nil {
				t.Errorf("%s: no error", name)
			}
		}
	}
}

func TestJournalGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := NewFileJournal(filepath.Join(t.TempDir(), "s.journal"))
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ri := testInstance(t, "file.many["+itoa(i)+"]", "x")
			if err := j.Begin(ctx, Operation{ID: itoa(i), Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	entries, err := j.Entries(ctx)
	if err != nil || len(entries) != 200 {
		t.Fatalf("entries %d, err %v; want 200", len(entries), err)
	}
}

func TestJournalFailedWriteSticks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := NewFileJournal(filepath.Join(t.TempDir(), "missing-dir", "s.journal"))
	a := testInstance(t, "file.a", "a")
	if err := j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err == nil {
		t.Fatal("Begin into a missing directory succeeded")
	}
	if err := j.End(ctx, "1", a.Addr, nil); err == nil {
		t.Fatal("a journal that failed a write accepted another")
	}
}

func itoa(i int) string { return cty.NumberIntVal(int64(i)).AsBigFloat().String() }

// TestJournalRefusesWhatCtyPanicsOn checks that a journal line whose
// value once panicked inside go-cty is an error naming the line.
func TestJournalRefusesWhatCtyPanicsOn(t *testing.T) {
	t.Parallel()
	line := `{"kind":"end","id":"op-1","time":"2026-01-02T03:04:05Z","address":"file.a","now":{"address":"file.a","mode":"managed","type":"file","name":"a","schema_version":0,"attributes":[],"attributes_type":["tuple",["string"]]}}` + "\n"
	_, err := NewFileJournal("j").journal.decode([]byte(line + line))
	if err == nil || err.Error() != "intent journal j, line 1: file.a: value: the value has 0 elements where its tuple type has 1" {
		t.Fatalf("decode: %v", err)
	}
}

// FuzzDecodeJournal feeds the journal decoder arbitrary lines: it must
// never panic, and what it accepts must encode again.
func FuzzDecodeJournal(f *testing.F) {
	a, diags := addrs.ParseResourceInstance(`file.a["k"]`)
	if diags.HasErrors() {
		f.Fatal(diags.Error())
	}
	ri := &ResourceInstance{Addr: a, Provider: addrs.Provider{Name: "file"}, Type: "file",
		Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("a"), "n": cty.NumberIntVal(1)})}
	for _, e := range []JournalEntry{
		{Kind: "begin", Operation: Operation{ID: "op-1", Addr: a, Action: "create", Planned: ri}},
		{Kind: "end", Operation: Operation{ID: "op-1", Addr: a}, Now: ri},
		{Kind: "resolve", Operation: Operation{ID: "op-2"}},
	} {
		b, err := encodeEntry(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := NewFileJournal("j").journal.decode(data)
		if err != nil {
			return
		}
		for _, e := range entries {
			if _, err := encodeEntry(e); err != nil {
				t.Fatalf("a decoded entry does not encode: %v", err)
			}
		}
	})
}

// TestReplaySkipsAnEndOfAnotherAddress: an end entry whose object names
// another address than the entry (not one slipway writes: a record added
// by someone who can only create Secrets beside the state) changes
// nothing; recorded, the state held that address twice, and every read
// after it failed.
func TestReplaySkipsAnEndOfAnotherAddress(t *testing.T) {
	t.Parallel()
	a, b := testInstance(t, "file.a", "a"), testInstance(t, "file.b", "forged")
	st := NewState()
	st.Resources["file.a"] = a
	Replay(st, []JournalEntry{
		{Kind: "begin", Operation: Operation{ID: "1", Addr: a.Addr, Action: "update", Planned: a}},
		{Kind: "end", Operation: Operation{ID: "1", Addr: a.Addr}, Now: b},
	})
	if diff := cmp.Diff([]string{"file.a"}, st.SortedAddrs()); diff != "" {
		t.Errorf("state after replay (-want +got):\n%s", diff)
	}
	if got := st.Resources["file.a"].Value.GetAttr("content"); !got.RawEquals(cty.StringVal("a")) {
		t.Errorf("file.a content = %#v; want it unchanged", got)
	}
}
