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
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// TestLockAcrossDeleteWorkspace: a Lock that opened the workspace's lock
// file just before DeleteWorkspace removed it must not hold the lock of
// the removed file, which guards nothing: the next Lock would lock the
// new file at the path, and two holders would write the state at once.
// (Lock is not parallel-safe with afterOpenLock set: no t.Parallel.)
func TestLockAcrossDeleteWorkspace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "slipway.slipstate")
	s := NewStore(path, Options{}).(*Store)
	b, _ := s.Backend("w")
	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	first := NewBackend(s.Path("w"), Options{})
	deleted := false
	afterOpenLock = func() {
		if deleted {
			return
		}
		deleted = true
		if err := s.DeleteWorkspace(ctx, "w"); err != nil {
			t.Errorf("DeleteWorkspace: %v", err)
		}
	}
	defer func() { afterOpenLock = func() {} }()
	id, err := first.Lock(ctx, &state.LockInfo{ID: "first", Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	if !deleted {
		t.Fatal("the workspace was not deleted between the open and the flock")
	}
	second := NewBackend(s.Path("w"), Options{})
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if id2, err := second.Lock(short, &state.LockInfo{ID: "second", Operation: "apply"}); err == nil {
		second.Unlock(ctx, id2)
		t.Fatal("a second holder took the lock while the first held it: the first locked the removed lock file")
	} else if le := (*state.LockedError)(nil); !errors.As(err, &le) || le.Info == nil || le.Info.ID != "first" {
		t.Fatalf("the second Lock = %v, want a LockedError naming the first holder", err)
	}
	if err := first.Unlock(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteOrderStateLast: DeleteWorkspace removes the state file after
// everything else of the workspace (its journal above all), and leaves
// the lock file to the end: a delete that fails partway leaves a state
// to delete again, never a journal that a new workspace of the same name
// would replay.
func TestDeleteOrderStateLast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	statePath := filepath.Join(dir, "slipway.slipstate")
	for _, name := range []string{"slipway.slipstate", "slipway.slipstate.backup", "slipway.slipstate.journal", "slipway.slipstate.lock"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := deleteOrder(dir, entries, statePath, statePath+".lock")
	want := []string{statePath + ".backup", statePath + ".journal", statePath}
	if !slices.Equal(got, want) {
		t.Errorf("deleteOrder = %q, want %q", got, want)
	}
}
