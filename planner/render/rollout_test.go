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

package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// canarySteps is the road of the canary, worded by the spec.
func canarySteps() []string {
	w20, w50 := 20, 50
	spec := rolloutspec.Spec{
		Rollout: "canary",
		Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{
			{SetWeight: &w20},
			{Pause: &rolloutspec.Pause{Duration: "30s"}},
			{Analysis: "errors"},
			{SetWeight: &w50},
			{Pause: &rolloutspec.Pause{}},
		}},
		Analyses: map[string]*rolloutspec.Analysis{"errors": {Name: "errors", Interval: "10s", Count: 3}},
	}
	return spec.Steps()
}

// rolloutApp is app.web following rollout.canary, with status s; its
// Deployment changes unless action is no-op.
func rolloutApp(action plans.Action, s *rolloutspec.Status) *plans.ResourceChange {
	before := obj(map[string]cty.Value{"revision": str("1a2b3c4"), "namespace": str("web"), "rollout_status": str(`{"phase":"Healthy"}`)})
	after := obj(map[string]cty.Value{"revision": str("9f8e7d6"), "namespace": str("web"), "rollout_status": str(s.Encode())})
	c := &plans.ResourceChange{
		Addr:          addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey),
		Provider:      k8sProvider,
		Action:        action,
		Reason:        plans.ReasonConfigChanged,
		Before:        before,
		After:         after,
		Rollout:       "rollout.canary",
		RolloutStatus: s,
	}
	if action == plans.NoOp {
		c.Reason, c.After = "", before
		return c
	}
	c.Nested = []*plans.NestedChange{{
		Address: "apps/v1 Deployment web/web", Action: plans.Update, Reason: plans.ReasonConfigChanged,
		Before: deployment("127.0.0.1:5000/myuser/myapp:1a2b3c4", 2),
		After:  deployment("127.0.0.1:5000/myuser/myapp:9f8e7d6", 2),
	}}
	return c
}

func rolloutStatus(action, phase string) *rolloutspec.Status {
	return &rolloutspec.Status{
		Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web",
		Phase: phase, Action: action,
		Revision: "7c9d2e1f0a5b6c7d", Stable: "1a2b3c4d5e6f7a8b",
		Steps: canarySteps(),
	}
}

func rolloutStartPlan() *plans.Plan {
	return plan(rolloutApp(plans.Update, rolloutStatus(rolloutspec.ActionStart, rolloutspec.PhasePlanned)))
}

func rolloutContinuePlan() *plans.Plan {
	s := rolloutStatus(rolloutspec.ActionContinue, rolloutspec.PhaseProgressing)
	s.Step, s.Weight, s.StableReplicas, s.CanaryReplicas = 2, 20, 2, 1
	s.Analyses = []rolloutspec.AnalysisRun{{
		Name: "errors", Step: 2, Phase: rolloutspec.Running,
		Measurements: []rolloutspec.Measurement{
			{At: "2026-03-01T12:30:00Z", Phase: rolloutspec.Successful, Value: "0.01"},
			{At: "2026-03-01T12:30:10Z", Phase: rolloutspec.Successful, Value: "0.02"},
		},
	}}
	return plan(rolloutApp(plans.Update, s))
}

func rolloutSupersedePlan() *plans.Plan {
	s := rolloutStatus(rolloutspec.ActionSupersede, rolloutspec.PhasePlanned)
	s.Superseded = "5b4a39281706f5e4"
	return plan(rolloutApp(plans.Update, s))
}

// rolloutHoldPlan holds an aborted revision: the app itself does not
// change, and the plan says why nothing moves.
func rolloutHoldPlan() *plans.Plan {
	s := rolloutStatus(rolloutspec.ActionHold, rolloutspec.PhaseDegraded)
	s.Revision, s.Aborted = "1a2b3c4d5e6f7a8b", "7c9d2e1f0a5b6c7d"
	s.Message = "analysis errors failed: 2 of 3 measurements failed"
	return plan(rolloutApp(plans.NoOp, s))
}

// rolloutSensitivePlan marks the app's rollout_status sensitive: no view
// may word what it masks.
func rolloutSensitivePlan() *plans.Plan {
	s := rolloutStatus(rolloutspec.ActionContinue, rolloutspec.PhasePaused)
	s.Step, s.Weight = 4, 50
	s.Message = "paused by " + secret
	p := plan(rolloutApp(plans.Update, s))
	p.Changes[0].AfterSensitive = []cty.Path{cty.GetAttrPath("rollout_status")}
	return p
}

// rolloutHealthyPlan has a status but proposes nothing: nothing extra
// shows.
func rolloutHealthyPlan() *plans.Plan {
	s := rolloutStatus(rolloutspec.ActionNone, rolloutspec.PhaseHealthy)
	return plan(rolloutApp(plans.Update, s))
}

func TestRolloutInHumanPlan(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		plan func() *plans.Plan
		want []string
		not  []string
	}{
		"start": {rolloutStartPlan, []string{
			"  # app.web will be updated in-place\n" +
				"  # Deployment/web rolls out with rollout.canary (canary):\n" +
				"  #   set_weight 20 -> pause 30s -> analysis errors (3 x 10s) -> set_weight 50 -> pause until promoted -> 100%\n" +
				"  #   apply starts the rollout of revision 7c9d2e1f0a at step 1 (set_weight 20)\n",
			"Plan: 0 to add, 1 to change, 0 to destroy.",
		}, []string{"rollout_status"}},
		"continue": {rolloutContinuePlan, []string{
			"  # Deployment/web is rolling out with rollout.canary (canary):\n" +
				"  #   set_weight 20 -> pause 30s -> [analysis errors (3 x 10s)] -> set_weight 50 -> pause until promoted -> 100%\n" +
				"  #   at step 3/6 (analysis errors (3 x 10s)), weight 20%; analysis errors: Running (2 successful)\n" +
				"  #   apply goes on at step 3 (analysis errors (3 x 10s))\n",
		}, nil},
		"supersede": {rolloutSupersedePlan, []string{
			"  # Deployment/web rolls out a new revision with rollout.canary (canary):\n",
			"  #   apply replaces the rollout of revision 5b4a392817 under way with revision 7c9d2e1f0a, starting at step 1 (set_weight 20)\n",
		}, nil},
		"hold": {rolloutHoldPlan, []string{
			"  # app.web: Deployment/web is Degraded under rollout.canary (canary):\n" +
				"  #   set_weight 20 -> pause 30s -> analysis errors (3 x 10s) -> set_weight 50 -> pause until promoted -> 100%\n" +
				"  #   Degraded: the rollout of revision 7c9d2e1f0a was aborted: analysis errors failed: 2 of 3 measurements failed\n" +
				"  #   revision 7c9d2e1f0a was aborted and is not retried by itself: run \"slipway rollout retry app.web\", apply with -replace, or commit a new revision\n",
			"No changes.",
		}, []string{"Plan:"}},
		"sensitive": {rolloutSensitivePlan, []string{"  # rollout: (sensitive value)\n"}, []string{"set_weight", secret}},
		"healthy":   {rolloutHealthyPlan, nil, []string{"set_weight", "rollout_status", "rolls out"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			Human(&b, tt.plan(), Options{})
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("the plan lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("the plan shows %q:\n%s", n, b.String())
				}
			}
		})
	}
}

func TestRolloutInMarkdownSurvivesFolding(t *testing.T) {
	t.Parallel()
	p := rolloutContinuePlan()
	// A big diff of another change is the first to go.
	big := map[string]cty.Value{}
	for i := range 400 {
		big["key"+itoa(i)] = str(strings.Repeat("x", 40))
	}
	p.Changes = append(p.Changes, &plans.ResourceChange{
		Addr: managed("file", "big", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: obj(big),
	})
	var b bytes.Buffer
	MarkdownComment(&b, p, MarkdownOptions{Limit: 4000})
	got := b.String()
	if len(got) > 4000 {
		t.Fatalf("the comment is %d characters, over 4000", len(got))
	}
	if !strings.Contains(got, "**Left out to fit") {
		t.Fatalf("nothing was left out, so the test proves nothing:\n%s", got)
	}
	for _, w := range []string{
		"Deployment/web is rolling out with rollout.canary (canary):<br>",
		"at step 3/6 (analysis errors (3 x 10s)), weight 20%; analysis errors: Running (2 successful)",
	} {
		if !strings.Contains(got, mdText(w)) && !strings.Contains(got, w) {
			t.Errorf("the comment lacks %q:\n%s", w, got)
		}
	}
}

func TestRolloutInJSON(t *testing.T) {
	t.Parallel()
	type flat struct {
		Address       string   `json:"address"`
		RolloutAction string   `json:"rollout_action"`
		RolloutPhase  string   `json:"rollout_phase"`
		RolloutSteps  []string `json:"rollout_steps"`
	}
	type doc struct {
		ResourceChanges []struct {
			RolloutStatus *struct {
				rolloutspec.Status
				Road     string `json:"road"`
				Standing string `json:"standing"`
				Next     string `json:"next"`
			} `json:"rollout_status"`
		} `json:"resource_changes"`
		Changes []flat `json:"changes"`
	}
	read := func(p *plans.Plan) doc {
		js, err := JSON(p)
		if err != nil {
			t.Fatal(err)
		}
		var d doc
		if err := json.Unmarshal(js, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}

	d := read(rolloutContinuePlan())
	rs := d.ResourceChanges[0].RolloutStatus
	if rs == nil {
		t.Fatal("no rollout_status")
	}
	if want := "set_weight 20 -> pause 30s -> [analysis errors (3 x 10s)] -> set_weight 50 -> pause until promoted -> 100%"; rs.Road != want {
		t.Errorf("road = %q, want %q", rs.Road, want)
	}
	if rs.Action != "continue" || rs.Step != 2 || rs.Weight != 20 || len(rs.Analyses) != 1 || rs.Next == "" || rs.Standing == "" {
		t.Errorf("rollout_status = %+v", rs)
	}
	if f := d.Changes[0]; f.RolloutAction != "continue" || f.RolloutPhase != "Progressing" || len(f.RolloutSteps) != 6 {
		t.Errorf("changes[0] = %+v", f)
	}
	if f := d.Changes[1]; f.RolloutSteps == nil || len(f.RolloutSteps) != 0 || f.RolloutAction != "" {
		t.Errorf("an object's entry has a rollout: %+v", f)
	}

	d = read(rolloutSensitivePlan())
	if d.ResourceChanges[0].RolloutStatus != nil || d.Changes[0].RolloutAction != "" {
		t.Errorf("a sensitive rollout status shows: %+v", d.Changes[0])
	}
}

// TestStrategyReadsAsItsRoad: an app's rollout attribute is the JSON
// slipway sends its provider; the plan shows the road instead, also as a
// diff when the strategy changes.
func TestStrategyReadsAsItsRoad(t *testing.T) {
	t.Parallel()
	w := func(n int) *int { return &n }
	spec := func(weights ...int) string {
		s := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{}}
		for _, n := range weights {
			s.Canary.Steps = append(s.Canary.Steps, rolloutspec.Step{SetWeight: w(n)})
		}
		return s.Encode()
	}
	c := &plans.ResourceChange{
		Addr: addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey), Provider: k8sProvider, Type: builtin.KubernetesApp,
		Action: plans.Update, Reason: plans.ReasonConfigChanged,
		Before: obj(map[string]cty.Value{"rollout": str(spec(50))}),
		After:  obj(map[string]cty.Value{"rollout": str(spec(20, 50))}),
	}
	var b bytes.Buffer
	Human(&b, plan(c), Options{})
	if want := `~ rollout = "rollout.canary: set_weight 50 -> 100%" -> "rollout.canary: set_weight 20 -> set_weight 50 -> 100%"`; !strings.Contains(b.String(), want) {
		t.Errorf("the plan lacks %q:\n%s", want, b.String())
	}
	if strings.Contains(b.String(), `\"canary\"`) {
		t.Errorf("the plan shows the strategy's JSON:\n%s", b.String())
	}
}

// TestRolloutHidden: the rollout status is left out of the diff unless it
// is sensitive, by a path or by a mark on it or on the whole value.
func TestRolloutHidden(t *testing.T) {
	t.Parallel()
	after := func(status cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "rollout_status": status})
	}
	plain := after(cty.StringVal(`{"phase":"Healthy"}`))
	tests := map[string]struct {
		after cty.Value
		sens  []cty.Path
		want  bool // hidden
	}{
		"plain":                {after: plain, want: true},
		"sensitive path":       {after: plain, sens: []cty.Path{cty.GetAttrPath("rollout_status")}, want: false},
		"sensitive whole":      {after: plain, sens: []cty.Path{{}}, want: false},
		"another path":         {after: plain, sens: []cty.Path{cty.GetAttrPath("name")}, want: true},
		"marked status":        {after: after(cty.StringVal("{}").Mark("sensitive")), want: false},
		"marked whole":         {after: plain.Mark("sensitive"), want: false},
		"another marked":       {after: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web").Mark("sensitive"), "rollout_status": cty.StringVal("{}")}), want: true},
		"no rollout attribute": {after: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web")}), want: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := &plans.ResourceChange{Type: builtin.KubernetesApp, After: tt.after, AfterSensitive: tt.sens}
			if got := len(rolloutHidden(c)) > 0; got != tt.want {
				t.Errorf("hidden = %v, want %v", got, tt.want)
			}
		})
	}
}
