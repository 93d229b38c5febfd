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
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

func TestStatusReadsTheRollout(t *testing.T) {
	t.Parallel()
	paused := (&rolloutspec.Status{Phase: rolloutspec.PhasePaused, Steps: []string{"pause until promoted", "100%"}}).Encode()
	healthy := (&rolloutspec.Status{Phase: rolloutspec.PhaseHealthy}).Encode()
	val := func(s string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"rollout_status": cty.StringVal(s)})
	}
	none := cty.ObjectVal(map[string]cty.Value{"rollout_status": cty.NullVal(cty.String)})
	addr := addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey)
	sens := []cty.Path{cty.GetAttrPath("rollout_status")}
	tests := map[string]struct {
		before, stored cty.Value
		beforeSens     []cty.Path
		storedSens     []cty.Path
		phase          string // "" for no rollout
		warns          bool
	}{
		"refreshed":          {before: val(paused), stored: val(healthy), phase: rolloutspec.PhasePaused},
		"from state":         {before: none, stored: val(healthy), phase: rolloutspec.PhaseHealthy},
		"none":               {before: none, stored: none},
		"sensitive":          {before: val(paused), beforeSens: sens, stored: none},
		"sensitive in state": {before: none, stored: val(paused), storedSens: []cty.Path{{}}},
		"unreadable":         {before: val("{"), stored: none, warns: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ch := &plans.ResourceChange{Addr: addr, Before: tt.before, BeforeSensitive: tt.beforeSens}
			ri := &state.ResourceInstance{Addr: addr, Value: tt.stored, Sensitive: tt.storedSens}
			got, diags := rolloutStatus(ch, ri, nil)
			if tt.warns != (len(diags) == 1) || diags.HasErrors() {
				t.Errorf("diagnostics: %v", diags)
			}
			phase := ""
			if got != nil {
				phase = got.Phase
			}
			if phase != tt.phase {
				t.Errorf("phase %q, want %q", phase, tt.phase)
			}
		})
	}
}
