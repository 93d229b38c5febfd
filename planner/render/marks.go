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
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

// The plan and state models never hold marked values; sensitivity travels
// as paths beside them. A marked value would make cty panic in the middle
// of a view, so the views strip marks first, and take every marked place
// to be sensitive: if a mark is there, it is most likely the sensitive one.

func hasMarks(v cty.Value) bool { return v != cty.NilVal && v.ContainsMarked() }

func unmark(v cty.Value, sens []cty.Path) (cty.Value, []cty.Path) {
	if !hasMarks(v) {
		return v, sens
	}
	v, pvms := v.UnmarkDeepWithPaths()
	out := append([]cty.Path(nil), sens...)
	for _, pvm := range pvms {
		out = append(out, pvm.Path)
	}
	return v, out
}

// unmarkChange returns c, or a copy of it without marks.
func unmarkChange(c *plans.ResourceChange) *plans.ResourceChange {
	marked := hasMarks(c.Before) || hasMarks(c.After)
	for _, n := range c.Nested {
		if n != nil && (hasMarks(n.Before) || hasMarks(n.After)) {
			marked = true
		}
	}
	if !marked {
		return c
	}
	cc := *c
	cc.Before, cc.BeforeSensitive = unmark(c.Before, c.BeforeSensitive)
	cc.After, cc.AfterSensitive = unmark(c.After, c.AfterSensitive)
	cc.Nested = make([]*plans.NestedChange, len(c.Nested))
	for i, n := range c.Nested {
		if n == nil {
			continue
		}
		nc := *n
		nc.Before, nc.BeforeSensitive = unmark(n.Before, n.BeforeSensitive)
		nc.After, nc.AfterSensitive = unmark(n.After, n.AfterSensitive)
		cc.Nested[i] = &nc
	}
	return &cc
}

// unmarkOutput returns o, or a copy of it without marks, sensitive if it
// had any.
func unmarkOutput(o *plans.OutputChange) *plans.OutputChange {
	if !hasMarks(o.Before) && !hasMarks(o.After) {
		return o
	}
	oc := *o
	if hasMarks(o.Before) {
		oc.Before, _ = o.Before.UnmarkDeep()
	}
	if hasMarks(o.After) {
		oc.After, _ = o.After.UnmarkDeep()
	}
	oc.Sensitive = true
	return &oc
}

// unmarkResource returns r, or a copy of it without marks.
func unmarkResource(r *state.ResourceInstance) *state.ResourceInstance {
	if !hasMarks(r.Value) {
		return r
	}
	rc := *r
	rc.Value, rc.Sensitive = unmark(r.Value, r.Sensitive)
	return &rc
}

// unmarkStateOutput returns o, or a copy of it without marks, sensitive if
// it had any.
func unmarkStateOutput(o *state.Output) *state.Output {
	if !hasMarks(o.Value) {
		return o
	}
	oc := *o
	oc.Value, _ = o.Value.UnmarkDeep()
	oc.Sensitive = true
	return &oc
}
