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
	"fmt"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// decodeSpec is the hcldec spec of the attributes and nested blocks a
// user may write.
func decodeSpec(s sdk.Schema) hcldec.ObjectSpec {
	return bodySpec(s.Attributes, s.Blocks)
}

func bodySpec(attrs map[string]sdk.Attribute, blocks map[string]sdk.Block) hcldec.ObjectSpec {
	spec := hcldec.ObjectSpec{}
	for name, a := range attrs {
		if a.Computed && !a.Optional && !a.Required {
			continue
		}
		spec[name] = &hcldec.AttrSpec{Name: name, Type: configType(a), Required: a.Required}
	}
	for name, b := range blocks {
		nested := bodySpec(b.Attributes, b.Blocks)
		switch b.Nesting {
		case sdk.NestingSingle:
			spec[name] = &hcldec.BlockSpec{TypeName: name, Nested: nested, Required: b.MinItems > 0}
		case sdk.NestingList:
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
		case sdk.NestingSet:
			spec[name] = &hcldec.BlockSetSpec{TypeName: name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
		case sdk.NestingMap:
			spec[name] = &hcldec.BlockMapSpec{TypeName: name, LabelNames: []string{"key"}, Nested: nested}
		}
	}
	return spec
}

// configType is the type an attribute's expression is converted to: for
// nested attributes, objects whose attributes other than the required
// ones may be left out (`limits = { rate = 5 }`).
func configType(a sdk.Attribute) cty.Type {
	if a.Nested == nil {
		return a.Type
	}
	atys := map[string]cty.Type{}
	var optional []string
	for name, na := range a.Nested.Attributes {
		atys[name] = configType(na)
		if !na.Required {
			optional = append(optional, name)
		}
	}
	obj := cty.ObjectWithOptionalAttrs(atys, optional)
	switch a.Nested.Nesting {
	case sdk.NestingList:
		return cty.List(obj)
	case sdk.NestingSet:
		return cty.Set(obj)
	case sdk.NestingMap:
		return cty.Map(obj)
	}
	return obj
}

// fillObject gives v the schema's implied type: every attribute, null
// where v lacks it, in nested blocks and objects too.
func fillObject(s sdk.Schema, v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	out, err := s.Conform(v)
	if err != nil {
		// A value that does not fit is reported where it is used.
		return v
	}
	return out
}

// proposedNew is the configuration with computed attributes the user left
// null taken from prior: what the object would be if the provider changed
// nothing on its own.
func proposedNew(s sdk.Schema, prior, config cty.Value) cty.Value {
	return sdk.ProposedNewState(s, prior, config)
}

// ignoreChanges keeps prior's value for the named top-level attributes.
func ignoreChanges(config, prior cty.Value, names []string) cty.Value {
	if len(names) == 0 || prior.IsNull() || config.IsNull() || !config.IsKnown() {
		return config
	}
	m := config.AsValueMap()
	for _, n := range names {
		if prior.Type().HasAttribute(n) {
			m[n] = prior.GetAttr(n)
		}
	}
	return cty.ObjectVal(m)
}

// withoutLocal is v with the schema's Local attributes null: what is
// left to compare when a difference in those alone is never a change.
func withoutLocal(s sdk.Schema, v cty.Value) cty.Value {
	return without(s, v, isLocal)
}

func isLocal(a sdk.Attribute) bool { return a.Local }

// noChangeAlone reports whether a difference in a alone is never a
// change: a Local or a Provenance attribute.
func noChangeAlone(a sdk.Attribute) bool { return a.Local || a.Provenance }

// without is v with the schema's attributes that skip says null.
func without(s sdk.Schema, v cty.Value, skip func(sdk.Attribute) bool) cty.Value {
	if !knownObject(v) {
		return v
	}
	var m map[string]cty.Value
	for name, a := range s.Attributes {
		if !skip(a) || !v.Type().HasAttribute(name) {
			continue
		}
		if m == nil {
			m = v.AsValueMap()
		}
		m[name] = cty.NullVal(v.Type().AttributeType(name))
	}
	if m == nil {
		return v
	}
	return cty.ObjectVal(m)
}

// sameButLocal reports whether a and b are equal but for the schema's
// Local attributes (cache paths): a value that only makes sense on the
// machine that computed it differs between machines, and between runs on
// one machine, without anything outside slipway changing.
func sameButLocal(s sdk.Schema, a, b cty.Value) bool {
	return sameBut(s, a, b, isLocal)
}

// sameInEffect reports whether planning b over a changes nothing: they
// are equal but for the schema's Local attributes and its Provenance
// ones (an app's source commit, which moves with every commit to the
// repository while the app's manifests stay the same), and b's
// Provenance values are known, for apply to record.
func sameInEffect(s sdk.Schema, a, b cty.Value) bool {
	return sameBut(s, a, b, noChangeAlone) && provenanceKnown(s, b)
}

func sameBut(s sdk.Schema, a, b cty.Value, skip func(sdk.Attribute) bool) bool {
	if !kind.SameAttributes(a, b) {
		return kind.SameValue(without(s, a, skip), without(s, b, skip))
	}
	// Attribute by attribute: making both objects again without their
	// Local attributes cost more than comparing them, at 1,000 apps.
	for name := range a.Type().AttributeTypes() {
		if skip(s.Attributes[name]) {
			continue
		}
		if !kind.SameValue(a.GetAttr(name), b.GetAttr(name)) {
			return false
		}
	}
	return true
}

// provenanceKnown reports whether v's Provenance attributes are wholly
// known (or v is no known object, which has none to record).
func provenanceKnown(s sdk.Schema, v cty.Value) bool {
	if !knownObject(v) {
		return true
	}
	for name, a := range s.Attributes {
		if a.Provenance && v.Type().HasAttribute(name) && !v.GetAttr(name).IsWhollyKnown() {
			return false
		}
	}
	return true
}

// withRunInputs is planned with the known Provenance and Local values
// the configuration sets: the plan of an instance its provider found
// unchanged from state alone (PlanResponse.Unchanged) carries the
// state's values, and those are this run's (the commit read, and where
// this machine checked it out), as a plan in full would carry them.
func withRunInputs(s sdk.Schema, planned, config cty.Value) cty.Value {
	if !knownObject(planned) || !knownObject(config) {
		return planned
	}
	var m map[string]cty.Value
	for name, a := range s.Attributes {
		if !noChangeAlone(a) || !planned.Type().HasAttribute(name) || !config.Type().HasAttribute(name) {
			continue
		}
		v := config.GetAttr(name)
		if (a.Computed && v.IsNull()) || !v.IsWhollyKnown() || v.RawEquals(planned.GetAttr(name)) {
			// Left to the provider, which kept the state's; or not
			// known yet, when apply records the state's, which is.
			continue
		}
		if m == nil {
			m = planned.AsValueMap()
		}
		m[name] = v
	}
	if m == nil {
		return planned
	}
	return cty.ObjectVal(m)
}

// knownObject reports whether v is a known object, not null.
func knownObject(v cty.Value) bool {
	return v != cty.NilVal && !v.IsNull() && v.IsKnown() && v.Type().IsObjectType()
}

// checkPlanned verifies that a provider's plan kept every attribute the
// user set: a provider may only fill in what the configuration leaves to
// it, in nested blocks and objects too.
func checkPlanned(s sdk.Schema, config, planned cty.Value) error {
	if planned.IsNull() || config.IsNull() {
		return nil
	}
	if !planned.Type().IsObjectType() {
		return fmt.Errorf("the planned value is a %s, not an object", planned.Type().FriendlyName())
	}
	// Walked first in any order, with no paths built: a plan that keeps
	// the configuration (nearly every one) is done then. Only a wrong
	// one is walked again in the schema's order, to name the first
	// attribute it got wrong whatever the order of Go's maps.
	if checkPlannedBody(nil, false, s.Attributes, s.Blocks, config, planned) == nil {
		return nil
	}
	return checkPlannedBody(nil, true, s.Attributes, s.Blocks, config, planned)
}

// checkPlannedBody checks one object of a plan against its configuration;
// named walks the attributes in order and says where the plan is wrong,
// else the error says only that it is.
func checkPlannedBody(path cty.Path, named bool, attrs map[string]sdk.Attribute, blocks map[string]sdk.Block, config, planned cty.Value) error {
	if config.IsNull() || !config.IsKnown() || planned.IsNull() || !planned.IsKnown() {
		return nil
	}
	for _, name := range keysIn(attrs, named) {
		a := attrs[name]
		p := path
		if named {
			p = path.GetAttr(name)
		}
		if !planned.Type().HasAttribute(name) {
			return fmt.Errorf("the planned value lacks attribute %q", kind.PathString(p))
		}
		if !config.Type().HasAttribute(name) {
			continue
		}
		cv, pv := config.GetAttr(name), planned.GetAttr(name)
		if cv.RawEquals(pv) {
			// Planned as set (or unknown as set): what follows would
			// find nothing wrong.
			continue
		}
		if a.Nested != nil && !cv.IsNull() {
			if err := checkPlannedNested(p, named, a.Nested.Nesting, a.Nested.Attributes, nil, cv, pv); err != nil {
				return err
			}
			continue
		}
		if a.Computed || !cv.IsWhollyKnown() {
			continue
		}
		if eq := pv.Equals(cv); !eq.IsKnown() || eq.False() {
			return fmt.Errorf("attribute %q was planned as %s, but the configuration sets %s", kind.PathString(p), short(pv), short(cv))
		}
	}
	for _, name := range keysIn(blocks, named) {
		b := blocks[name]
		if !config.Type().HasAttribute(name) || !planned.Type().HasAttribute(name) {
			continue
		}
		p := path
		if named {
			p = path.GetAttr(name)
		}
		if err := checkPlannedNested(p, named, b.Nesting, b.Attributes, b.Blocks, config.GetAttr(name), planned.GetAttr(name)); err != nil {
			return err
		}
	}
	return nil
}

// keysIn returns m's keys, sorted if they must be.
func keysIn[V any](m map[string]V, sorted bool) []string {
	if sorted {
		return kind.SortedKeys(m)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkPlannedNested checks nested objects pairwise; a set's elements
// cannot be paired, so only their number is checked.
func checkPlannedNested(p cty.Path, named bool, n sdk.Nesting, attrs map[string]sdk.Attribute, blocks map[string]sdk.Block, config, planned cty.Value) error {
	if config.IsNull() || !config.IsKnown() || planned.IsNull() || !planned.IsKnown() {
		return nil
	}
	if n == sdk.NestingSingle {
		return checkPlannedBody(p, named, attrs, blocks, config, planned)
	}
	if config.LengthInt() != planned.LengthInt() {
		return fmt.Errorf("%s was planned with %d elements, but the configuration has %d", kind.PathString(p), planned.LengthInt(), config.LengthInt())
	}
	if n == sdk.NestingSet {
		return nil
	}
	for it := config.ElementIterator(); it.Next(); {
		k, cv := it.Element()
		if has := planned.HasIndex(k); !has.IsKnown() || has.False() {
			return fmt.Errorf("%s lacks %s", kind.PathString(p), kind.PathString(cty.Path{cty.IndexStep{Key: k}}))
		}
		ep := p
		if named {
			ep = p.Index(k)
		}
		if err := checkPlannedBody(ep, named, attrs, blocks, cv, planned.Index(k)); err != nil {
			return err
		}
	}
	return nil
}

// checkConforms verifies that actual agrees with every known value in
// planned: a provider's result (or final plan) may only fill in what was
// unknown.
func checkConforms(planned, actual cty.Value) error {
	var problem error
	var walk func(path cty.Path, p, a cty.Value)
	walk = func(path cty.Path, p, a cty.Value) {
		if problem != nil || !p.IsKnown() {
			return
		}
		if p.IsNull() || a.IsNull() || !a.IsKnown() {
			if p.IsNull() != a.IsNull() || !a.IsKnown() {
				problem = fmt.Errorf("%s was planned as %s but is now %s", kind.PathString(path), short(p), short(a))
			}
			return
		}
		ty := p.Type()
		switch {
		case ty.IsObjectType() && a.Type().IsObjectType():
			for name := range ty.AttributeTypes() {
				if !a.Type().HasAttribute(name) {
					problem = fmt.Errorf("%s is missing", kind.PathString(path.GetAttr(name)))
					return
				}
				walk(path.GetAttr(name), p.GetAttr(name), a.GetAttr(name))
			}
		case (ty.IsMapType() || ty.IsObjectType()) && p.IsWhollyKnown():
			if eq := p.Equals(a); eq.IsKnown() && eq.False() {
				problem = fmt.Errorf("%s was planned as %s but is now %s", kind.PathString(path), short(p), short(a))
			}
		case ty.IsListType() || ty.IsTupleType():
			if p.LengthInt() != a.LengthInt() {
				problem = fmt.Errorf("%s was planned with %d elements but has %d", kind.PathString(path), p.LengthInt(), a.LengthInt())
				return
			}
			pe, ae := p.AsValueSlice(), a.AsValueSlice()
			for i := range pe {
				walk(path.IndexInt(i), pe[i], ae[i])
			}
		default:
			if !p.IsWhollyKnown() {
				return
			}
			if eq := p.Equals(a); eq.IsKnown() && eq.False() {
				problem = fmt.Errorf("%s was planned as %s but is now %s", kind.PathString(path), short(p), short(a))
			}
		}
	}
	walk(nil, planned, actual)
	return problem
}

// short renders a value for an error message.
func short(v cty.Value) string {
	switch {
	case !v.IsKnown():
		return "(known after apply)"
	case v.IsNull():
		return "null"
	case v.Type() == cty.String:
		s := v.AsString()
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("%q", s)
	case v.Type() == cty.Number:
		return v.AsBigFloat().String()
	case v.Type() == cty.Bool:
		return fmt.Sprint(v.True())
	}
	return "a " + v.Type().FriendlyName()
}
