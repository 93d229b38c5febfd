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

package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"slipway.dev/slipway/state"
)

func TestLockPollStaysWithinBounds(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	// The waits before jitter, which adds up to a quarter of each.
	bases := []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 160 * ms, 160 * ms}
	// The jitter is random: many runs show its bounds.
	for range 200 {
		next := lockPoll.DelayFunc()
		for i, base := range bases {
			d := next()
			if top := base + base/4; d < base || d > top {
				t.Fatalf("wait %d = %s, want it within [%s, %s]", i+1, d, base, top)
			}
			if d > 200*ms {
				t.Fatalf("wait %d = %s, over 200ms", i+1, d)
			}
		}
	}
}

// FuzzLockRecord feeds the lock file arbitrary content. Reading it must
// never panic and must give a record with an ID or a NoRecordError; a
// free lock is taken over whatever the file holds, and a held one is
// refused with the holder's record or with a NoRecordError, never with
// nothing to show.
func FuzzLockRecord(f *testing.F) {
	valid, err := json.Marshal(state.NewLockInfo("apply"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{nil, valid, valid[:len(valid)/2], []byte("\x00\xff garbage\n"), []byte("null"), []byte(`{"id":""}`), []byte(`{"id":"x","pid":"one"}`)} {
		f.Add(seed)
	}
	// One directory for every input: a worker runs its inputs one at a
	// time, and each rewrites the lock file.
	path := filepath.Join(f.TempDir(), state.DefaultLocalPath)
	f.Fuzz(func(t *testing.T, data []byte) {
		li, err := parseRecord(data)
		switch {
		case err == nil && (li == nil || li.ID == ""):
			t.Fatalf("parseRecord(%q) = %+v without an error, want a record with an ID", data, li)
		case err != nil && (li != nil || !errors.Is(err, ErrNoRecord)):
			t.Fatalf("parseRecord(%q) = %+v, %v; want nil and an error that is ErrNoRecord", data, li, err)
		case err != nil && !strings.Contains(err.Error(), "holds no valid record"):
			t.Fatalf("parseRecord(%q) error %q does not say the lock file holds no valid record", data, err)
		}

		ctx := context.Background()
		if err := os.WriteFile(path+".lock", data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Held by another open file, with data as its record.
		other, err := os.OpenFile(path+".lock", os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := tryLock(other); err != nil {
			t.Fatal(err)
		}
		b := New(path)
		done, cancel := context.WithCancel(ctx)
		cancel()
		_, err = b.Lock(done, state.NewLockInfo("plan"))
		var le *state.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("Lock of a held lock recording %q = %v, want a LockedError", data, err)
		}
		if li != nil && (le.Info == nil || le.Info.ID != li.ID) {
			t.Errorf("Lock of a held lock recording %q names %+v, want %+v", data, le.Info, li)
		}
		if li == nil && (le.Info != nil || !errors.Is(err, ErrNoRecord)) {
			t.Errorf("Lock of a held lock recording %q = %v (holder %+v), want no holder and ErrNoRecord", data, err, le.Info)
		}
		_ = err.Error()
		other.Close()

		// Free: taken over, and the record is the new holder's.
		mine := state.NewLockInfo("apply")
		id, err := b.Lock(ctx, mine)
		if err != nil {
			t.Fatalf("Lock of a free lock recording %q: %v", data, err)
		}
		if got, err := b.readRecord(); err != nil || got.ID != mine.ID {
			t.Errorf("after taking over a lock file recording %q it names %+v (%v), want %s", data, got, err, mine.ID)
		}
		if stale := b.StaleRecord(); (stale != nil) != (li == nil && len(bytes.TrimSpace(data)) > 0) {
			t.Errorf("StaleRecord after taking over %q = %v", data, stale)
		}
		if err := b.Unlock(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRemovedLockFileStopsWrites: a run holds the lock, and its lock file
// is removed (taken for a stale lock) or replaced: a second run can now
// lock the file at the path, so the first one's writes stop, with an
// error that says why, instead of two runs writing in turn.
func TestRemovedLockFileStopsWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.slipstate")
	b := New(path)
	if err := b.Write(ctx, state.NewState()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, state.NewState()); err != nil {
		t.Fatalf("a write under a lock whose file is there: %v", err)
	}
	if err := os.Remove(b.lockPath()); err != nil {
		t.Fatal(err)
	}
	other := New(path)
	if _, err := other.Lock(ctx, state.NewLockInfo("apply")); err != nil {
		t.Fatalf("a second run could not take the lock whose file was removed: %v", err)
	}
	err := b.Write(ctx, state.NewState())
	if err == nil || !strings.Contains(err.Error(), "was removed or replaced while this run held the lock") {
		t.Errorf("the first run's write after its lock file was removed: %v; want it refused", err)
	}
}
