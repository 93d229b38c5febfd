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
	m := ch.After.AsValueMap()
	for _, name := range []string{builtin.AppRevision, builtin.AppManifestsDir, builtin.HelmChartDir} {
		if v, ok := m[name]; ok {
			m[name] = cty.UnknownVal(v.Type())
		}
	}
	if objs, ok := m[builtin.AppObjects]; ok {
		switch {
		case other:
			m[builtin.AppObjects] = cty.UnknownVal(cty.DynamicPseudoType)
		case objs.IsKnown() && !objs.IsNull():
			m[builtin.AppObjects], _ = cty.Transform(objs, func(p cty.Path, v cty.Value) (cty.Value, error) {
				if v.IsKnown() && !v.IsNull() && v.Type() == cty.String && isImageOf(v.AsString(), images) {
					return cty.UnknownVal(cty.String), nil
				}
				return v, nil
			})
		}
	}
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
