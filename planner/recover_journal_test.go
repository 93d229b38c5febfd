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

package planner

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

// memJournal keeps entries in memory, as a journal file would.
type memJournal struct{ entries []state.JournalEntry }

func (j *memJournal) Begin(_ context.Context, op state.Operation) error {
	j.entries = append(j.entries, state.JournalEntry{Kind: "begin", Operation: op})
	return nil
}

func (j *memJournal) End(_ context.Context, id string, addr addrs.ResourceInstance, now *state.ResourceInstance) error {
	j.entries = append(j.entries, state.JournalEntry{Kind: "end", Operation: state.Operation{ID: id, Addr: addr}, Now: now})
	return nil
}

func (j *memJournal) Resolve(_ context.Context, id string) error {
	j.entries = append(j.entries, state.JournalEntry{Kind: "resolve", Operation: state.Operation{ID: id}})
	return nil
}

func (j *memJournal) Entries(context.Context) ([]state.JournalEntry, error) { return j.entries, nil }
func (j *memJournal) Compact(context.Context) error                         { return nil }

// TestResolvedInterruptedChangeIsDurable: the next apply resolves an
// interrupted create whose object the plan adopted by ending it in the
// journal with that instance: if the process dies before the state is
// written, the journal alone gives the instance back, and the next plan
// does not create it again.
func TestResolvedInterruptedChangeIsDurable(t *testing.T) {
	addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey)
	j := &memJournal{}
	_ = j.Begin(context.Background(), state.Operation{ID: "op-1", Addr: addr, Action: "create"})
	c := &Context{Config: &lang.Config{}, State: state.NewState(), Journal: j}
	a := c.NewApplier()
	adopted := &state.ResourceInstance{Addr: addr, Value: cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal("a.txt")})}
	a.set(adopted)
	w := &applyWalk{walker: newWalker(c), a: a, plan: &plans.Plan{Interrupted: []*plans.Interrupted{{ID: "op-1", Addr: addr, Action: plans.Create, Outcome: plans.InterruptedAdopted}}}}
	w.resolveInterrupted(context.Background())

	// What the next read finds when the state was never written.
	st := state.NewState()
	pending := state.Replay(st, j.entries)
	if len(pending) != 0 {
		t.Errorf("pending after the resolve: %+v", pending)
	}
	if got := st.Resources[addr.String()]; got == nil || !got.Value.RawEquals(adopted.Value) {
		t.Errorf("the journal alone gives %+v; want the adopted instance", got)
	}
}
