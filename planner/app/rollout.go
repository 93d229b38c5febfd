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

package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

// appRollout is an app's rollout block: the strategy it follows and
// what it rolls.
type appRollout struct {
	Strategy  *hcl.Attribute `hcl:"strategy"`
	Workload  *hcl.Attribute `hcl:"workload,optional"`
	TriggerOn *hcl.Attribute `hcl:"trigger_on,optional"`
	Def       hcl.Range      `hcl:",def_range"`
}

// rolloutWorkloadKind is the kind of object a rollout rolls.
const rolloutWorkloadKind = "Deployment"

// rolloutAttr is the value of the app's builtin.AppRollout attribute:
// the JSON of the rolloutspec.Spec of the rollout block the strategy
// names, with the app's workload and triggers; unknown while the
// strategy is.
func rolloutAttr(rc *lang.Resource, r *appRollout, helm bool, ectx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	a := &kind.Attrs{Ctx: ectx}
	if helm {
		a.Errorf(r.Def, "Rollouts need an app of manifests", "%s syncs a helm chart, and rollouts are for apps of manifests (plain YAML or kustomize) in this version of slipway. Remove the rollout block, or sync the chart's rendered manifests from a directory.", rc.Addr)
		return cty.NilVal, a.Diags
	}
	if !a.Required(r.Strategy, "strategy", r.Def, "strategy = rollout.canary") {
		return cty.NilVal, a.Diags
	}
	rng := r.Strategy.Expr.Range()
	trav, diags := hcl.AbsTraversalForExpr(r.Strategy.Expr)
	if diags.HasErrors() || len(trav) != 2 || trav.RootName() != "rollout" {
		a.Errorf(rng, "Invalid rollout strategy", "strategy names a rollout block, like strategy = rollout.canary, without quotes.")
		return cty.NilVal, a.Diags
	}

	var workload string
	if s, ok := a.String(r.Workload, "rollout workload"); ok {
		kindName, name, found := strings.Cut(s, "/")
		switch {
		case !found || name == "" || strings.Contains(name, "/"):
			a.Errorf(r.Workload.Expr.Range(), "Invalid rollout workload", "workload %q must be KIND/NAME, like \"Deployment/web\": the Deployment of the app that rolls.", s)
		case kindName != rolloutWorkloadKind:
			a.Errorf(r.Workload.Expr.Range(), "Invalid rollout workload", "workload %q is a %s; this version of slipway rolls Deployments only, like \"Deployment/web\".", s, kindName)
		default:
			workload = s
		}
	}
	var triggers []string
	if v, ok := a.Value(r.TriggerOn, cty.List(cty.String), "rollout trigger_on"); ok {
		for _, e := range v.AsValueSlice() {
			if e.IsNull() {
				a.Errorf(r.TriggerOn.Expr.Range(), "Invalid rollout trigger_on", "trigger_on holds a null; list objects as KIND/NAME, like [\"ConfigMap/web-config\"].")
				continue
			}
			s := e.AsString()
			k, n, found := strings.Cut(s, "/")
			if !found || k == "" || n == "" || strings.Contains(n, "/") {
				a.Errorf(r.TriggerOn.Expr.Range(), "Invalid rollout trigger_on", "trigger_on names %q; list objects of the app as KIND/NAME, like [\"ConfigMap/web-config\"], whose changes also roll the workload out.", s)
				continue
			}
			triggers = append(triggers, s)
		}
	}

	v, d := r.Strategy.Expr.Value(ectx)
	a.Diags = append(a.Diags, d...)
	if a.Diags.HasErrors() {
		return cty.NilVal, a.Diags
	}
	_, js, marks, known, ok := kind.SpecOf(v)
	a.AddMarks(marks)
	switch {
	case !ok:
		a.Errorf(rng, "Invalid rollout strategy", "%s has no strategy to follow; this is a bug in slipway.", trav.RootName()+"."+trav[1].(hcl.TraverseAttr).Name)
		return cty.NilVal, a.Diags
	case !known || a.Unknown:
		return a.Mark(cty.UnknownVal(cty.String)), a.Diags
	}
	spec, err := rolloutspec.DecodeSpec(js)
	if err != nil {
		a.Errorf(rng, "Invalid rollout strategy", "%v. This is a bug in slipway.", err)
		return cty.NilVal, a.Diags
	}
	spec.Workload, spec.TriggerOn = workload, triggers
	return a.Mark(cty.StringVal(spec.Encode())), a.Diags
}

// describe records the rollout an app follows, as written in its block,
// and where its rollout stands when the plan moves it.
func describe(rc *lang.Resource, ch *plans.ResourceChange) {
	ch.Rollout = rolloutOf(rc)
	if proposed := statusOf(ch.After, builtin.AppRolloutPlan); proposed != nil && proposed.Action != rolloutspec.ActionNone {
		// What the plan proposes: the road, where the rollout stands, and
		// what the next apply does with it.
		ch.RolloutStatus = proposed
		return
	}
	after, before := statusOf(ch.After, builtin.AppRolloutStatus), statusOf(ch.Before, builtin.AppRolloutStatus)
	if after != nil && (after.Action != rolloutspec.ActionNone || before == nil || before.Phase != after.Phase) {
		ch.RolloutStatus = after
	}
}

// statusOf reads a rollout status attribute of an app's value, or nil.
func statusOf(v cty.Value, attr string) *rolloutspec.Status {
	a := kind.AttrOr(v, attr, cty.NullVal(cty.String))
	a, _ = a.UnmarkDeep()
	if a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return nil
	}
	s, err := rolloutspec.DecodeStatus(a.AsString())
	if err != nil {
		return nil
	}
	return s
}

// rolloutOf is the rollout an app block follows (rollout { strategy =
// rollout.NAME }), as "rollout.NAME", or "".
func rolloutOf(rc *lang.Resource) string {
	sb, ok := rc.Config.(*hclsyntax.Body)
	if !ok {
		return ""
	}
	for _, blk := range sb.Blocks {
		if blk.Type != "rollout" {
			continue
		}
		attr, ok := blk.Body.Attributes["strategy"]
		if !ok {
			return ""
		}
		trav, diags := hcl.AbsTraversalForExpr(attr.Expr)
		if diags.HasErrors() || len(trav) != 2 || trav.RootName() != "rollout" {
			return ""
		}
		if step, ok := trav[1].(hcl.TraverseAttr); ok {
			return "rollout." + step.Name
		}
	}
	return ""
}

// pausedLine tells the user what comes after a rollout that apply left
// at a pause: `rollout app.web paused at step 4/5 (pause until
// promoted); run "slipway rollout promote app.web" or apply again after
// 12:31:00`.
func pausedLine(addr fmt.Stringer, st *rolloutspec.Status) string {
	line := fmt.Sprintf("rollout %s paused at step %d/%d (%s); run \"slipway rollout promote %s\"", addr, st.Step+1, len(st.Steps), st.StepName(st.Step), rolloutspec.ShellWord(addr.String()))
	if t, err := time.Parse(time.RFC3339, st.PausedUntil); err == nil && st.PausedUntil != "" {
		return line + " or apply again after " + t.Local().Format("15:04:05")
	}
	return line + " to go on"
}
