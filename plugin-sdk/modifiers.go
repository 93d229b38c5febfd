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

package sdk

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// PlanModifier adjusts the planned value of one attribute. The SDK runs
// an attribute's modifiers in its default plan (DefaultPlan), after
// defaults, so a resource's Plan method starts from their result. A
// panic in one, when the SDK plans, is an error of the instance it was
// planning, not the end of the process.
type PlanModifier interface {
	// Description says what the modifier does, for the generated
	// reference ("changing it replaces the object").
	Description() string
	PlanModify(req PlanModifyRequest, resp *PlanModifyResponse)
}

// PlanModifyRequest is one attribute's values in a plan.
type PlanModifyRequest struct {
	Path cty.Path
	// Config is the configured value, Prior the value in state (null on
	// create) and Planned the value planned so far.
	Config, Prior, Planned cty.Value
	// Create says the object is new (or being replaced).
	Create bool
}

// PlanModifyResponse is what a modifier decides. It arrives with Planned
// set to the request's.
type PlanModifyResponse struct {
	Planned cty.Value
	// RequiresReplace says the change of this attribute replaces the
	// object; Reason says why, and the plan shows it beside the
	// attribute ("# forces replacement: <reason>").
	RequiresReplace bool
	Reason          string
	Diagnostics     Diagnostics
}

type requiresReplace struct{ reason string }

// RequiresReplace makes a change of the attribute replace the object, as
// ForceNew does, and says why in the plan: reason is a short phrase ("the
// API cannot rename a repository").
func RequiresReplace(reason string) PlanModifier { return requiresReplace{reason} }

func (m requiresReplace) Description() string {
	if m.reason == "" {
		return "changing it replaces the object"
	}
	return "changing it replaces the object (" + m.reason + ")"
}

func (m requiresReplace) PlanModify(req PlanModifyRequest, resp *PlanModifyResponse) {
	if !req.Create && !req.Planned.RawEquals(req.Prior) {
		resp.RequiresReplace, resp.Reason = true, m.reason
	}
}

type useStateForUnknown struct{}

// UseStateForUnknown keeps a computed attribute's prior value in the plan
// of an update instead of "(known after apply)", when the configuration
// leaves it to the provider: for values that never change once set, such
// as an ID. The SDK applies it again after a resource's Plan method, so a
// Plan that marks every computed value unknown on update need not make
// exceptions.
func UseStateForUnknown() PlanModifier { return useStateForUnknown{} }

func (useStateForUnknown) Description() string {
	return "keeps its value from state once it is known"
}

func (useStateForUnknown) PlanModify(req PlanModifyRequest, resp *PlanModifyResponse) {
	if req.Create || isNull(req.Prior) || !req.Prior.IsWhollyKnown() || !isNull(req.Config) {
		return
	}
	if !req.Planned.IsKnown() {
		resp.Planned = req.Prior
	}
}

// planMode says what planBody does beyond taking computed values the
// configuration leaves null from prior.
type planMode int

const (
	// proposeOnly: nothing more (ProposedNewState).
	proposeOnly planMode = iota
	// fullPlan: computed values without a prior value are unknown,
	// defaults apply, modifiers run, ForceNew attributes ask for
	// replacement (DefaultPlan).
	fullPlan
	// keepState: only UseStateForUnknown runs, on a plan a resource's
	// Plan method made.
	keepState
)

// planner is one walk of planBody.
type planner struct {
	mode            planMode
	create          bool
	requiresReplace []cty.Path
	reasons         []string
	diags           Diagnostics
}

// body plans one object of a body: planned is the value planned so far
// (for proposeOnly and fullPlan, the configuration itself).
func (pl *planner) body(path cty.Path, attrs map[string]Attribute, blocks map[string]Block, config, prior, planned cty.Value) cty.Value {
	if isNull(planned) || !planned.IsKnown() || !planned.Type().IsObjectType() {
		return planned
	}
	planned, marks := planned.Unmark()
	m := planned.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		ty := a.ImpliedType()
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		cv, pv := attrOf(config, name, ty), attrOf(prior, name, ty)
		v, ok := m[name]
		if !ok {
			v = cty.NullVal(ty)
		}
		if pl.mode != keepState && a.Computed && cv.IsNull() {
			switch {
			case !pl.create && !isNull(prior):
				v = pv
			case pl.mode == fullPlan:
				v = cty.UnknownVal(ty)
			}
			if pl.mode == fullPlan && a.Default != cty.NilVal {
				if dv, err := convert.Convert(a.Default, ty); err == nil {
					v = dv
				}
			}
		}
		if a.Nested != nil && pl.mode != keepState {
			v = pl.nested(p, a.Nested.Nesting, a.Nested.Attributes, nil, cv, pv, v)
		}
		if pl.mode != proposeOnly {
			v = pl.modify(p, a, cv, pv, v)
		}
		m[name] = v
	}
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		ty := b.ImpliedType()
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		v, ok := m[name]
		if !ok {
			v = cty.NullVal(ty)
		}
		m[name] = pl.nested(p, b.Nesting, b.Attributes, b.Blocks, attrOf(config, name, ty), attrOf(prior, name, ty), v)
	}
	return cty.ObjectVal(m).WithMarks(marks)
}

// nested plans the objects of a nested block or attribute, each against
// the configured and prior objects at the same index or key. A set's
// elements have neither: each is paired with the configured element it
// was planned from, and that with the prior element it may have become
// (see pairSet).
func (pl *planner) nested(p cty.Path, n Nesting, attrs map[string]Attribute, blocks map[string]Block, config, prior, planned cty.Value) cty.Value {
	if isNull(planned) || !planned.IsKnown() {
		return planned
	}
	planned, marks := planned.Unmark()
	config, _ = config.Unmark()
	prior, _ = prior.Unmark()
	if n == NestingSingle {
		return pl.body(p, attrs, blocks, config, prior, planned).WithMarks(marks)
	}
	ety := planned.Type().ElementType()
	if planned.LengthInt() == 0 {
		return planned.WithMarks(marks)
	}
	elem := func(coll, key cty.Value) cty.Value {
		if isNull(coll) || !coll.IsKnown() {
			return cty.NullVal(ety)
		}
		if has := coll.HasIndex(key); !has.IsKnown() || has.False() {
			return cty.NullVal(ety)
		}
		return coll.Index(key)
	}
	var setConfig, setPrior []cty.Value
	if n == NestingSet {
		setConfig, setPrior = pairSet(attrs, blocks, planned, config, prior)
	}
	var list []cty.Value
	vmap := map[string]cty.Value{}
	i := 0
	for it := planned.ElementIterator(); it.Next(); i++ {
		k, ev := it.Element()
		ep := p
		var ce, pe cty.Value
		if n == NestingSet {
			ce, pe = setConfig[i], setPrior[i]
		} else {
			ep = append(p.Copy(), cty.IndexStep{Key: k})
			ce, pe = elem(config, k), elem(prior, k)
		}
		sub := *pl
		sub.requiresReplace, sub.reasons, sub.diags = nil, nil, nil
		nv := sub.body(ep, attrs, blocks, ce, pe, ev)
		for j, rp := range sub.requiresReplace {
			pl.replace(rp, sub.reasons[j])
		}
		pl.diags = append(pl.diags, sub.diags...)
		if n == NestingMap {
			vmap[k.AsString()] = nv
		} else {
			list = append(list, nv)
		}
	}
	var out cty.Value
	switch {
	case n == NestingMap:
		out = cty.MapVal(vmap)
	case n == NestingSet:
		out = cty.SetVal(list)
	default:
		out = cty.ListVal(list)
	}
	return out.WithMarks(marks)
}

// pairSet pairs the elements of planned, a set of objects of attrs and
// blocks, in the order ElementIterator gives them, with their partners
// in config and prior (null where there is none), as Terraform's
// objchange.ProposedNew does. A set element is known by its value alone,
// and the values differ: the configured element leaves its computed
// attributes null where the prior one has them set, and the planned one
// has them taken from prior, or unknown. So a planned element's
// configured partner is one it may have been planned from, and the prior
// partner one that configured element may have become: they differ
// only in computed attributes the configured element leaves null
// (derived). An equal element is preferred, and none is paired twice.
// A planned element without a configured partner (one a resource's Plan
// added) pairs with the prior element it may have become.
func pairSet(attrs map[string]Attribute, blocks map[string]Block, planned, config, prior cty.Value) (configs, priors []cty.Value) {
	ety := planned.Type().ElementType()
	elems := setElems(planned)
	configs = pairUp(elems, setElems(config), ety, func(e, c cty.Value) bool { return derived(attrs, blocks, e, c) })
	from := make([]cty.Value, len(elems))
	for i, c := range configs {
		if from[i] = c; c.IsNull() {
			from[i] = elems[i]
		}
	}
	priors = pairUp(from, setElems(prior), ety, func(e, pv cty.Value) bool { return derived(attrs, blocks, pv, e) })
	return configs, priors
}

// setElems is the elements of a known set, without marks; none for a
// null or unknown one.
func setElems(set cty.Value) []cty.Value {
	set, _ = set.UnmarkDeep()
	if isNull(set) || !set.IsKnown() || !set.CanIterateElements() {
		return nil
	}
	return set.AsValueSlice()
}

// pairUp gives each of elems a partner among candidates: an equal one
// first, else one that fits; each candidate pairs once. An element
// without a partner has a null of ety.
func pairUp(elems, candidates []cty.Value, ety cty.Type, fits func(elem, candidate cty.Value) bool) []cty.Value {
	out := make([]cty.Value, len(elems))
	used := make([]bool, len(candidates))
	find := func(i int, e cty.Value, match func(e, c cty.Value) bool) cty.Value {
		// Equal sets list their elements in the same order: the
		// candidate at the same place is tried first.
		if i < len(candidates) && !used[i] && match(e, candidates[i]) {
			used[i] = true
			return candidates[i]
		}
		for j, c := range candidates {
			if !used[j] && match(e, c) {
				used[j] = true
				return c
			}
		}
		return cty.NilVal
	}
	for i, e := range elems {
		out[i] = find(i, e, cty.Value.RawEquals)
	}
	for i, e := range elems {
		if out[i] == cty.NilVal {
			if out[i] = find(i, e, fits); out[i] == cty.NilVal {
				out[i] = cty.NullVal(ety)
			}
		}
	}
	return out
}

// derived reports whether v, an object of attrs and blocks, may have
// been planned from base: they differ only in computed attributes that
// base leaves null, in nested blocks and objects too. Unknown values in
// base stand for themselves alone.
func derived(attrs map[string]Attribute, blocks map[string]Block, v, base cty.Value) bool {
	if v.RawEquals(base) {
		return true
	}
	if isNull(v) || isNull(base) || !v.IsKnown() || !base.IsKnown() {
		return false
	}
	for name, a := range attrs {
		ty := a.ImpliedType()
		av, bv := attrOf(v, name, ty), attrOf(base, name, ty)
		switch {
		case av.RawEquals(bv), a.Computed && bv.IsNull():
		case a.Nested != nil && nestedDerived(a.Nested.Nesting, a.Nested.Attributes, nil, av, bv):
		default:
			return false
		}
	}
	for name, b := range blocks {
		ty := b.ImpliedType()
		if !nestedDerived(b.Nesting, b.Attributes, b.Blocks, attrOf(v, name, ty), attrOf(base, name, ty)) {
			return false
		}
	}
	return true
}

// nestedDerived is derived for the value of a nested block or attribute:
// objects pair by index or key, a set's elements as pairUp pairs them.
func nestedDerived(n Nesting, attrs map[string]Attribute, blocks map[string]Block, v, base cty.Value) bool {
	if v.RawEquals(base) {
		return true
	}
	if isNull(v) || isNull(base) || !v.IsKnown() || !base.IsKnown() {
		return false
	}
	if n == NestingSingle {
		return derived(attrs, blocks, v, base)
	}
	if v.LengthInt() != base.LengthInt() {
		return false
	}
	if n == NestingSet {
		vs := v.AsValueSlice()
		pairs := pairUp(vs, base.AsValueSlice(), base.Type().ElementType(), func(e, c cty.Value) bool { return derived(attrs, blocks, e, c) })
		for _, pv := range pairs {
			if pv.IsNull() {
				return false
			}
		}
		return true
	}
	for it := base.ElementIterator(); it.Next(); {
		k, bv := it.Element()
		if has := v.HasIndex(k); !has.IsKnown() || has.False() || !derived(attrs, blocks, v.Index(k), bv) {
			return false
		}
	}
	return true
}

// modify runs an attribute's modifiers (only UseStateForUnknown in
// keepState) and its ForceNew.
func (pl *planner) modify(p cty.Path, a Attribute, config, prior, planned cty.Value) cty.Value {
	for _, mod := range a.PlanModifiers {
		if _, ok := mod.(useStateForUnknown); pl.mode == keepState && !ok {
			continue
		}
		resp := PlanModifyResponse{Planned: planned}
		mod.PlanModify(PlanModifyRequest{Path: p, Config: config, Prior: prior, Planned: planned, Create: pl.create}, &resp)
		for _, d := range resp.Diagnostics {
			if len(d.Attribute) == 0 {
				d.Attribute = p
			}
			pl.diags = append(pl.diags, d)
		}
		if resp.Planned != cty.NilVal {
			planned = resp.Planned
		}
		if resp.RequiresReplace {
			pl.replace(p, resp.Reason)
		}
	}
	if pl.mode == fullPlan && a.ForceNew && !pl.create && !planned.RawEquals(prior) {
		pl.replace(p, "")
	}
	return planned
}

func (pl *planner) replace(p cty.Path, reason string) {
	for i, q := range pl.requiresReplace {
		if q.Equals(p) {
			if pl.reasons[i] == "" {
				pl.reasons[i] = reason
			}
			return
		}
	}
	pl.requiresReplace = append(pl.requiresReplace, p)
	pl.reasons = append(pl.reasons, reason)
}

// hasKeepState reports whether any attribute of a body uses
// UseStateForUnknown, so the SDK can skip the walk after Plan.
func hasKeepState(attrs map[string]Attribute, blocks map[string]Block) bool {
	for _, a := range attrs {
		for _, m := range a.PlanModifiers {
			if _, ok := m.(useStateForUnknown); ok {
				return true
			}
		}
		if a.Nested != nil && hasKeepState(a.Nested.Attributes, nil) {
			return true
		}
	}
	for _, b := range blocks {
		if hasKeepState(b.Attributes, b.Blocks) {
			return true
		}
	}
	return false
}
