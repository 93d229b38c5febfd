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
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

// A trigger is one replace_triggered_by entry as one instance reads it,
// as in Terraform: a resource (any of its instances changing replaces),
// an instance (file.cfg[count.index]: that one), either with an
// attribute (file.cfg.content: only a change of that attribute).
type trigger struct {
	res    addrs.Resource
	key    addrs.InstanceKey
	anyKey bool
	attr   string
}

// resolveTrigger reads entry e of replace_triggered_by for instance in:
// count.index and each.key in an index are the instance's. ok is false
// for an expression that is not one of those forms (validation reports
// it).
func (w *planWalk) resolveTrigger(e hcl.Expression, in kind.Instance) (t trigger, ok bool) {
	attrOf := func(tr hcl.Traversal) (string, bool) {
		if len(tr) == 0 {
			return "", true
		}
		a, ok := tr[0].(hcl.TraverseAttr)
		return a.Name, ok
	}
	if tr, d := hcl.AbsTraversalForExpr(e); !d.HasErrors() {
		ref, d := addrs.ParseRef(tr)
		if d.HasErrors() {
			return t, false
		}
		switch s := ref.Subject.(type) {
		case addrs.Resource:
			t.res, t.anyKey = s, true
		case addrs.ResourceInstance:
			t.res, t.key = s.Resource, s.Key
		default:
			return t, false
		}
		t.attr, ok = attrOf(ref.Remaining)
		return t, ok
	}
	var rest hcl.Traversal
	if rt, isRel := e.(*hclsyntax.RelativeTraversalExpr); isRel {
		e, rest = rt.Source, rt.Traversal
	}
	ix, isIndex := e.(*hclsyntax.IndexExpr)
	if !isIndex {
		return t, false
	}
	tr, d := hcl.AbsTraversalForExpr(ix.Collection)
	if d.HasErrors() {
		return t, false
	}
	ref, d := addrs.ParseRef(tr)
	if d.HasErrors() {
		return t, false
	}
	r, isRes := ref.Subject.(addrs.Resource)
	if !isRes || len(ref.Remaining) > 0 {
		return t, false
	}
	refs, _ := lang.ReferencesInExpr(ix.Key)
	kv, d := ix.Key.Value(w.scope.evalContext(refs, repOf(in)))
	if d.HasErrors() || !kv.IsWhollyKnown() {
		return t, false
	}
	key, err := addrs.KeyFromValue(kv)
	if err != nil {
		return t, false
	}
	t.res, t.key = r, key
	t.attr, ok = attrOf(rest)
	return t, ok
}

// fires reports whether ch, a change this plan makes of an instance the
// trigger names, replaces the instance: any change does, and with an
// attribute, one that changes it (or leaves it unknown until apply).
func (t trigger) fires(ch *plans.ResourceChange) bool {
	if ch == nil || ch.Action == plans.NoOp || ch.Action == plans.Read {
		return false
	}
	if t.attr == "" || ch.Action != plans.Update {
		return true
	}
	get := func(v cty.Value) (cty.Value, bool) {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(t.attr) {
			return cty.NilVal, false
		}
		return v.GetAttr(t.attr), true
	}
	b, okB := get(ch.Before)
	a, okA := get(ch.After)
	if !okB || !okA {
		return okB != okA
	}
	return !a.IsWhollyKnown() || !kind.SameValue(b, a)
}

// triggeredFor names the first entry of rc's replace_triggered_by that
// replaces instance in, or "": what it names is planned before rc, since
// the expressions are among rc's references.
func (w *planWalk) triggeredFor(rc *lang.Resource, in kind.Instance) string {
	for _, e := range rc.Lifecycle.ReplaceTriggeredBy {
		t, ok := w.resolveTrigger(e, in)
		if !ok {
			continue
		}
		w.mu.Lock()
		var hit *plans.ResourceChange
		if t.anyKey {
			for _, ch := range w.changedOf[t.res] {
				if t.fires(ch) {
					hit = ch
					break
				}
			}
		} else if ch := w.changedInst[t.res.Instance(t.key).String()]; t.fires(ch) {
			hit = ch
		}
		w.mu.Unlock()
		if hit != nil {
			name := t.res.String()
			if !t.anyKey {
				name = hit.Addr.String()
			}
			if t.attr != "" {
				name += "." + t.attr
			}
			return name
		}
	}
	return ""
}
