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
	"sort"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Object builds a value of the schema's implied type from the attributes
// given; attributes left out are null. Values are converted to the
// attribute's type where cty can (a number for a string attribute, say).
func (s Schema) Object(attrs map[string]cty.Value) cty.Value {
	vals := make(map[string]cty.Value, len(s.Attributes))
	for name, a := range s.Attributes {
		v, ok := attrs[name]
		if !ok || v == cty.NilVal {
			vals[name] = cty.NullVal(a.Type)
			continue
		}
		if c, err := convert.Convert(v, a.Type); err == nil {
			v = c
		}
		vals[name] = v
	}
	return cty.ObjectVal(vals)
}

// ProposedNewState is config with the computed attributes it leaves null
// taken from prior: what the configuration asks for, before the provider
// has its say. It is what PlanRequest.ProposedNewState holds.
func ProposedNewState(schema Schema, prior, config cty.Value) cty.Value {
	if isNull(config) || !config.IsKnown() || isNull(prior) || !prior.IsKnown() {
		return config
	}
	vals := make(map[string]cty.Value, len(schema.Attributes))
	for name, a := range schema.Attributes {
		cv := attrOf(config, name, a.Type)
		if a.Computed && cv.IsNull() {
			vals[name] = attrOf(prior, name, a.Type)
			continue
		}
		vals[name] = cv
	}
	return cty.ObjectVal(vals)
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
	resp.RequiresReplace = nil
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

	names := make([]string, 0, len(schema.Attributes))
	for name := range schema.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)

	planned := make(map[string]cty.Value, len(names))
	for _, name := range names {
		a := schema.Attributes[name]
		v := attrOf(proposed, name, a.Type)
		if a.Computed && attrOf(req.Config, name, a.Type).IsNull() {
			if create {
				v = cty.UnknownVal(a.Type)
			} else {
				v = attrOf(req.PriorState, name, a.Type)
			}
		}
		planned[name] = v
	}
	if !create {
		for _, name := range names {
			a := schema.Attributes[name]
			if a.ForceNew && !planned[name].RawEquals(attrOf(req.PriorState, name, a.Type)) {
				resp.RequiresReplace = append(resp.RequiresReplace, cty.GetAttrPath(name))
			}
		}
		if len(resp.RequiresReplace) > 0 {
			for _, name := range names {
				a := schema.Attributes[name]
				if a.Computed && attrOf(req.Config, name, a.Type).IsNull() {
					planned[name] = cty.UnknownVal(a.Type)
				}
			}
		}
	}
	resp.PlannedState = cty.ObjectVal(planned)
}

// ValidateConfig makes the checks the SDK makes for a resource that does
// not implement ResourceWithValidate: every required attribute is set
// (unknown counts as set), and no attribute only the provider sets is
// written. A resource with its own Validate can call it first.
func ValidateConfig(schema Schema, config cty.Value) Diagnostics {
	var diags Diagnostics
	if isNull(config) || !config.IsKnown() {
		return diags
	}
	names := make([]string, 0, len(schema.Attributes))
	for name := range schema.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := schema.Attributes[name]
		v := attrOf(config, name, a.Type)
		switch {
		case a.Required && v.IsNull():
			diags.AddAttributeError(cty.GetAttrPath(name), "Missing required argument",
				"The argument \""+name+"\" is required, but no definition was found.")
		case a.Computed && !a.Optional && !a.Required && !v.IsNull():
			diags.AddAttributeError(cty.GetAttrPath(name), "Value for unconfigurable attribute",
				"The attribute \""+name+"\" is set by the provider and cannot be written in configuration; remove it.")
		}
	}
	return diags
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
