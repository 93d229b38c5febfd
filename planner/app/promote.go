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

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

// afterPromote adjusts an app's planned change for a source that a
// pipeline of this plan will commit to: the revision and the manifests
// it reads are known only after the promote, and so are the image
// references the promote rewrites (or, for other edits, all its objects).
// apply plans the app again at the new commit and holds it to the rest.
func afterPromote(ch *plans.ResourceChange, src addrs.Resource, pws []kind.Write) {
	if ch.After.IsNull() || !ch.After.IsKnown() {
		return
	}
	var images []string
	other := false
	var by []string
	for _, pw := range pws {
		images = append(images, pw.Images...)
		other = other || pw.Other
		by = append(by, pw.By.String())
	}
	if ch.Action == plans.NoOp && !other && !holdsImageOf(ch.After, images) {
		// The promote rewrites images this app does not run: its objects
		// stay as they are, and a new commit alone is no change of it
		// (the revision is Provenance). The next plan records it.
		return
	}
	m := ch.After.AsValueMap()
	for _, name := range []string{builtin.AppRevision, builtin.AppManifestsDir, builtin.HelmChartDir} {
		if v, ok := m[name]; ok {
			m[name] = cty.UnknownVal(v.Type())
		}
	}
	promoted := map[string]bool{} // objects whose image the promote rewrites
	if objs, ok := m[builtin.AppObjects]; ok {
		switch {
		case other:
			m[builtin.AppObjects] = cty.UnknownVal(cty.DynamicPseudoType)
		case objs.IsKnown() && !objs.IsNull():
			m[builtin.AppObjects], _ = cty.Transform(objs, func(p cty.Path, v cty.Value) (cty.Value, error) {
				if v.IsKnown() && !v.IsNull() && v.Type() == cty.String && isImageOf(v.AsString(), images) {
					if len(p) > 0 {
						promoted[objectKey(p[0])] = true
					}
					return cty.UnknownVal(cty.String), nil
				}
				return v, nil
			})
		}
	}
	if objs, ok := m[builtin.AppObjects]; ok && len(promoted) > 0 && objs.IsKnown() && !objs.IsNull() {
		// The revision a rollout's Deployment carries is a digest of its
		// template, which the promote rewrites.
		m[builtin.AppObjects], _ = cty.Transform(objs, func(p cty.Path, v cty.Value) (cty.Value, error) {
			if len(p) < 2 || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
				return v, nil
			}
			if objectKey(p[len(p)-1]) != builtin.RolloutRevisionAnnotation {
				return v, nil
			}
			if promoted[objectKey(p[0])] {
				return cty.UnknownVal(cty.String), nil
			}
			return v, nil
		})
	}
	afterPromoteRollout(m, ch.Before, ch.Action, other, promoted)
	ch.After = cty.ObjectVal(m)
	why := fmt.Sprintf("%s will move: %s promotes to it", src, strings.Join(by, ", "))
	switch ch.Action {
	case plans.NoOp:
		ch.Action, ch.Reason, ch.ReasonDetail = plans.Update, plans.ReasonInputsChanged, why
	case plans.Create:
		if ch.ReasonDetail == "" {
			ch.ReasonDetail = "it is new; " + why
		}
	default:
		if ch.ReasonDetail == "" {
			ch.ReasonDetail = why
		} else {
			ch.ReasonDetail += "; " + why
		}
	}
}

// holdsImageOf reports whether an app's planned objects may hold a
// reference to an image of one of the repositories: one does, or they are
// not all known.
func holdsImageOf(app cty.Value, repos []string) bool {
	if !app.Type().IsObjectType() || !app.Type().HasAttribute(builtin.AppObjects) {
		return true
	}
	objs := app.GetAttr(builtin.AppObjects)
	if !objs.IsWhollyKnown() {
		return true
	}
	found := false
	_ = cty.Walk(objs, func(_ cty.Path, v cty.Value) (bool, error) {
		if found {
			return false, nil
		}
		v, _ = v.Unmark()
		if !v.IsNull() && v.Type() == cty.String && isImageOf(v.AsString(), repos) {
			found = true
		}
		return !found, nil
	})
	return found
}

// isImageOf reports whether ref names an image of one of the
// repositories: the repository itself, or it with a tag or digest.
func isImageOf(ref string, repos []string) bool {
	for _, r := range repos {
		if ref == r || strings.HasPrefix(ref, r+":") || strings.HasPrefix(ref, r+"@") {
			return true
		}
	}
	return false
}

// afterPromoteRollout adjusts an app's rollout for a promote planned
// before it: where the rollout will stand is known after apply, and when
// the promote rewrites the image of the rollout's Deployment (an update,
// not the first sync), the plan shows the road the new revision takes.
func afterPromoteRollout(m map[string]cty.Value, before cty.Value, action plans.Action, other bool, promoted map[string]bool) {
	st, ok := m[builtin.AppRolloutStatus]
	if !ok {
		return
	}
	spec := kind.AttrOr(cty.ObjectVal(m), builtin.AppRollout, cty.NullVal(cty.String))
	if spec.IsNull() || !spec.IsKnown() {
		return
	}
	m[builtin.AppRolloutStatus] = cty.UnknownVal(st.Type())
	if action == plans.Create {
		return
	}
	s, err := rolloutspec.DecodeSpec(spec.AsString())
	if err != nil {
		return
	}
	rolls := other
	for id := range promoted {
		kindName := strings.Fields(id)
		if len(kindName) == 3 && kindName[1] == "Deployment" {
			_, name, _ := strings.Cut(kindName[2], "/")
			rolls = rolls || s.Workload == "" || s.Workload == "Deployment/"+name
		}
	}
	if !rolls {
		return
	}
	if p := statusOf(cty.ObjectVal(m), builtin.AppRolloutPlan); p != nil && p.Action == rolloutspec.ActionAbort {
		return // the plan rolls the app back (slipway rollout abort): it says so
	}
	workload := s.Workload
	if workload == "" {
		workload = "its Deployment"
	}
	proposal := rolloutspec.Status{
		Rollout: "rollout." + s.Rollout, Strategy: s.Strategy(), Workload: workload,
		Phase: rolloutspec.PhasePlanned, Action: rolloutspec.ActionStart, Steps: s.Steps(),
	}
	if other {
		proposal.Message = "the promote may change the pod template; if it does, this is the road"
	}
	if prior := statusOf(before, builtin.AppRolloutStatus); prior != nil && (prior.Phase == rolloutspec.PhaseProgressing || prior.Phase == rolloutspec.PhasePaused) {
		// A rollout is under way: the promote's revision replaces it.
		proposal.Action, proposal.Superseded = rolloutspec.ActionSupersede, prior.Revision
	}
	m[builtin.AppRolloutPlan] = cty.StringVal(proposal.Encode())
}

// objectKey is the object ID a step into an app's objects names.
func objectKey(s cty.PathStep) string {
	switch st := s.(type) {
	case cty.GetAttrStep:
		return st.Name
	case cty.IndexStep:
		if st.Key.Type() == cty.String && st.Key.IsKnown() {
			return st.Key.AsString()
		}
	}
	return ""
}
