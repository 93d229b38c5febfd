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
