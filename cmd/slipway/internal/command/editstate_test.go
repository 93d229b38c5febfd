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

package command

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// failingCompact is a local backend whose journal's compaction fails, as
// one of the kubernetes or pg backend does when the command's context is
// cancelled by Ctrl-C in the middle.
type failingCompact struct{ *local.Backend }

func (b failingCompact) Journal() state.Journal { return compactFails{b.Backend.Journal()} }

type compactFails struct{ state.Journal }

func (compactFails) Compact(context.Context) error { return errors.New("compaction interrupted") }

// TestEditStateNeverLeavesTheJournalToUndoIt: after an apply killed once
// a create had ended in the journal (not yet in the state file), a state
// mv whose journal cannot be compacted must not leave a state that the
// journal, replayed, contradicts: the old address back beside the new
// one, both holding one object, which the next plan would delete.
// Either the move is made and the journal agrees, or nothing changed.
func TestEditStateNeverLeavesTheJournalToUndoIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lb := local.New(filepath.Join(t.TempDir(), "slipway.slipstate"))
	file := func(name string) *state.ResourceInstance {
		return &state.ResourceInstance{
			Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey),
			Type: "file", Provider: addrs.Provider{Name: "file"},
			Value: cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal("out/" + name)}),
		}
	}
	st := state.NewState()
	st.Resources["file.a"] = file("a")
	if err := lb.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	op := state.Operation{ID: state.NewOperationID(), Addr: file("web").Addr, Action: "create", Planned: file("web")}
	if err := lb.Journal().Begin(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := lb.Journal().End(ctx, op.ID, op.Addr, file("web")); err != nil {
		t.Fatal(err)
	}

	mv := func(st *state.State) (bool, error) {
		ri := st.Resources["file.web"]
		if ri == nil {
			return false, errors.New("no file.web")
		}
		delete(st.Resources, "file.web")
		moved := *ri
		moved.Addr = file("frontend").Addr
		st.Resources["file.frontend"] = &moved
		return true, nil
	}
	err := editState(ctx, failingCompact{lb}, mv)
	after, _, _, rerr := readJournal(ctx, lb)
	if rerr != nil {
		t.Fatal(rerr)
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range after.Resources {
			if !yield(k) {
				return
			}
		}
	})
	switch {
	case err == nil && slices.Equal(got, []string{"file.a", "file.frontend"}):
	case err != nil && slices.Equal(got, []string{"file.a", "file.web"}):
	default:
		t.Fatalf("state mv with a failing compaction: %v; the next read holds %v (both addresses, or a change reported failed that happened)", err, got)
	}
}
