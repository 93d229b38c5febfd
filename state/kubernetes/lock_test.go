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
	"net/http"
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
