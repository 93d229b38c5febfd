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

package kind

import (
	"math"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Attrs evaluates the arguments of a block one by one, as a kind decodes
// a block into a Go value: each mistake becomes a diagnostic at the
// argument's value, an unknown value is remembered (Unknown) rather than
// an error, and the marks of every value read (sensitive) are gathered
// (Marks), so that what the kind builds from them can carry them on.
type Attrs struct {
	Ctx   *hcl.EvalContext
	Diags hcl.Diagnostics
	// Unknown is set once a value read was unknown (known after apply).
	Unknown bool
	// Marks are the marks of the values read.
	Marks cty.ValueMarks
}

// Value evaluates attr converted to ty. ok is false when attr is nil,
// null, unknown or wrong (a diagnostic then says why).
func (a *Attrs) Value(attr *hcl.Attribute, ty cty.Type, what string) (cty.Value, bool) {
	if attr == nil {
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(a.Ctx)
	a.Diags = append(a.Diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	v, marks := v.UnmarkDeep()
	a.AddMarks(marks)
	if v.IsNull() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		a.Unknown = true
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		a.Errorf(attr.Expr.Range(), "Invalid "+what, "%s must be a %s: %s.", attr.Name, ty.FriendlyName(), err)
		return cty.NilVal, false
	}
	return cv, true
}

// String evaluates attr as a string.
func (a *Attrs) String(attr *hcl.Attribute, what string) (string, bool) {
	v, ok := a.Value(attr, cty.String, what)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// Int evaluates attr as a whole number.
func (a *Attrs) Int(attr *hcl.Attribute, what string) (int, bool) {
	v, ok := a.Value(attr, cty.Number, what)
	if !ok {
		return 0, false
	}
	f := v.AsBigFloat()
	n, acc := f.Int64()
	if !f.IsInt() || acc != 0 || n > math.MaxInt32 || n < math.MinInt32 {
		a.Errorf(attr.Expr.Range(), "Invalid "+what, "%s must be a whole number, not %s.", attr.Name, f.Text('g', -1))
		return 0, false
	}
	return int(n), true
}

// Duration evaluates attr as a duration longer than zero, like "30s" or
// "2m", and returns it as written.
func (a *Attrs) Duration(attr *hcl.Attribute, what string) (string, bool) {
	s, ok := a.String(attr, what)
	if !ok {
		return "", false
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		a.Errorf(attr.Expr.Range(), "Invalid "+what, "%s %q is not a duration: write a number and a unit, like \"30s\", \"2m\" or \"1h30m\".", attr.Name, s)
		return "", false
	case d <= 0:
		a.Errorf(attr.Expr.Range(), "Invalid "+what, "%s %q must be longer than zero.", attr.Name, s)
		return "", false
	}
	return s, true
}

// Required reports a required argument that a block leaves out, at the
// block's header (blockRange); gohcl leaves that to the decoder when the
// argument is decoded as an *hcl.Attribute.
func (a *Attrs) Required(attr *hcl.Attribute, name string, blockRange hcl.Range, example string) bool {
	if attr != nil {
		return true
	}
	a.Errorf(blockRange, "Missing required argument", "The argument %q is required here, like %s.", name, example)
	return false
}

// Errorf adds an error diagnostic at rng.
func (a *Attrs) Errorf(rng hcl.Range, summary, format string, args ...any) {
	a.Diags = append(a.Diags, Errorf(summary, rng.Ptr(), format, args...))
}

// AddMarks adds to the marks of the values read.
func (a *Attrs) AddMarks(marks cty.ValueMarks) {
	if len(marks) == 0 {
		return
	}
	if a.Marks == nil {
		a.Marks = make(cty.ValueMarks, len(marks))
	}
	for m := range marks {
		a.Marks[m] = struct{}{}
	}
}

// Mark gives v the marks of the values read.
func (a *Attrs) Mark(v cty.Value) cty.Value {
	if len(a.Marks) == 0 {
		return v
	}
	return v.WithMarks(a.Marks)
}

// Some blocks declare something other blocks name to use, as data: the
// strategy of a rollout an app follows, the check of an analysis a
// rollout runs. The value of such a block is an object of SpecType: its
// name, and what it declares as JSON (spec), unknown while a value it is
// made of is. The kind that makes the value and the kinds that read it
// share these names.
const (
	SpecName = "name"
	SpecJSON = "spec"
)

// SpecType is the type of the value of a block that declares a spec.
var SpecType = cty.Object(map[string]cty.Type{SpecName: cty.String, SpecJSON: cty.String})

// SpecValue is the value of a block that declares a spec.
func SpecValue(name string, spec cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{SpecName: cty.StringVal(name), SpecJSON: spec})
}

// SpecOf reads the spec of a value of SpecType: ok is false when v is
// not such a value; known is false while the spec is unknown. The spec's
// marks (sensitive) are returned apart.
func SpecOf(v cty.Value) (name, spec string, marks cty.ValueMarks, known, ok bool) {
	v, marks = v.UnmarkDeep()
	if !v.IsKnown() {
		return "", "", marks, false, true
	}
	if v.IsNull() {
		return "", "", marks, false, false
	}
	if !v.Type().IsObjectType() || !v.Type().HasAttribute(SpecName) || !v.Type().HasAttribute(SpecJSON) {
		return "", "", marks, false, false
	}
	n, s := v.GetAttr(SpecName), v.GetAttr(SpecJSON)
	if n.IsKnown() && !n.IsNull() && n.Type() == cty.String {
		name = n.AsString()
	}
	if !s.IsKnown() {
		return name, "", marks, false, true
	}
	if s.IsNull() || s.Type() != cty.String {
		return name, "", marks, false, false
	}
	return name, s.AsString(), marks, true, true
}
