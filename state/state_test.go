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
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

func TestNewState(t *testing.T) {
	t.Parallel()
	a, b := state.NewState(), state.NewState()
	if !a.Empty() || a.Serial != 0 {
		t.Errorf("NewState() = %+v, want empty with serial 0", a)
	}
	if a.Lineage == "" || a.Lineage == b.Lineage {
		t.Errorf("NewState lineages %q and %q, want distinct and non-empty", a.Lineage, b.Lineage)
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		s    *state.State
		want bool
	}{
		"nil":      {nil, true},
		"new":      {state.NewState(), true},
		"resource": {statetest.Sample(), false},
		"output":   {&state.State{Outputs: map[string]*state.Output{"o": {Value: cty.True}}}, false},
		"extra":    {&state.State{Extra: map[string]json.RawMessage{"apps": json.RawMessage(`{}`)}}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.s.Empty(); got != tc.want {
				t.Errorf("Empty() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeepCopy(t *testing.T) {
	t.Parallel()
	orig := statetest.Sample()
	c := orig.DeepCopy()
	if diff := statetest.Diff(orig, c); diff != "" {
		t.Fatalf("DeepCopy differs (-orig +copy):\n%s", diff)
	}
	r := c.Resources["file.a"]
	r.Private[0] = 99
	r.Sensitive[0][0] = cty.GetAttrStep{Name: "changed"}
	r.Dependencies[0].Name = "changed"
	c.Outputs["url"].Sensitive = true
	c.Extra["apps"][0] = '['
	delete(c.Resources, "file.b[0]")
	if diff := statetest.Diff(statetest.Sample(), orig); diff != "" {
		t.Errorf("changing the copy changed the original (-want +got):\n%s", diff)
	}
}

func TestSortedAddrs(t *testing.T) {
	t.Parallel()
	want := []string{
		`app.web["eu \"west\""]`, "file.a", "file.b[0]", "file.b[1]", "file.b[10]",
		"pipeline.web", "rollout.web", "source.git.app",
	}
	if diff := cmp.Diff(want, statetest.Sample().SortedAddrs()); diff != "" {
		t.Errorf("SortedAddrs (-want +got):\n%s", diff)
	}
}
