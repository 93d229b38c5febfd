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

package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// Rules read an app's rollout from plan.changes: what the plan does with
// it, its phase and its steps.
func TestRulesReadRollouts(t *testing.T) {
	t.Parallel()
	set, diags := load(t, `
policy "canary_analysis_for_prod" {
  deny    = "plan.changes.exists(c, c.kind == 'app' && c.namespace.startsWith('prod') && c.rollout_action == 'start' && !c.rollout_steps.exists(s, s.startsWith('analysis ')))"
  message = "m"
}
policy "degraded_rollouts" {
  warn    = "plan.changes.exists(c, c.rollout_phase == 'Degraded')"
  message = "m"
}
policy "no_rollout_no_steps" {
  deny    = "plan.changes.exists(c, c.rollout == '' && (c.rollout_action != '' || size(c.rollout_steps) > 0))"
  message = "m"
}
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	app := func(name string, action plans.Action, s *rolloutspec.Status) *plans.ResourceChange {
		v := cty.ObjectVal(map[string]cty.Value{"namespace": cty.StringVal("prod-" + name)})
		return &plans.ResourceChange{
			Addr:     addrs.Resource{Kind: addrs.App, Name: name}.Instance(addrs.NoKey),
			Provider: addrs.Provider{Name: "kubernetes"},
			Action:   action, Before: v, After: v,
			Rollout: "rollout.canary", RolloutStatus: s,
		}
	}
	p := &plans.Plan{Changes: []*plans.ResourceChange{
		app("web", plans.Update, &rolloutspec.Status{Rollout: "canary", Strategy: rolloutspec.Canary, Phase: rolloutspec.PhasePlanned, Action: rolloutspec.ActionStart,
			Steps: []string{"set_weight 20", "pause 30s", "100%"}}),
		app("api", plans.NoOp, &rolloutspec.Status{Rollout: "canary", Strategy: rolloutspec.Canary, Phase: rolloutspec.PhaseDegraded, Action: rolloutspec.ActionHold,
			Steps: []string{"set_weight 20", "analysis errors (3 x 10s)", "100%"}, Aborted: "abc"}),
		{Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "file"}, Type: "file", Action: plans.Create, Before: cty.NullVal(cty.String), After: cty.StringVal("x")},
	}}
	m, err := Model(p)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name    string
		Holds   bool
		Changes []Change
	}
	var gots []got
	for _, r := range set.Evaluate(t.Context(), m) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Policy.Name, r.Err)
		}
		gots = append(gots, got{r.Policy.Name, r.Holds, r.Changes})
	}
	want := []got{
		{"canary_analysis_for_prod", true, []Change{{"app.web", "update"}}},
		{"degraded_rollouts", true, []Change{{"app.api", "no-op"}}},
		{"no_rollout_no_steps", false, nil},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
