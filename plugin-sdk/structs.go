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
	"math"
	"math/big"
	"reflect"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Values to and from Go structs. A struct field is an attribute or a
// nested block when it has a `slipway:"name"` tag; other fields are left
// alone. Strings, bools, integers and floats hold primitive values,
// slices lists and sets, map[string]T maps, structs objects and nested
// blocks, and a pointer (or a slice or map left nil) null. A cty.Value
// field holds its value as it is, unknown values included.

var ctyValueType = reflect.TypeOf(cty.Value{})

// Decode stores v, an object such as req.Config or req.PriorState, in the
// struct target points to. Attributes without a field are ignored; a
// field whose attribute v lacks, a value that does not fit its field, and
// an unknown value in a field other than a cty.Value are reported as
// error diagnostics at the attribute.
func Decode(v cty.Value, target any) Diagnostics {
	var diags Diagnostics
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		diags.AddError("Cannot decode value", fmt.Sprintf("Decode needs a non-nil pointer, not %T. This is a bug in the provider; please report it to its author.", target))
		return diags
	}
	decodeInto(nil, v, rv.Elem(), &diags)
	return diags
}

func decodeInto(path cty.Path, v cty.Value, rv reflect.Value, diags *Diagnostics) {
	if rv.Type() == ctyValueType {
		rv.Set(reflect.ValueOf(v))
		return
	}
	v, _ = v.Unmark()
	if v == cty.NilVal || v.IsNull() {
		rv.Set(reflect.Zero(rv.Type()))
		return
	}
	if !v.IsKnown() {
		diags.AddAttributeError(path, "Cannot decode value",
			fmt.Sprintf("The value of %s is not known yet (known after apply), and its field of type %s cannot hold that. Use a cty.Value field, or check sdk.IsKnown first. This is a bug in the provider; please report it to its author.", pathText(path), rv.Type()))
		return
	}
	bad := func(why string) {
		diags.AddAttributeError(path, "Cannot decode value",
			fmt.Sprintf("The value of %s (a %s) does not fit its field of type %s: %s. This is a bug in the provider; please report it to its author.", pathText(path), v.Type().FriendlyName(), rv.Type(), why))
	}
	switch rv.Kind() {
	case reflect.Pointer:
		p := reflect.New(rv.Type().Elem())
		decodeInto(path, v, p.Elem(), diags)
		rv.Set(p)
	case reflect.String:
		sv, err := convert.Convert(v, cty.String)
		if err != nil {
			bad(err.Error())
			return
		}
		rv.SetString(sv.AsString())
	case reflect.Bool:
		bv, err := convert.Convert(v, cty.Bool)
		if err != nil {
			bad(err.Error())
			return
		}
		rv.SetBool(bv.True())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok := number(v, bad)
		if !ok {
			return
		}
		i, acc := f.Int64()
		if acc != big.Exact || rv.OverflowInt(i) {
			bad("it is not a whole number in the field's range")
			return
		}
		rv.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := number(v, bad)
		if !ok {
			return
		}
		u, acc := f.Uint64()
		if acc != big.Exact || rv.OverflowUint(u) {
			bad("it is not a whole number in the field's range")
			return
		}
		rv.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, ok := number(v, bad)
		if !ok {
			return
		}
		x, _ := f.Float64()
		rv.SetFloat(x)
	case reflect.Slice:
		ty := v.Type()
		if !ty.IsListType() && !ty.IsSetType() && !ty.IsTupleType() {
			bad("it is not a list or set")
			return
		}
		s := reflect.MakeSlice(rv.Type(), 0, v.LengthInt())
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, ev := it.Element()
			e := reflect.New(rv.Type().Elem()).Elem()
			ep := path
			if !ty.IsSetType() {
				ep = append(path.Copy(), cty.IndexStep{Key: k})
			}
			decodeInto(ep, ev, e, diags)
			s = reflect.Append(s, e)
		}
		rv.Set(s)
	case reflect.Map:
		ty := v.Type()
		if rv.Type().Key().Kind() != reflect.String || (!ty.IsMapType() && !ty.IsObjectType()) {
			bad("it is not a map, or the field's keys are not strings")
			return
		}
		m := reflect.MakeMapWithSize(rv.Type(), v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			e := reflect.New(rv.Type().Elem()).Elem()
			decodeInto(append(path.Copy(), cty.IndexStep{Key: k}), ev, e, diags)
			m.SetMapIndex(reflect.ValueOf(k.AsString()).Convert(rv.Type().Key()), e)
		}
		rv.Set(m)
	case reflect.Struct:
		if !v.Type().IsObjectType() {
			bad("it is not an object")
			return
		}
		for _, f := range tagged(rv.Type()) {
			ap := append(path.Copy(), cty.GetAttrStep{Name: f.name})
			if !v.Type().HasAttribute(f.name) {
				diags.AddAttributeError(ap, "Cannot decode value",
					fmt.Sprintf("The field %s of %s is tagged %q, but the value has no such attribute. This is a bug in the provider; please report it to its author.", f.field, rv.Type(), f.name))
				continue
			}
			decodeInto(ap, v.GetAttr(f.name), rv.FieldByIndex(f.index), diags)
		}
	default:
		bad("slipway cannot decode into this kind of field")
	}
}

func number(v cty.Value, bad func(string)) (*big.Float, bool) {
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		bad(err.Error())
		return nil, false
	}
	return nv.AsBigFloat(), true
}

type taggedField struct {
	name  string
	field string
	index []int
}

// tagged lists a struct type's fields with a slipway tag, embedded
// structs' included.
func tagged(t reflect.Type) []taggedField {
	var out []taggedField
	for _, f := range reflect.VisibleFields(t) {
		tag, ok := f.Tag.Lookup("slipway")
		if !ok || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, taggedField{name: name, field: f.Name, index: f.Index})
	}
	return out
}

// ValueOf is the cty value of a Go value, as Decode reads them. A struct
// becomes an object of its tagged fields only, so a schema's other
// attributes are missing: the SDK fills them with nulls (see
// Schema.Conform) when the value is sent back to slipway.
func ValueOf(src any) (cty.Value, error) {
	if src == nil {
		return cty.NilVal, fmt.Errorf("no value")
	}
	return valueOf(reflect.ValueOf(src))
}

func valueOf(rv reflect.Value) (cty.Value, error) {
	if rv.Type() == ctyValueType {
		v := rv.Interface().(cty.Value)
		if v == cty.NilVal {
			return cty.NullVal(cty.DynamicPseudoType), nil
		}
		return v, nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return cty.NullVal(impliedGoType(rv.Type())), nil
		}
		return valueOf(rv.Elem())
	case reflect.String:
		return cty.StringVal(rv.String()), nil
	case reflect.Bool:
		return cty.BoolVal(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cty.NumberIntVal(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cty.NumberUIntVal(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return cty.NilVal, fmt.Errorf("%v is not a number slipway can hold", f)
		}
		return cty.NumberFloatVal(f), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return cty.NullVal(impliedGoType(rv.Type())), nil
		}
		if rv.Len() == 0 {
			return cty.ListValEmpty(impliedGoType(rv.Type().Elem())), nil
		}
		vals := make([]cty.Value, rv.Len())
		for i := range vals {
			v, err := valueOf(rv.Index(i))
			if err != nil {
				return cty.NilVal, fmt.Errorf("[%d]: %w", i, err)
			}
			vals[i] = v
		}
		if sameTypes(vals) {
			return cty.ListVal(vals), nil
		}
		return cty.TupleVal(vals), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return cty.NilVal, fmt.Errorf("a map's keys must be strings, not %s", rv.Type().Key())
		}
		if rv.IsNil() {
			return cty.NullVal(impliedGoType(rv.Type())), nil
		}
		if rv.Len() == 0 {
			return cty.MapValEmpty(impliedGoType(rv.Type().Elem())), nil
		}
		vals := make(map[string]cty.Value, rv.Len())
		var list []cty.Value
		for it := rv.MapRange(); it.Next(); {
			v, err := valueOf(it.Value())
			if err != nil {
				return cty.NilVal, fmt.Errorf("[%q]: %w", it.Key().String(), err)
			}
			vals[it.Key().String()] = v
			list = append(list, v)
		}
		if sameTypes(list) {
			return cty.MapVal(vals), nil
		}
		return cty.ObjectVal(vals), nil
	case reflect.Struct:
		vals := map[string]cty.Value{}
		for _, f := range tagged(rv.Type()) {
			v, err := valueOf(rv.FieldByIndex(f.index))
			if err != nil {
				return cty.NilVal, fmt.Errorf("%s: %w", f.name, err)
			}
			vals[f.name] = v
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("slipway cannot hold a value of type %s", rv.Type())
}

func sameTypes(vals []cty.Value) bool {
	for _, v := range vals[1:] {
		if !v.Type().Equals(vals[0].Type()) {
			return false
		}
	}
	return true
}

// impliedGoType is the cty type of a Go type's values, for nulls and
// empty collections; Conform gives them the schema's type.
func impliedGoType(t reflect.Type) cty.Type {
	if t == ctyValueType {
		return cty.DynamicPseudoType
	}
	switch t.Kind() {
	case reflect.Pointer:
		return impliedGoType(t.Elem())
	case reflect.String:
		return cty.String
	case reflect.Bool:
		return cty.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return cty.Number
	case reflect.Slice, reflect.Array:
		return cty.List(impliedGoType(t.Elem()))
	case reflect.Map:
		return cty.Map(impliedGoType(t.Elem()))
	case reflect.Struct:
		atys := map[string]cty.Type{}
		for _, f := range tagged(t) {
			atys[f.name] = impliedGoType(t.FieldByIndex(f.index).Type)
		}
		return cty.Object(atys)
	}
	return cty.DynamicPseudoType
}

// Conform gives v the schema's implied type: attributes v lacks are null,
// nested blocks of list, set and map nesting are empty rather than null
// (as slipway decodes them from configuration), and every value is
// converted to its attribute's type. Unknown values and marks are kept.
// An attribute v has that the schema does not is an error.
func (s Schema) Conform(v cty.Value) (cty.Value, error) {
	return conformBody(nil, s.Attributes, s.Blocks, v)
}

func conformBody(path cty.Path, attrs map[string]Attribute, blocks map[string]Block, v cty.Value) (cty.Value, error) {
	ty := bodyType(attrs, blocks)
	if v == cty.NilVal {
		return cty.NullVal(ty), nil
	}
	v, marks := v.Unmark()
	if v.IsNull() {
		return cty.NullVal(ty).WithMarks(marks), nil
	}
	if !v.IsKnown() {
		return cty.UnknownVal(ty).WithMarks(marks), nil
	}
	if !v.Type().IsObjectType() {
		return cty.NilVal, fmt.Errorf("%s: an object is required, not a %s", pathText(path), v.Type().FriendlyName())
	}
	for name := range v.Type().AttributeTypes() {
		if _, ok := attrs[name]; ok {
			continue
		}
		if _, ok := blocks[name]; ok {
			continue
		}
		return cty.NilVal, fmt.Errorf("%s: the schema has no attribute %q", pathText(path), name)
	}
	out := make(map[string]cty.Value, len(attrs)+len(blocks))
	for name, a := range attrs {
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		av := attrOf(v, name, a.ImpliedType())
		var err error
		if a.Nested != nil {
			av, err = conformNested(p, a.Nested.Nesting, a.Nested.Attributes, nil, av, false)
		} else {
			av, err = conformType(p, av, a.Type)
		}
		if err != nil {
			return cty.NilVal, err
		}
		out[name] = av
	}
	for name, b := range blocks {
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		bv, err := conformNested(p, b.Nesting, b.Attributes, b.Blocks, attrOf(v, name, b.ImpliedType()), true)
		if err != nil {
			return cty.NilVal, err
		}
		out[name] = bv
	}
	return cty.ObjectVal(out).WithMarks(marks), nil
}

func conformNested(p cty.Path, n Nesting, attrs map[string]Attribute, blocks map[string]Block, v cty.Value, block bool) (cty.Value, error) {
	ety := bodyType(attrs, blocks)
	ty := nestedType(n, ety)
	v, marks := v.Unmark()
	switch {
	case n == NestingSingle:
		out, err := conformBody(p, attrs, blocks, v)
		return out.WithMarks(marks), err
	case v.IsNull() && block:
		// Blocks are never null: none written is an empty collection.
		v = cty.NullVal(ty)
		switch n {
		case NestingList:
			return cty.ListValEmpty(ety).WithMarks(marks), nil
		case NestingSet:
			return cty.SetValEmpty(ety).WithMarks(marks), nil
		default:
			return cty.MapValEmpty(ety).WithMarks(marks), nil
		}
	case v.IsNull():
		return cty.NullVal(ty).WithMarks(marks), nil
	case !v.IsKnown():
		return cty.UnknownVal(ty).WithMarks(marks), nil
	}
	vt := v.Type()
	if n == NestingMap && !vt.IsMapType() && !vt.IsObjectType() || n != NestingMap && !vt.IsListType() && !vt.IsSetType() && !vt.IsTupleType() {
		return cty.NilVal, fmt.Errorf("%s: a %s is required, not a %s", pathText(p), ty.FriendlyName(), vt.FriendlyName())
	}
	var list []cty.Value
	vmap := map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		ep := p
		if n != NestingSet {
			ep = append(p.Copy(), cty.IndexStep{Key: k})
		}
		cv, err := conformBody(ep, attrs, blocks, ev)
		if err != nil {
			return cty.NilVal, err
		}
		if n == NestingMap {
			vmap[k.AsString()] = cv
		} else {
			list = append(list, cv)
		}
	}
	var out cty.Value
	switch {
	case n == NestingMap && len(vmap) == 0:
		out = cty.MapValEmpty(ety)
	case n == NestingMap:
		out = cty.MapVal(vmap)
	case len(list) == 0 && n == NestingSet:
		out = cty.SetValEmpty(ety)
	case len(list) == 0:
		out = cty.ListValEmpty(ety)
	case n == NestingSet:
		out = cty.SetVal(list)
	default:
		out = cty.ListVal(list)
	}
	return out.WithMarks(marks), nil
}

// conformType converts v to ty, filling missing object attributes with
// nulls at any depth (convert alone refuses an object that lacks one).
func conformType(p cty.Path, v cty.Value, ty cty.Type) (cty.Value, error) {
	if v == cty.NilVal {
		return cty.NullVal(ty), nil
	}
	if ty == cty.DynamicPseudoType || v.Type().Equals(ty) {
		return v, nil
	}
	v, marks := v.Unmark()
	if v.IsNull() {
		return cty.NullVal(ty).WithMarks(marks), nil
	}
	if !v.IsKnown() {
		return cty.UnknownVal(ty).WithMarks(marks), nil
	}
	if ty.IsObjectType() && v.Type().IsObjectType() {
		out := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name, aty := range ty.AttributeTypes() {
			av, err := conformType(append(p.Copy(), cty.GetAttrStep{Name: name}), attrOf(v, name, aty), aty)
			if err != nil {
				return cty.NilVal, err
			}
			out[name] = av
		}
		for name := range v.Type().AttributeTypes() {
			if !ty.HasAttribute(name) {
				return cty.NilVal, fmt.Errorf("%s: the type has no attribute %q", pathText(p), name)
			}
		}
		return cty.ObjectVal(out).WithMarks(marks), nil
	}
	if ety := collectionElem(ty); ety != cty.NilType && (v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsTupleType() || v.Type().IsMapType() || v.Type().IsObjectType()) {
		elems := map[string]cty.Value{}
		var list []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			cv, err := conformType(append(p.Copy(), cty.IndexStep{Key: k}), ev, ety)
			if err != nil {
				return cty.NilVal, err
			}
			if k.Type() == cty.String {
				elems[k.AsString()] = cv
			}
			list = append(list, cv)
		}
		var conv cty.Value
		switch {
		case ty.IsMapType() && len(elems) > 0:
			conv = cty.MapVal(elems)
		case ty.IsMapType() && len(list) == 0:
			conv = cty.MapValEmpty(ety)
		case ty.IsSetType() && len(list) > 0:
			conv = cty.SetVal(list)
		case ty.IsSetType():
			conv = cty.SetValEmpty(ety)
		case ty.IsListType() && len(list) > 0:
			conv = cty.ListVal(list)
		case ty.IsListType():
			conv = cty.ListValEmpty(ety)
		default:
			return cty.NilVal, fmt.Errorf("%s: a %s is required, not a %s", pathText(p), ty.FriendlyName(), v.Type().FriendlyName())
		}
		return conv.WithMarks(marks), nil
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("%s: %w", pathText(p), err)
	}
	return cv.WithMarks(marks), nil
}

func collectionElem(ty cty.Type) cty.Type {
	if ty.IsListType() || ty.IsSetType() || ty.IsMapType() {
		return ty.ElementType()
	}
	return cty.NilType
}

// setValue is what the responses' Set methods share: the value of src,
// or an error diagnostic.
func setValue(src any, diags *Diagnostics) cty.Value {
	v, err := ValueOf(src)
	if err != nil {
		diags.AddError("Cannot encode value", fmt.Sprintf("The value given to Set cannot be encoded: %s. This is a bug in the provider; please report it to its author.", err))
		return cty.NilVal
	}
	return v
}

// Set sets PlannedState from a struct with slipway tags (see ValueOf).
func (r *PlanResponse) Set(src any) { r.PlannedState = setValue(src, &r.Diagnostics) }

// Set sets NewState from a struct with slipway tags (see ValueOf).
func (r *ApplyResponse) Set(src any) { r.NewState = setValue(src, &r.Diagnostics) }

// Set sets NewState from a struct with slipway tags (see ValueOf).
func (r *ReadResponse) Set(src any) { r.NewState = setValue(src, &r.Diagnostics) }

// Set sets State from a struct with slipway tags (see ValueOf).
func (r *ImportResponse) Set(src any) { r.State = setValue(src, &r.Diagnostics) }

// Set sets State from a struct with slipway tags (see ValueOf).
func (r *SourceReadResponse) Set(src any) { r.State = setValue(src, &r.Diagnostics) }
