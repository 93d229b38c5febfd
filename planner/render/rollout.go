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
	"strings"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/planner/plans"
)

// rolloutPath is where an app's value holds its rollout status.
var rolloutPath = cty.GetAttrPath(builtin.AppRolloutStatus)

// rolloutOf is the rollout status a change shows, and whether it is
// hidden because the attribute it comes from is sensitive: a view never
// shows in words what it masks as a value.
func rolloutOf(c *plans.ResourceChange) (s *rolloutspec.Status, sensitive bool) {
	if c == nil || c.RolloutStatus == nil {
		return nil, false
	}
	c = unmarkChange(c)
	if plans.RolloutSensitive(c.AfterSensitive) {
		return nil, true
	}
	return c.RolloutStatus, false
}

// rolloutProposed reports whether the plan proposes something for the
// change's rollout (start, continue, supersede, abort or hold): such a
// change is shown even when its action is no-op, so that a held rollout
// is never silent.
func rolloutProposed(c *plans.ResourceChange) bool {
	return c != nil && c.RolloutStatus != nil && c.RolloutStatus.Action != rolloutspec.ActionNone
}

// rolloutHidden names the attribute a change's rollout status comes
// from, so that the diff does not show it again as a JSON string: the
// rollout lines word it, and a status the plan proposes nothing for is
// the provider's bookkeeping. A sensitive one stays, masked.
func rolloutHidden(c *plans.ResourceChange) []string {
	if c == nil || (c.RolloutStatus == nil && c.Type != builtin.KubernetesApp) {
		return nil
	}
	for _, p := range c.AfterSensitive {
		if len(p) <= len(rolloutPath) && p.Equals(rolloutPath[:len(p)]) {
			return nil
		}
	}
	// A mark says the same as a path (unmarkChange): only marks on the
	// value or on its rollout status are looked for, not through the
	// app's every object, which at 1,000 changed apps was a quarter of a
	// second of their rendering.
	if a := c.After; a != cty.NilVal && (a.IsMarked() || a.IsKnown() && !a.IsNull() && a.Type().IsObjectType() &&
		a.Type().HasAttribute(builtin.AppRolloutStatus) && a.GetAttr(builtin.AppRolloutStatus).ContainsMarked()) {
		return nil
	}
	return []string{builtin.AppRolloutStatus}
}

// rolloutText says in lines what the plan does with a change's rollout:
// a head ("Deployment/web rolls out with rollout.canary (canary):") and
// lines that belong under it (the road, where it stands, what comes
// next). It is nil when the plan proposes nothing for the rollout.
func rolloutText(c *plans.ResourceChange) (head string, rest []string) {
	if !rolloutProposed(c) {
		return "", nil
	}
	s, sens := rolloutOf(c)
	if sens {
		return "rollout: (sensitive value)", nil
	}
	verb := "rolls out with"
	switch s.Action {
	case rolloutspec.ActionContinue:
		verb = "is rolling out with"
	case rolloutspec.ActionSupersede:
		verb = "rolls out a new revision with"
	case rolloutspec.ActionAbort:
		verb = "rolls back from"
	case rolloutspec.ActionHold:
		verb = "is Degraded under"
	}
	head = workloadOf(s) + " " + verb + " " + ruleOf(c, s) + " (" + strategyName(s.Strategy) + "):"
	if road := s.Road(); road != "" {
		rest = append(rest, road)
	}
	// Next says which revision a supersede replaces.
	switch s.Action {
	case rolloutspec.ActionContinue:
		rest = append(rest, standingLine(s))
	case rolloutspec.ActionAbort:
		if s.Message != "" {
			rest = append(rest, "because "+s.Message)
		}
	case rolloutspec.ActionHold:
		rest = append(rest, degradedLine(s))
	}
	if next := s.NextFor(c.Addr.String()); next != "" {
		rest = append(rest, next)
	}
	for i := range rest {
		rest[i] = printable(rest[i])
	}
	return printable(head), rest
}

// standingLine is where a rollout under way stands, with its analyses:
// "at step 3/6 (analysis errors), weight 20%; analysis errors:
// Successful (2 successful)".
func standingLine(s *rolloutspec.Status) string {
	line := s.Standing()
	if s.Phase == rolloutspec.PhaseProgressing || s.Phase == rolloutspec.PhasePaused {
		line = "at " + line
	}
	for _, a := range s.Analyses {
		line += "; " + a.Summary()
	}
	return line
}

// degradedLine says that an aborted revision holds, and why.
func degradedLine(s *rolloutspec.Status) string {
	line := "Degraded: the rollout of revision " + shortRev(s.Aborted) + " was aborted"
	if s.Message != "" {
		line += ": " + s.Message
	}
	return line
}

// workloadOf is the Deployment a rollout moves.
func workloadOf(s *rolloutspec.Status) string {
	if s.Workload == "" {
		return "the app's Deployment"
	}
	return s.Workload
}

// ruleOf is the rollout block a change follows, as an address.
func ruleOf(c *plans.ResourceChange, s *rolloutspec.Status) string {
	switch {
	case c.Rollout != "":
		return c.Rollout
	case strings.HasPrefix(s.Rollout, "rollout."):
		return s.Rollout // as the provider records it
	case s.Rollout != "":
		return "rollout." + s.Rollout
	}
	return "a rollout"
}

// strategyName is a strategy as people write it: "canary", "blue-green".
func strategyName(s string) string {
	if s == "" {
		return rolloutspec.Canary
	}
	return strings.ReplaceAll(s, "_", "-")
}

// shortRev is a revision hash cut to 10 characters, as rolloutspec
// words them.
func shortRev(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

// rolloutLines are rolloutText as comment lines at depth 0, as they
// stand under a change's own comment in the human view.
func rolloutLines(c *plans.ResourceChange) []line {
	head, rest := rolloutText(c)
	if head == "" {
		return nil
	}
	out := []line{commentLine(0, "# "+head)}
	for _, r := range rest {
		out = append(out, commentLine(0, "#   "+r))
	}
	return out
}

// readableRollout shows an app's strategy (its rollout attribute, the
// JSON slipway sends the provider) as its road, "rollout.canary:
// set_weight 20 -> pause 30s -> 100%", so that a plan that adds or
// changes one reads as such.
func readableRollout(c *plans.ResourceChange, v cty.Value) cty.Value {
	if c == nil || c.Type != builtin.KubernetesApp || v == cty.NilVal || v.IsNull() || !v.IsKnown() ||
		!v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppRollout) {
		return v
	}
	a := v.GetAttr(builtin.AppRollout)
	if a.IsMarked() || a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return v
	}
	spec, err := rolloutspec.DecodeSpec(a.AsString())
	if err != nil {
		return v
	}
	line := "rollout." + spec.Rollout + ": " + spec.Road()
	if spec.Workload != "" {
		line += " (" + spec.Workload + ")"
	}
	m := v.AsValueMap()
	m[builtin.AppRollout] = cty.StringVal(line)
	return cty.ObjectVal(m)
}
