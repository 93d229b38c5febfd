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

package statetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
)

// TestStore checks that a Store keeps the state.Store contract: the
// default workspace always listed, a workspace existing once a state is
// written to it, workspaces whose states, locks and journals are apart,
// DeleteWorkspace's refusals, and WriteSerial: every Store's Backends
// must be state.SerialWriters, so that states can move to them. newStore must return a
// Store over fresh, empty storage each time it is called; TestStore runs
// its subtests in parallel. Run TestBackend on a Backend of a workspace
// other than the default one as well.
func TestStore(t *testing.T, newStore func(t *testing.T) state.Store) {
	ctx := context.Background()
	backend := func(t *testing.T, s state.Store, name string) state.Backend {
		t.Helper()
		b, err := s.Backend(name)
		if err != nil {
			t.Fatalf("Backend(%q): %v", name, err)
		}
		return b
	}
	list := func(t *testing.T, s state.Store) []string {
		t.Helper()
		names, err := s.Workspaces(ctx)
		if err != nil {
			t.Fatalf("Workspaces: %v", err)
		}
		return names
	}
	t.Run("DefaultOnly", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if got := list(t, s); !slices.Equal(got, []string{state.DefaultWorkspace}) {
			t.Errorf("Workspaces of an empty store = %q, want only %q", got, state.DefaultWorkspace)
		}
		// Backend creates nothing; reading creates nothing.
		if _, err := backend(t, s, "ghost").Read(ctx); err != nil {
			t.Fatalf("Read of a workspace never written: %v", err)
		}
		if got := list(t, s); !slices.Equal(got, []string{state.DefaultWorkspace}) {
			t.Errorf("Workspaces after Backend and Read of another = %q, want only %q", got, state.DefaultWorkspace)
		}
	})
	t.Run("InvalidNames", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, name := range []string{"", "Prod", "a_b", "-a", "../x", "a/b"} {
			if _, err := s.Backend(name); err == nil {
				t.Errorf("Backend(%q) succeeded, want the name refused", name)
			}
			if err := s.DeleteWorkspace(ctx, name); err == nil {
				t.Errorf("DeleteWorkspace(%q) succeeded, want the name refused", name)
			}
		}
	})
	t.Run("Separate", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		names := []string{"staging", state.DefaultWorkspace, "prod-eu-1"}
		for i, name := range names {
			st := Sample()
			st.Lineage = name + "-lineage"
			st.Outputs["workspace"] = &state.Output{Value: cty.StringVal(name)}
			for range i + 1 {
				st.Outputs["writes"] = &state.Output{Value: cty.NumberIntVal(int64(st.Serial))}
				if err := backend(t, s, name).Write(ctx, st); err != nil {
					t.Fatalf("Write to %s: %v", name, err)
				}
			}
		}
		if got, want := list(t, s), []string{state.DefaultWorkspace, "prod-eu-1", "staging"}; !slices.Equal(got, want) {
			t.Errorf("Workspaces = %q, want %q", got, want)
		}
		for i, name := range names {
			got, err := backend(t, s, name).Read(ctx)
			if err != nil {
				t.Fatalf("Read of %s: %v", name, err)
			}
			if o := got.Outputs["workspace"]; o == nil || !o.Value.RawEquals(cty.StringVal(name)) || got.Lineage != name+"-lineage" || got.Serial != uint64(i+1) {
				t.Errorf("workspace %s reads lineage %s serial %d output %#v, want its own state (lineage %s-lineage, serial %d)", name, got.Lineage, got.Serial, o, name, i+1)
			}
		}
		// One workspace's lock does not hold another's.
		held := backend(t, s, "staging")
		id := lock(ctx, t, held, state.NewLockInfo("apply"))
		for _, name := range []string{state.DefaultWorkspace, "prod-eu-1"} {
			if err := lockWithin(backend(t, s, name), state.NewLockInfo("plan"), 10*time.Second); err != nil {
				t.Errorf("Lock of %s while staging is locked: %v", name, err)
			}
		}
		if err := lockWithin(backend(t, s, "staging"), state.NewLockInfo("plan"), 100*time.Millisecond); err == nil {
			t.Errorf("a second Lock of staging succeeded while it was locked")
		}
		unlock(ctx, t, held, id)
		// Nor its journal.
		if jb, ok := held.(state.Journaled); ok {
			sample := Sample()
			op := state.Operation{ID: state.NewOperationID(), Addr: sample.Resources[sample.SortedAddrs()[0]].Addr, Action: "create"}
			if err := jb.Journal().Begin(ctx, op); err != nil {
				t.Fatalf("journal Begin: %v", err)
			}
			other := backend(t, s, "prod-eu-1").(state.Journaled)
			if entries, err := other.Journal().Entries(ctx); err != nil || len(entries) != 0 {
				t.Errorf("prod-eu-1's journal holds %d entries (%v) after a Begin in staging's, want none", len(entries), err)
			}
		}
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, name := range []string{state.DefaultWorkspace, "doomed"} {
			if err := backend(t, s, name).Write(ctx, Sample()); err != nil {
				t.Fatalf("Write to %s: %v", name, err)
			}
		}
		if err := s.DeleteWorkspace(ctx, state.DefaultWorkspace); err == nil {
			t.Errorf("DeleteWorkspace(%q) succeeded, want a refusal", state.DefaultWorkspace)
		}
		b := backend(t, s, "doomed")
		id := lock(ctx, t, b, state.NewLockInfo("apply"))
		if err := s.DeleteWorkspace(ctx, "doomed"); err == nil {
			t.Errorf("DeleteWorkspace of a locked workspace succeeded, want a refusal")
		}
		unlock(ctx, t, b, id)
		if got := list(t, s); !slices.Contains(got, "doomed") {
			t.Fatalf("a refused DeleteWorkspace removed the workspace: %q", got)
		}
		if err := s.DeleteWorkspace(ctx, "doomed"); err != nil {
			t.Fatalf("DeleteWorkspace: %v", err)
		}
		if got := list(t, s); !slices.Equal(got, []string{state.DefaultWorkspace}) {
			t.Errorf("Workspaces after DeleteWorkspace = %q, want only %q", got, state.DefaultWorkspace)
		}
		got, err := backend(t, s, "doomed").Read(ctx)
		if err != nil || !got.Empty() || got.Serial != 0 {
			t.Errorf("Read of a deleted workspace = serial %d, empty %v (%v), want nothing stored", got.Serial, got.Empty(), err)
		}
		if d, err := backend(t, s, state.DefaultWorkspace).Read(ctx); err != nil || d.Empty() {
			t.Errorf("the default workspace after deleting another: %v", err)
		}
		// A deleted workspace can be made again.
		if err := backend(t, s, "doomed").Write(ctx, Sample()); err != nil {
			t.Fatalf("Write to a deleted workspace: %v", err)
		}
		if got := list(t, s); !slices.Contains(got, "doomed") {
			t.Errorf("Workspaces after writing a deleted workspace again = %q", got)
		}
	})
	t.Run("WriteSerial", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		b := backend(t, s, "moved")
		sw, ok := b.(state.SerialWriter)
		if !ok {
			t.Fatalf("the store's backends are not state.SerialWriters: init -migrate-state cannot copy a state to them with its serial")
		}
		st := Sample()
		st.Serial = 7
		if err := sw.WriteSerial(ctx, st.DeepCopy()); err != nil {
			t.Fatalf("WriteSerial to nothing: %v", err)
		}
		got, err := b.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := Diff(st, got); diff != "" {
			t.Errorf("Read after WriteSerial (-want +got):\n%s", diff)
		}
		if err := sw.WriteSerial(ctx, st.DeepCopy()); err != nil {
			t.Errorf("WriteSerial of the same state again: %v", err)
		}
		refused := func(what string, s *state.State) {
			t.Helper()
			var ce *state.SerialConflictError
			if err := sw.WriteSerial(ctx, s); !errors.As(err, &ce) {
				t.Errorf("WriteSerial of %s = %v, want a *state.SerialConflictError", what, err)
			}
			if got, err := b.Read(ctx); err != nil || got.Serial != 7 || got.Lineage != st.Lineage {
				t.Errorf("after a refused WriteSerial the store holds serial %d lineage %s (%v), want it unchanged", got.Serial, got.Lineage, err)
			}
		}
		other := st.DeepCopy()
		other.Lineage = "another-lineage"
		refused("another lineage", other)
		older := st.DeepCopy()
		older.Serial = 6
		refused("an older serial", older)
		same := st.DeepCopy()
		same.Outputs["changed"] = &state.Output{Value: cty.True}
		refused("other content under the same serial", same)
		newer := same.DeepCopy()
		newer.Serial = 9
		if err := sw.WriteSerial(ctx, newer.DeepCopy()); err != nil {
			t.Fatalf("WriteSerial of a newer serial: %v", err)
		}
		if got, err := b.Read(ctx); err != nil || got.Serial != 9 {
			t.Errorf("after WriteSerial of serial 9 the store holds serial %d (%v)", got.Serial, err)
		}
		// Write goes on from the serial WriteSerial stored.
		newer.Outputs["after"] = &state.Output{Value: cty.True}
		if err := b.Write(ctx, newer); err != nil || newer.Serial != 10 {
			t.Errorf("Write after WriteSerial set serial %d (%v), want 10", newer.Serial, err)
		}
	})
}
