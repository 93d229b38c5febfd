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
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Object builds a value of the schema's implied type from the attributes
// given; attributes left out are null. Values are converted to the
// attribute's type where cty can (a number for a string attribute, say).
func (s Schema) Object(attrs map[string]cty.Value) cty.Value {
	vals := make(map[string]cty.Value, len(s.Attributes)+len(s.Blocks))
	types := s.ImpliedType().AttributeTypes()
	for name, ty := range types {
		v, ok := attrs[name]
		if !ok || v == cty.NilVal {
			vals[name] = cty.NullVal(ty)
			continue
		}
		if c, err := convert.Convert(v, ty); err == nil {
			v = c
		}
		vals[name] = v
	}
	return cty.ObjectVal(vals)
}

// ProposedNewState is config with the computed attributes it leaves null
// taken from prior, in nested blocks and objects too: what the
// configuration asks for, before the provider has its say. It is what
// PlanRequest.ProposedNewState holds. Nested objects take them from the
// prior object at the same index or key; a set's element, as Terraform
// pairs them, from a prior element it equals, else one that differs from
// it only in computed attributes it leaves null.
func ProposedNewState(schema Schema, prior, config cty.Value) cty.Value {
	if isNull(config) || !config.IsKnown() || isNull(prior) || !prior.IsKnown() {
		return config
	}
	pl := &planner{mode: proposeOnly}
	return pl.body(nil, schema.Attributes, schema.Blocks, config, prior, config)
}

// DefaultPlan fills resp with the plan the SDK makes for a resource that
// does not implement ResourceWithPlan, and the starting point the SDK hands
// to one that does:
//
//   - a null Config plans a delete (PlannedState null);
//   - otherwise PlannedState is ProposedNewState, where each computed
//     attribute the configuration leaves null is unknown on create and kept
//     from PriorState on update;
//   - on update, RequiresReplace lists the ForceNew attributes whose planned
//     value differs from (or may differ from, when unknown) the prior one,
//     and a replacement plans computed attributes unknown as on create.
//
// A resource whose computed attributes follow from others (a checksum of
// the content) implements ResourceWithPlan and sets them itself.
func DefaultPlan(schema Schema, req PlanRequest, resp *PlanResponse) {
	ty := schema.ImpliedType()
	resp.PlannedPrivate = req.PriorPrivate
	resp.RequiresReplace, resp.ReplaceReasons = nil, nil
	if isNull(req.Config) {
		resp.PlannedState = cty.NullVal(ty)
		return
	}
	proposed := req.ProposedNewState
	if isNull(proposed) {
		proposed = ProposedNewState(schema, req.PriorState, req.Config)
	}
	if !proposed.IsKnown() || !req.Config.IsKnown() {
		resp.PlannedState = proposed
		return
	}
	create := isNull(req.PriorState) || !req.PriorState.IsKnown()
	pl := &planner{mode: fullPlan, create: create}
	planned := pl.body(nil, schema.Attributes, schema.Blocks, req.Config, req.PriorState, proposed)
	resp.Diagnostics = append(resp.Diagnostics, pl.diags...)
	if len(pl.requiresReplace) > 0 {
		resp.RequiresReplace, resp.ReplaceReasons = pl.requiresReplace, pl.reasons
		// The object is made anew: plan it as a create.
		fresh := &planner{mode: fullPlan, create: true}
		planned = fresh.body(nil, schema.Attributes, schema.Blocks, req.Config, cty.NullVal(ty), req.Config)
	}
	resp.PlannedState = planned
}

// keepStateForUnknown applies UseStateForUnknown to a plan a resource's
// Plan method made.
func keepStateForUnknown(schema Schema, req PlanRequest, planned cty.Value, replacing bool) cty.Value {
	if replacing || isNull(req.PriorState) || isNull(planned) || !hasKeepState(schema.Attributes, schema.Blocks) {
		return planned
	}
	pl := &planner{mode: keepState}
	return pl.body(nil, schema.Attributes, schema.Blocks, req.Config, req.PriorState, planned)
}

// ValidateConfig makes the checks the SDK makes for a resource that does
// not implement ResourceWithValidate: every required attribute is set
// (unknown counts as set), and no attribute only the provider sets is
// written. A resource with its own Validate can call it first.
func ValidateConfig(schema Schema, config cty.Value) Diagnostics {
	var diags Diagnostics
	checkBody(nil, schema.Attributes, schema.Blocks, config, &diags)
	return diags
}

func checkBody(path cty.Path, attrs map[string]Attribute, blocks map[string]Block, obj cty.Value, diags *Diagnostics) {
	obj, _ = obj.Unmark()
	if isNull(obj) || !obj.IsKnown() || !obj.Type().IsObjectType() {
		return
	}
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		v := attrOf(obj, name, a.ImpliedType())
		switch {
		case a.Required && v.IsNull():
			diags.AddAttributeError(p, "Missing required argument",
				"The argument \""+name+"\" is required, but no definition was found.")
		case a.Computed && !a.Optional && !a.Required && !v.IsNull():
			diags.AddAttributeError(p, "Value for unconfigurable attribute",
				"The attribute \""+name+"\" is set by the provider and cannot be written in configuration; remove it.")
		case a.Nested != nil:
			checkNested(p, name, a.Nested.Nesting, a.Nested.Attributes, nil, 0, 0, v, diags)
		}
	}
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		checkNested(p, name, b.Nesting, b.Attributes, b.Blocks, b.MinItems, b.MaxItems, attrOf(obj, name, b.ImpliedType()), diags)
	}
}

func checkNested(p cty.Path, name string, n Nesting, attrs map[string]Attribute, blocks map[string]Block, minItems, maxItems int, v cty.Value, diags *Diagnostics) {
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return
	}
	if n == NestingSingle {
		if v.IsNull() && minItems > 0 {
			diags.AddAttributeError(p, "Missing required block",
				fmt.Sprintf("A %q block is required here.", name))
		}
		checkBody(p, attrs, blocks, v, diags)
		return
	}
	count := 0
	if !v.IsNull() {
		count = v.LengthInt()
	}
	switch {
	case minItems > 0 && count < minItems:
		diags.AddAttributeError(p, "Too few blocks",
			fmt.Sprintf("At least %d %q blocks are required here; %d are written.", minItems, name, count))
	case maxItems > 0 && count > maxItems:
		diags.AddAttributeError(p, "Too many blocks",
			fmt.Sprintf("At most %d %q blocks are allowed here; %d are written.", maxItems, name, count))
	}
	if v.IsNull() {
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		ep := p
		if n != NestingSet {
			ep = append(p.Copy(), cty.IndexStep{Key: k})
		}
		checkBody(ep, attrs, blocks, ev, diags)
	}
}

// isNull reports whether v is cty.NilVal or null.
func isNull(v cty.Value) bool {
	return v == cty.NilVal || v.IsNull()
}

// attrOf returns attribute name of obj, or a null of ty when obj is null,
// unknown or lacks it.
func attrOf(obj cty.Value, name string, ty cty.Type) cty.Value {
	if isNull(obj) {
		return cty.NullVal(ty)
	}
	if !obj.IsKnown() {
		return cty.UnknownVal(ty)
	}
	if !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(ty)
	}
	return obj.GetAttr(name)
}
