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
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// memStore is a JournalStore in memory that counts its Appends and can be
// made slow, so that entries pile up behind one in flight, or failing.
type memStore struct {
	mu      sync.Mutex
	data    []byte
	appends int
	delay   time.Duration
	fail    error
}

func (m *memStore) Append(_ context.Context, b []byte) error {
	time.Sleep(m.delay)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.data = append(m.data, b...)
	m.appends++
	return nil
}

func (m *memStore) Load(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data...), nil
}

func (m *memStore) Replace(_ context.Context, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = append([]byte(nil), b...)
	return nil
}

func TestStoreJournalReplayAndCompact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &memStore{}
	j := NewStoreJournal("mem", store)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := testInstance(t, "file.a", "a"), testInstance(t, "file.b", "b")
	must(j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}))
	must(j.Begin(ctx, Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}))
	done := *a
	done.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("a"), "id": cty.StringVal("x")})
	must(j.End(ctx, "1", a.Addr, &done))

	entries, err := j.Entries(ctx)
	must(err)
	st := NewState()
	pending := Replay(st, entries)
	if len(st.Resources) != 1 || st.Resources["file.a"] == nil {
		t.Errorf("state after replay holds %v, want file.a", st.SortedAddrs())
	}
	if len(pending) != 1 || pending[0].ID != "2" {
		t.Fatalf("pending = %+v, want the create of file.b", pending)
	}

	must(j.Compact(ctx))
	entries, err = j.Entries(ctx)
	must(err)
	if len(entries) != 1 || entries[0].Kind != "begin" || entries[0].ID != "2" {
		t.Fatalf("entries after compact = %+v, want the interrupted begin of 2", entries)
	}
	must(j.Resolve(ctx, "2"))
	must(j.Compact(ctx))
	if data, _ := store.Load(ctx); len(data) != 0 {
		t.Errorf("journal after every intent was resolved holds %q, want nothing", data)
	}
}

// TestStoreJournalGroupCommit checks that entries arriving while an Append
// is in flight share the next one.
func TestStoreJournalGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &memStore{delay: 20 * time.Millisecond}
	j := NewStoreJournal("mem", store)
	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ri := testInstance(t, "file.many["+itoa(i)+"]", "x")
			if err := j.Begin(ctx, Operation{ID: itoa(i), Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := j.Entries(ctx)
	if err != nil || len(entries) != n {
		t.Fatalf("entries %d, err %v; want %d", len(entries), err, n)
	}
	if store.appends >= n/2 {
		t.Errorf("%d entries took %d Appends; want them grouped", n, store.appends)
	}
}

func TestStoreJournalFailedAppendSticks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &memStore{fail: errors.New("no room")}
	j := NewStoreJournal("mem", store)
	a := testInstance(t, "file.a", "a")
	if err := j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err == nil {
		t.Fatal("Begin into a failing store succeeded")
	}
	store.fail = nil
	if err := j.End(ctx, "1", a.Addr, nil); err == nil {
		t.Fatal("a journal whose Append failed accepted another entry")
	}
}

// A process killed while it wrote an entry leaves the journal's last line
// without its newline. The next process's first entry must not join it:
// the journal still reads, with the cut line left out and a whole one
// kept.
func TestStoreJournalAppendsAfterATornLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b, c := testInstance(t, "file.a", "a"), testInstance(t, "file.b", "b"), testInstance(t, "file.c", "c")
	// What the killed process wrote: a's intent, then b's.
	written := &memStore{}
	w := NewStoreJournal("mem", written)
	if err := w.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err != nil {
		t.Fatal(err)
	}
	if err := w.Begin(ctx, Operation{ID: "2", Addr: b.Addr, Action: "create", Planned: b}); err != nil {
		t.Fatal(err)
	}
	whole := written.data
	first := bytes.IndexByte(whole, '\n') + 1
	for _, tc := range []struct {
		name string
		data []byte
		want []string // the operations read back, in order
	}{
		{"cut short", whole[:first+(len(whole)-first)/2], []string{"1", "3"}},
		{"whole but its newline", whole[:len(whole)-1], []string{"1", "2", "3"}},
		{"whole", whole, []string{"1", "2", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &memStore{data: append([]byte(nil), tc.data...)}
			j := NewStoreJournal("mem", store)
			if err := j.Begin(ctx, Operation{ID: "3", Addr: c.Addr, Action: "create", Planned: c}); err != nil {
				t.Fatal(err)
			}
			entries, err := j.Entries(ctx)
			if err != nil {
				t.Fatalf("the journal no longer reads after an entry appended to it: %v\n%s", err, store.data)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Operation.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("operations read back %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCompactKeepsWhatReplayKeeps holds Compact, which decodes only the
// intents it keeps, to the compaction that decodes every entry and keeps
// what Replay finds pending: on journals of random intents, outcomes and
// resolutions, sealed line by line or not, whole, with a last line cut
// short, and with a bad line inside, which both refuse.
func TestCompactKeepsWhatReplayKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	byReplay := func(j *StoreJournal) error {
		return j.replace(ctx, "compacting", func(ctx context.Context) ([]JournalEntry, error) {
			entries, err := j.Entries(ctx)
			if err != nil {
				return nil, err
			}
			var keep []JournalEntry
			for _, p := range Replay(NewState(), entries) {
				keep = append(keep, JournalEntry{Kind: "begin", Time: p.Began, Operation: p.Operation})
			}
			return keep, nil
		})
	}
	insts := []*ResourceInstance{testInstance(t, "file.a", "a"), testInstance(t, "file.b", "b"), testInstance(t, "file.c", "c")}
	rng := rand.New(rand.NewPCG(7, 15))
	for n := range 60 {
		var sealer Sealer
		if n%3 == 0 {
			sealer = testSealer{key: "k"}
		}
		// The journal: each operation begins, and then perhaps ends, is
		// resolved, or is left open; entries of other operations fall
		// between.
		built := &memStore{}
		w := newStoreJournal("mem", built, sealer)
		var open []string
		for op := range 2 + rng.IntN(12) {
			id := fmt.Sprint("op", op)
			in := insts[rng.IntN(len(insts))]
			if err := w.Begin(ctx, Operation{ID: id, Addr: in.Addr, Action: "update", Planned: in, Deposed: rng.IntN(5) == 0}); err != nil {
				t.Fatal(err)
			}
			open = append(open, id)
			for len(open) > 0 && rng.IntN(2) == 0 {
				k := rng.IntN(len(open))
				var err error
				switch rng.IntN(3) {
				case 0:
					err = w.End(ctx, open[k], in.Addr, in)
				case 1:
					err = w.End(ctx, open[k], in.Addr, nil)
				default:
					err = w.Resolve(ctx, open[k])
				}
				if err != nil {
					t.Fatal(err)
				}
				open = append(open[:k], open[k+1:]...)
			}
		}
		whole := built.data
		lastStart := bytes.LastIndexByte(whole[:len(whole)-1], '\n') + 1
		middle := bytes.IndexByte(whole, '\n') + 1
		cases := map[string][]byte{
			"whole":                whole,
			"last line cut short":  whole[:lastStart+(len(whole)-lastStart)/2],
			"last line unfinished": whole[:len(whole)-1],
		}
		if middle < lastStart {
			bad := append(append(append([]byte(nil), whole[:middle]...), "{\"kind\":\"end\"\n"...), whole[middle:]...)
			cases["a bad line inside"] = bad
		}
		for name, data := range cases {
			want, got := &memStore{data: bytes.Clone(data)}, &memStore{data: bytes.Clone(data)}
			werr := byReplay(newStoreJournal("mem", want, sealer))
			gerr := newStoreJournal("mem", got, sealer).Compact(ctx)
			if (werr != nil) != (gerr != nil) {
				t.Fatalf("journal %d, %s: Compact's error %v, compaction by Replay's %v", n, name, gerr, werr)
			}
			if werr == nil && !bytes.Equal(got.data, want.data) {
				t.Fatalf("journal %d, %s: Compact kept\n%s\ncompaction by Replay kept\n%s", n, name, got.data, want.data)
			}
		}
	}
}
