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

package state_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
	"slipway.dev/slipway/state/statetest"
)

func newStore(t *testing.T) state.Store {
	return local.NewStore(filepath.Join(t.TempDir(), state.DefaultLocalPath), local.Options{})
}

func backendOf(t *testing.T, s state.Store, name string) state.Backend {
	t.Helper()
	b, err := s.Backend(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// write writes st to workspace name n times, each a change, and returns
// it with the serial stored.
func write(t *testing.T, s state.Store, name string, st *state.State, n int) *state.State {
	t.Helper()
	for i := range n {
		st.Outputs["write"] = &state.Output{Value: cty.NumberIntVal(int64(i))}
		if err := backendOf(t, s, name).Write(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func read(t *testing.T, s state.Store, name string) (*state.State, []state.JournalEntry) {
	t.Helper()
	b := backendOf(t, s, name)
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := b.(state.Journaled).Journal().Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st, entries
}

// A source with two written workspaces, one with an intent journal of a
// finished change and an interrupted one.
func source(t *testing.T) state.Store {
	t.Helper()
	ctx := context.Background()
	from := newStore(t)
	write(t, from, state.DefaultWorkspace, statetest.Sample(), 3)
	st := statetest.Sample()
	st.Lineage = "staging-lineage"
	write(t, from, "staging", st, 1)
	j := backendOf(t, from, "staging").(state.Journaled).Journal()
	addr := func(name string) addrs.ResourceInstance {
		return addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey)
	}
	done := state.Operation{ID: state.NewOperationID(), Addr: addr("done"), Action: "create"}
	cut := state.Operation{ID: state.NewOperationID(), Addr: addr("cut"), Action: "create"}
	now := &state.ResourceInstance{Addr: addr("done"), Type: "file", Provider: addrs.Provider{Name: "file"}, Value: cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("d")})}
	for _, err := range []error{j.Begin(ctx, done), j.Begin(ctx, cut), j.End(ctx, done.ID, done.Addr, now)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return from
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := source(t), newStore(t)
	done, err := state.Migrate(ctx, from, to, state.MigrateOptions{})
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if len(done) != 2 || !done[0].Copied || !done[1].Copied || done[1].Entries != 3 {
		t.Errorf("Migrate reported %+v, want both workspaces copied, staging with 3 journal entries", done)
	}
	for _, name := range []string{state.DefaultWorkspace, "staging"} {
		want, wantEntries := read(t, from, name)
		got, gotEntries := read(t, to, name)
		if diff := statetest.Diff(want, got); diff != "" {
			t.Errorf("workspace %s copied (-want +got):\n%s", name, diff)
		}
		if len(gotEntries) != len(wantEntries) {
			t.Errorf("workspace %s: the copy's journal has %d entries, want %d", name, len(gotEntries), len(wantEntries))
		}
		wantPending := state.Replay(want, wantEntries)
		gotPending := state.Replay(got, gotEntries)
		if len(gotPending) != len(wantPending) || len(wantPending) > 0 && gotPending[0].ID != wantPending[0].ID {
			t.Errorf("workspace %s: the copy's interrupted changes %+v, want %+v", name, gotPending, wantPending)
		}
		if diff := statetest.Diff(want, got); diff != "" {
			t.Errorf("workspace %s with its journal replayed (-want +got):\n%s", name, diff)
		}
	}
	if got, _ := read(t, to, state.DefaultWorkspace); got.Serial != 3 {
		t.Errorf("default workspace copied with serial %d, want 3", got.Serial)
	}

	// Again: everything is there already.
	again, err := state.Migrate(ctx, from, to, state.MigrateOptions{})
	if err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	for _, m := range again {
		if m.Copied {
			t.Errorf("Migrate again copied %+v", m)
		}
	}
	if _, entries := read(t, to, "staging"); len(entries) != 3 {
		t.Errorf("Migrate again left %d journal entries, want 3", len(entries))
	}
}

func TestMigrateRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := map[string]struct {
		dest func(t *testing.T, to state.Store)
		want []string
	}{
		"another lineage": {
			func(t *testing.T, to state.Store) {
				st := statetest.Sample()
				st.Lineage = "other-lineage"
				write(t, to, "staging", st, 1)
			},
			[]string{`workspace "staging"`, "another lineage", "other-lineage", "staging-lineage"},
		},
		"a newer serial": {
			func(t *testing.T, to state.Store) { write(t, to, state.DefaultWorkspace, statetest.Sample(), 5) },
			[]string{`workspace "default"`, "newer state", "serial 5 there, serial 3 to copy"},
		},
		"the same serial, other content": {
			func(t *testing.T, to state.Store) {
				st := statetest.Sample()
				st.Outputs["other"] = &state.Output{Value: cty.True}
				write(t, to, state.DefaultWorkspace, st, 3)
			},
			[]string{`workspace "default"`, "the same serial 3"},
		},
		"a journal of its own": {
			func(t *testing.T, to state.Store) {
				if err := backendOf(t, to, "staging").Write(context.Background(), state.NewState()); err != nil {
					t.Fatal(err)
				}
				j := backendOf(t, to, "staging").(state.Journaled).Journal()
				if err := j.Begin(context.Background(), state.Operation{ID: "op-x", Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "x"}.Instance(addrs.NoKey), Action: "create"}); err != nil {
					t.Fatal(err)
				}
			},
			[]string{`workspace "staging"`, "intent journal holds 1 entries"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			from, to := source(t), newStore(t)
			tc.dest(t, to)
			before := map[string]*state.State{}
			for _, ws := range []string{state.DefaultWorkspace, "staging"} {
				before[ws], _ = read(t, to, ws)
			}
			_, err := state.Migrate(ctx, from, to, state.MigrateOptions{})
			if err == nil {
				t.Fatalf("Migrate succeeded, want a refusal")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Migrate's error lacks %q: %v", w, err)
				}
			}
			// Nothing was copied, to any workspace.
			for ws, b := range before {
				got, _ := read(t, to, ws)
				if got.Serial != b.Serial || got.Lineage != b.Lineage && !b.Empty() {
					t.Errorf("a refused Migrate changed workspace %s: serial %d lineage %s, was %d %s", ws, got.Serial, got.Lineage, b.Serial, b.Lineage)
				}
			}
		})
	}
}

// An empty state is overwritten whatever its lineage (a workspace made
// with slipway workspace new, say), and a default workspace never
// written is not copied.
func TestMigrateOverEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := newStore(t), newStore(t)
	st := statetest.Sample()
	st.Lineage = "staging-lineage"
	write(t, from, "staging", st, 2)
	if err := backendOf(t, to, "staging").Write(ctx, state.NewState()); err != nil {
		t.Fatal(err)
	}
	done, err := state.Migrate(ctx, from, to, state.MigrateOptions{})
	if err != nil {
		t.Fatalf("Migrate over an empty state: %v", err)
	}
	if len(done) != 2 || done[0].Copied || !done[1].Copied {
		t.Errorf("Migrate reported %+v, want default not copied and staging copied", done)
	}
	if got, _ := read(t, to, "staging"); got.Lineage != "staging-lineage" || got.Serial != 2 {
		t.Errorf("staging copied as lineage %s serial %d, want staging-lineage 2", got.Lineage, got.Serial)
	}
	if got, _ := read(t, to, state.DefaultWorkspace); got.Serial != 0 {
		t.Errorf("an unwritten default workspace was copied: serial %d", got.Serial)
	}
}

// Migrate locks both ends and gives up when it cannot.
func TestMigrateLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := source(t), newStore(t)
	held := backendOf(t, to, "staging")
	id, err := held.Lock(ctx, state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	var locked []string
	opts := state.MigrateOptions{Lock: func(ctx context.Context, b state.Backend, ws string) (func(), error) {
		lctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		// Another Backend value over the same files, as another process
		// would have.
		if b == held {
			b = backendOf(t, local.NewStore(b.(*local.Backend).Path(), local.Options{}), state.DefaultWorkspace)
		}
		id, err := b.Lock(lctx, state.NewLockInfo("migrate"))
		if err != nil {
			return nil, err
		}
		locked = append(locked, ws)
		return func() { b.Unlock(ctx, id) }, nil
	}}
	_, err = state.Migrate(ctx, from, to, opts)
	var le *state.LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `workspace "staging": locking the destination`) {
		t.Fatalf("Migrate while the destination is locked = %v, want a LockedError", err)
	}
	if got, _ := read(t, to, state.DefaultWorkspace); got.Serial != 0 {
		t.Errorf("Migrate copied the default workspace although staging's destination was locked")
	}
	if err := held.Unlock(ctx, id); err != nil {
		t.Fatal(err)
	}
	locked = nil
	if _, err := state.Migrate(ctx, from, to, opts); err != nil {
		t.Fatalf("Migrate once the lock is free: %v", err)
	}
	if len(locked) != 8 {
		t.Errorf("Migrate took %d locks (%q), want 8: both ends of two workspaces, once to check and once to copy", len(locked), locked)
	}
}

// A destination that cannot keep a serial, or keeps no journal when one
// must be copied, is refused before anything is copied.
func TestMigrateUnableDestination(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := state.Migrate(ctx, source(t), plainStore{newStore(t)}, state.MigrateOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot store a state under its own serial") {
		t.Errorf("Migrate to a store without WriteSerial = %v, want a refusal", err)
	}
	_, err = state.Migrate(ctx, source(t), serialOnlyStore{newStore(t)}, state.MigrateOptions{})
	if err == nil || !strings.Contains(err.Error(), "keeps no journal") || !strings.Contains(err.Error(), "run slipway apply") {
		t.Errorf("Migrate of a journal to a store without one = %v, want a refusal saying to apply first", err)
	}
}

// plainStore's Backends are bare state.Backends.
type plainStore struct{ state.Store }

func (s plainStore) Backend(name string) (state.Backend, error) {
	b, err := s.Store.Backend(name)
	return struct{ state.Backend }{b}, err
}

// serialOnlyStore's Backends keep serials but no journal.
type serialOnlyStore struct{ state.Store }

func (s serialOnlyStore) Backend(name string) (state.Backend, error) {
	b, err := s.Store.Backend(name)
	return struct {
		state.Backend
		state.SerialWriter
	}{b, b.(state.SerialWriter)}, err
}

// Confirm is asked once everything is checked, with what will be copied,
// and a no copies nothing.
func TestMigrateConfirm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := source(t), newStore(t)
	var asked []state.Migrated
	_, err := state.Migrate(ctx, from, to, state.MigrateOptions{Confirm: func(plan []state.Migrated) (bool, error) {
		asked = plan
		return false, nil
	}})
	if !errors.Is(err, state.ErrMigrateCancelled) {
		t.Fatalf("Migrate answered no = %v, want ErrMigrateCancelled", err)
	}
	if len(asked) != 2 || !asked[0].Copied || asked[1].Workspace != "staging" || !asked[1].Copied || asked[1].Entries != 3 || asked[1].Lineage != "staging-lineage" {
		t.Errorf("Confirm was asked about %+v, want default and staging (3 journal entries) to be copied", asked)
	}
	for _, ws := range []string{state.DefaultWorkspace, "staging"} {
		if got, entries := read(t, to, ws); got.Serial != 0 || len(entries) != 0 {
			t.Errorf("Migrate answered no wrote workspace %s: serial %d, %d journal entries", ws, got.Serial, len(entries))
		}
	}
	// Nothing to copy: nothing to ask.
	if _, err := state.Migrate(ctx, from, to, state.MigrateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = state.Migrate(ctx, from, to, state.MigrateOptions{Confirm: func([]state.Migrated) (bool, error) {
		t.Errorf("Confirm asked although everything is copied already")
		return false, nil
	}})
	if err != nil {
		t.Errorf("Migrate of what is copied already: %v", err)
	}
}
