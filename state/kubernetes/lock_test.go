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
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// waitFor polls cond until it holds, failing the test after limit: a bound
// for a slow machine, not a measure.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLockLostToForceUnlock: another client force-unlocks a live holder's
// lock. The holder learns it at its next renewal; from then on its Writes
// refuse, write nothing, and its Unlock says what happened.
func TestLockLostToForceUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	holder := openBackend(t, s)
	if err := holder.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	id, err := holder.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	other := openBackend(t, s)
	if err := other.ForceUnlock(ctx, id); err != nil {
		t.Fatalf("ForceUnlock by another client: %v", err)
	}
	waitFor(t, 10*testLease, "the holder to find its lock lost", func() bool { return holder.lockLost() != nil })

	changed := statetest.Sample()
	changed.Outputs["late"] = &state.Output{Value: cty.True}
	err = holder.Write(ctx, changed)
	if !errors.Is(err, errLost) || !strings.Contains(err.Error(), "deleted") {
		t.Errorf("Write after the lock was force-unlocked = %v, want it refused as lost, saying its Lease was deleted", err)
	}
	// A state moved here, or stored again under another key, is refused
	// the same way.
	moved := changed.DeepCopy()
	moved.Serial = 5
	if err := holder.WriteSerial(ctx, moved); !errors.Is(err, errLost) {
		t.Errorf("WriteSerial after the lock was force-unlocked = %v, want it refused as lost", err)
	}
	if err := holder.Reseal(ctx); !errors.Is(err, errLost) {
		t.Errorf("Reseal after the lock was force-unlocked = %v, want it refused as lost", err)
	}
	ri := fileInstance("late", "x")
	if err := holder.Journal().Begin(ctx, state.Operation{ID: "late", Addr: ri.Addr, Action: "create", Planned: ri}); !errors.Is(err, errLost) {
		t.Errorf("journal Begin after the lock was force-unlocked = %v, want it refused as lost", err)
	}
	if got, err := other.Read(ctx); err != nil || got.Serial != 1 || got.Outputs["late"] != nil {
		t.Errorf("state after the refused Write: serial %d, err %v; want serial 1 without the late output", got.Serial, err)
	}
	if err := holder.Unlock(ctx, id); !errors.Is(err, errLost) {
		t.Errorf("Unlock of a lost lock = %v, want it to say the lock was lost", err)
	}
	if err := lockWithin(other, time.Second); err != nil {
		t.Errorf("Lock after the force-unlock: %v", err)
	}
}

// TestLockLostToForceUnlockAndRelock: another client force-unlocks a live
// holder's lock, takes the lock at once and writes. The holder writes
// again before its next renewal could tell it anything: each write must
// ask the API server, be refused as lost, and leave the new holder's
// state and journal as they were. Each kind of write gets its own site,
// so that one refused write does not teach the holder what the next one
// must find out for itself.
func TestLockLostToForceUnlockAndRelock(t *testing.T) {
	t.Parallel()
	late := fileInstance("late", "x")
	for _, tc := range []struct {
		name  string
		write func(ctx context.Context, holder *Backend) error
	}{
		{"Write", func(ctx context.Context, holder *Backend) error {
			changed := statetest.Sample()
			changed.Outputs["late"] = &state.Output{Value: cty.True}
			return holder.Write(ctx, changed)
		}},
		{"journal Append", func(ctx context.Context, holder *Backend) error {
			return holder.Journal().Begin(ctx, state.Operation{ID: "late", Addr: late.Addr, Action: "create", Planned: late})
		}},
		{"journal Compact", func(ctx context.Context, holder *Backend) error {
			return holder.Journal().Compact(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := newSite(t)
			// A long lease: the holder's next renewal is ten seconds away,
			// far beyond what the test takes.
			s.Lease = 30 * time.Second
			holder := openBackend(t, s)
			if err := holder.Write(ctx, statetest.Sample()); err != nil {
				t.Fatal(err)
			}
			id, err := holder.Lock(ctx, state.NewLockInfo("apply"))
			if err != nil {
				t.Fatal(err)
			}
			// The holder is mid-apply: its journal is in use.
			old := fileInstance("old", "o")
			if err := holder.Journal().Begin(ctx, state.Operation{ID: "old", Addr: old.Addr, Action: "create", Planned: old}); err != nil {
				t.Fatal(err)
			}

			other := openBackend(t, s)
			if err := other.ForceUnlock(ctx, id); err != nil {
				t.Fatalf("ForceUnlock by another client: %v", err)
			}
			otherID, err := other.Lock(ctx, state.NewLockInfo("apply"))
			if err != nil {
				t.Fatalf("Lock by another client right after the force-unlock: %v", err)
			}
			mine := statetest.Sample()
			mine.Outputs["new"] = &state.Output{Value: cty.True}
			if err := other.Write(ctx, mine); err != nil {
				t.Fatal(err)
			}
			fresh := fileInstance("new", "n")
			if err := other.Journal().Begin(ctx, state.Operation{ID: "new", Addr: fresh.Addr, Action: "create", Planned: fresh}); err != nil {
				t.Fatal(err)
			}
			journalBefore := journalIDs(t, other)
			stateBefore, err := other.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}

			if err := holder.lockLost(); err != nil {
				t.Fatalf("the holder knew its lock was lost before it wrote (%v): the test no longer covers the time until its next renewal", err)
			}
			err = tc.write(ctx, holder)
			if !errors.Is(err, errLost) || !strings.Contains(err.Error(), "deleted") {
				t.Errorf("%s by the old holder after the force-unlock and a new Lock = %v, want it refused as lost, saying its Lease was deleted", tc.name, err)
			}
			if err := holder.lockLost(); !errors.Is(err, errLost) {
				t.Errorf("lockLost after the refused %s = %v, want the loss remembered", tc.name, err)
			}

			got, err := other.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Serial != stateBefore.Serial || got.Outputs["new"] == nil || got.Outputs["late"] != nil {
				t.Errorf("the new holder's state after the old holder's %s: serial %d, outputs %v; want serial %d with output new and without late",
					tc.name, got.Serial, slices.Sorted(maps.Keys(got.Outputs)), stateBefore.Serial)
			}
			gen := generationOf(t, s)
			for _, c := range secrets(t, s)[roleChunk] {
				if g := c.Labels[labelGeneration]; g != gen {
					t.Errorf("chunk %s of generation %s is left beside the current generation %s", c.Name, g, gen)
				}
			}
			if after := journalIDs(t, other); !slices.Equal(after, journalBefore) {
				t.Errorf("the new holder's journal after the old holder's %s holds %v, want %v", tc.name, after, journalBefore)
			}
			if err := holder.Unlock(ctx, id); !errors.Is(err, errLost) {
				t.Errorf("Unlock of the lost lock = %v, want it to say the lock was lost", err)
			}
			if err := other.Unlock(ctx, otherID); err != nil {
				t.Errorf("the new holder's Unlock: %v", err)
			}
		})
	}
}

// journalIDs is the operation IDs of b's journal entries, in order.
func journalIDs(t *testing.T, b *Backend) []string {
	t.Helper()
	entries, err := b.Journal().Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Kind+" "+e.Operation.ID)
	}
	return ids
}

// generationOf is the generation the site's state pointer names.
func generationOf(t *testing.T, s site) string {
	t.Helper()
	p, err := openBackend(t, s).pointer(context.Background())
	if err != nil || p == nil {
		t.Fatalf("reading the state pointer: %v", err)
	}
	return p.generation
}

// TestLockLostWhenCutOff: the holder cannot reach the API server. Once its
// lease has run out another client takes the lock, and the holder, even
// when it can reach the server again, refuses to Write.
func TestLockLostWhenCutOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	var cut atomic.Bool
	store := openStore(t, s, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			if cut.Load() {
				return nil, errors.New("test: the network is cut")
			}
			return rt.RoundTrip(req)
		})
	})
	holder, err := store.backend(s.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	_, err = holder.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	cut.Store(true)
	waitFor(t, 10*testLease, "the cut-off holder to give its lock up", func() bool { return holder.lockLost() != nil })
	if err := holder.lockLost(); !strings.Contains(err.Error(), "has not been renewed") || !strings.Contains(err.Error(), "network is cut") {
		t.Errorf("lockLost = %v, want it to say the Lease was not renewed, and why", err)
	}

	other := openBackend(t, s)
	lctx, cancel := context.WithTimeout(ctx, 10*testLease)
	defer cancel()
	otherID, err := other.Lock(lctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatalf("Lock by another client after the holder was cut off: %v", err)
	}

	cut.Store(false)
	changed := statetest.Sample()
	changed.Outputs["late"] = &state.Output{Value: cty.True}
	if err := holder.Write(ctx, changed); !errors.Is(err, errLost) {
		t.Errorf("Write by the holder that was cut off = %v, want it refused as lost", err)
	}
	waitFor(t, 10*testLease, "the holder's renewal to find the new holder", func() bool {
		err := holder.lockLost()
		return err != nil && strings.Contains(err.Error(), "took it")
	})
	if err := other.Unlock(ctx, otherID); err != nil {
		t.Errorf("the new holder's Unlock: %v", err)
	}
}

// TestLockSurvivesRenewals holds a lock for several lease durations: the
// renewals keep it, and another client is refused all along.
func TestLockSurvivesRenewals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	holder := openBackend(t, s)
	id, err := holder.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	other := openBackend(t, s)
	err = lockWithin(other, 3*testLease)
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != id {
		t.Fatalf("Lock by another client while the holder renews = %v, want a LockedError naming lock %s", err, id)
	}
	if err := holder.lockLost(); err != nil {
		t.Errorf("the holder lost its lock while renewing it: %v", err)
	}
	if err := holder.Write(ctx, statetest.Sample()); err != nil {
		t.Errorf("Write under a renewed lock: %v", err)
	}
	if err := holder.Unlock(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestLockWithExpiredContextTriesOnce: -lock-timeout=0s gives Lock a
// context that is already done; it must still try once.
func TestLockWithExpiredContextTriesOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := openBackend(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	id, err := b.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatalf("Lock with a done context on a free lock: %v", err)
	}
	_, err = openBackend(t, s).Lock(ctx, state.NewLockInfo("plan"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != id {
		t.Errorf("second Lock with a done context = %v, want a LockedError naming %s", err, id)
	}
	if err := b.Unlock(context.Background(), id); err != nil {
		t.Fatal(err)
	}
}

func lockWithin(b state.Backend, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	id, err := b.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		return err
	}
	return b.Unlock(context.Background(), id)
}
