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

package planfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
)

// A value is stored as its type (cty's JSON type syntax) and a value tree
// read against that type:
//
//	null                        a null value of any type
//	{"unknown": {...}}          an unknown value, with its refinements
//	"text"                      a string
//	12.5 or "+Inf"              a number (exact decimal; infinities as strings)
//	true                        a bool
//	[v, ...]                    a list, set or tuple
//	{"attrs": {"name": v}}      a known object
//	{"elems": {"key": v}}       a known map
//
// Known objects and maps are wrapped so that no key of theirs can be taken
// for the "unknown" marker. cty's own JSON encoding cannot hold unknowns
// and its msgpack encoding needs a module this build does not carry.

// valueDoc is a value with its type. A missing value (cty.NilVal) is stored
// as no valueDoc at all.
type valueDoc struct {
	Type  json.RawMessage `json:"type"`
	Value json.RawMessage `json:"value"`
}

// refinementDoc holds what is known about an unknown value.
type refinementDoc struct {
	NotNull   bool              `json:"not_null,omitempty"`
	Prefix    string            `json:"prefix,omitempty"`
	Min       []json.RawMessage `json:"min,omitempty"` // [number, inclusive]
	Max       []json.RawMessage `json:"max,omitempty"` // [number, inclusive]
	MinLength *int              `json:"min_length,omitempty"`
	MaxLength *int              `json:"max_length,omitempty"`
}

func encodeValue(v cty.Value) (*valueDoc, error) {
	if v == cty.NilVal {
		return nil, nil
	}
	ty, err := state.MarshalType(v.Type())
	if err != nil {
		return nil, err
	}
	tree, err := valueTree(v, nil)
	if err != nil {
		return nil, err
	}
	raw, err := marshalJSON(tree)
	if err != nil {
		return nil, err
	}
	return &valueDoc{Type: ty, Value: raw}, nil
}

func decodeValue(d *valueDoc) (cty.Value, error) {
	if d == nil {
		return cty.NilVal, nil
	}
	ty, err := unmarshalType(d.Type)
	if err != nil {
		return cty.NilVal, fmt.Errorf("bad value type: %w", err)
	}
	var tree any
	if len(d.Value) > 0 {
		dec := json.NewDecoder(bytes.NewReader(d.Value))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return cty.NilVal, fmt.Errorf("bad value: %w", err)
		}
	}
	return valueFromTree(ty, tree, nil)
}

// unmarshalType reads cty's JSON type syntax, as state reads it: faster
// than cty's parser for the many types of a plan of many apps, and an
// error where cty would panic.
func unmarshalType(b []byte) (cty.Type, error) {
	return state.UnmarshalType(b)
}

// valueTree turns v into a tree of plain Go values ready for encoding/json.
func valueTree(v cty.Value, path cty.Path) (any, error) {
	if v.IsMarked() {
		return nil, path.NewErrorf("value has marks, which a plan never holds")
	}
	if !v.IsKnown() {
		r, err := refinementsOf(v)
		if err != nil {
			return nil, path.NewError(err)
		}
		return map[string]any{"unknown": r}, nil
	}
	if v.IsNull() {
		return nil, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		f := v.AsBigFloat()
		if !f.IsInf() && f.Sign() != 0 {
			if exp := f.MantExp(nil); exp > maxExponent || exp < -maxExponent {
				return nil, path.NewErrorf("a number is too large or too small to save: a plan holds numbers between about 10^-9864 and 10^9864 in magnitude")
			}
		}
		return numberTree(f), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			t, err := valueTree(e, path.Index(k))
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		m := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			var step cty.Path
			if ty.IsObjectType() {
				step = path.GetAttr(k.AsString())
			} else {
				step = path.Index(k)
			}
			t, err := valueTree(e, step)
			if err != nil {
				return nil, err
			}
			m[k.AsString()] = t
		}
		if ty.IsObjectType() {
			return map[string]any{"attrs": m}, nil
		}
		return map[string]any{"elems": m}, nil
	}
	return nil, path.NewErrorf("cannot store a value of type %s", ty.FriendlyName())
}

func numberTree(f *big.Float) any {
	if f.IsInf() {
		if f.Sign() > 0 {
			return "+Inf"
		}
		return "-Inf"
	}
	if f.IsInt() {
		// cty compares whole numbers exactly, so write every digit.
		i, _ := f.Int(nil)
		return json.Number(i.String())
	}
	// cty compares fractions by this same text, so they round-trip equal.
	return json.Number(f.Text('f', -1))
}

func refinementsOf(v cty.Value) (*refinementDoc, error) {
	r := &refinementDoc{}
	ty := v.Type()
	if ty == cty.DynamicPseudoType {
		return r, nil // cty.DynamicVal cannot be refined
	}
	rng := v.Range()
	r.NotNull = rng.DefinitelyNotNull()
	switch {
	case ty == cty.String:
		r.Prefix = rng.StringPrefix()
	case ty == cty.Number:
		bound := func(b cty.Value, inclusive bool, infinity cty.Value) ([]json.RawMessage, error) {
			if !b.IsKnown() || b.IsNull() || b.RawEquals(infinity) {
				return nil, nil
			}
			n, err := marshalJSON(numberTree(b.AsBigFloat()))
			if err != nil {
				return nil, err
			}
			inc, _ := json.Marshal(inclusive)
			return []json.RawMessage{n, inc}, nil
		}
		var err error
		lo, loInc := rng.NumberLowerBound()
		if r.Min, err = bound(lo, loInc, cty.NegativeInfinity); err != nil {
			return nil, err
		}
		hi, hiInc := rng.NumberUpperBound()
		if r.Max, err = bound(hi, hiInc, cty.PositiveInfinity); err != nil {
			return nil, err
		}
	case ty.IsCollectionType():
		if lo := rng.LengthLowerBound(); lo != 0 {
			r.MinLength = &lo
		}
		if hi := rng.LengthUpperBound(); hi != math.MaxInt {
			r.MaxLength = &hi
		}
	}
	return r, nil
}

// valueFromTree reads a tree made by valueTree back into a value of type ty.
func valueFromTree(ty cty.Type, tree any, path cty.Path) (cty.Value, error) {
	if tree == nil {
		return cty.NullVal(ty), nil
	}
	if m, ok := tree.(map[string]any); ok {
		if u, ok := m["unknown"]; ok && len(m) == 1 {
			return unknownFromTree(ty, u, path)
		}
	}
	bad := func(what string) (cty.Value, error) {
		return cty.NilVal, path.NewErrorf("expected %s for a value of type %s", what, ty.FriendlyName())
	}
	switch {
	case ty == cty.DynamicPseudoType:
		return bad("null or unknown") // a known value always has a concrete type
	case ty == cty.String:
		s, ok := tree.(string)
		if !ok {
			return bad("a string")
		}
		if !utf8.ValidString(s) {
			return bad("valid UTF-8")
		}
		return cty.StringVal(s), nil
	case ty == cty.Number:
		n, err := numberFromTree(tree)
		if err != nil {
			return cty.NilVal, path.NewError(err)
		}
		return n, nil
	case ty == cty.Bool:
		b, ok := tree.(bool)
		if !ok {
			return bad("a bool")
		}
		return cty.BoolVal(b), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		items, ok := tree.([]any)
		if !ok {
			return bad("an array")
		}
		elems := make([]cty.Value, len(items))
		for i, item := range items {
			ety := cty.DynamicPseudoType
			switch {
			case ty.IsTupleType():
				etys := ty.TupleElementTypes()
				if len(items) != len(etys) {
					return bad(fmt.Sprintf("%d elements", len(etys)))
				}
				ety = etys[i]
			default:
				ety = ty.ElementType()
			}
			e, err := valueFromTree(ety, item, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			elems[i] = e
		}
		switch {
		case ty.IsTupleType():
			return cty.TupleVal(elems), nil
		case len(elems) == 0 && ty.IsListType():
			return cty.ListValEmpty(ty.ElementType()), nil
		case len(elems) == 0:
			return cty.SetValEmpty(ty.ElementType()), nil
		case ty.IsListType():
			return cty.ListVal(elems), nil
		default:
			return cty.SetVal(elems), nil
		}
	case ty.IsObjectType():
		attrs, ok := wrapped(tree, "attrs")
		if !ok {
			return bad(`{"attrs": {...}}`)
		}
		atys := ty.AttributeTypes()
		vals := make(map[string]cty.Value, len(atys))
		for name, aty := range atys {
			item, present := attrs[name]
			if !present {
				return cty.NilVal, path.NewErrorf("attribute %q is missing", name)
			}
			v, err := valueFromTree(aty, item, path.GetAttr(name))
			if err != nil {
				return cty.NilVal, err
			}
			vals[name] = v
		}
		if len(attrs) != len(atys) {
			return bad(fmt.Sprintf("%d attributes", len(atys)))
		}
		return cty.ObjectVal(vals), nil
	case ty.IsMapType():
		elems, ok := wrapped(tree, "elems")
		if !ok {
			return bad(`{"elems": {...}}`)
		}
		if len(elems) == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
		vals := make(map[string]cty.Value, len(elems))
		keys := make([]string, 0, len(elems))
		for k := range elems {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := valueFromTree(ty.ElementType(), elems[k], path.IndexString(k))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.MapVal(vals), nil
	}
	return cty.NilVal, path.NewErrorf("cannot read a value of type %s", ty.FriendlyName())
}

func wrapped(tree any, key string) (map[string]any, bool) {
	m, ok := tree.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, false
	}
	inner, ok := m[key].(map[string]any)
	return inner, ok
}

func numberFromTree(tree any) (cty.Value, error) {
	var text string
	switch n := tree.(type) {
	case json.Number:
		text = n.String()
	case string:
		text = n
	default:
		return cty.NilVal, fmt.Errorf("expected a number")
	}
	// 512 bits is cty's precision for parsed numbers; a longer whole
	// number gets enough bits to stay exact.
	f, _, err := big.ParseFloat(text, 10, max(512, 4*uint(len(text))), big.ToNearestEven)
	if err != nil {
		return cty.NilVal, fmt.Errorf("bad number %q", shorten(text))
	}
	if !f.IsInf() && f.Sign() != 0 {
		if exp := f.MantExp(nil); exp > maxExponent || exp < -maxExponent {
			return cty.NilVal, fmt.Errorf("a number is too large or too small: a plan holds numbers between about 10^-9864 and 10^9864 in magnitude")
		}
	}
	return cty.NumberVal(f), nil
}

// maxExponent bounds the binary exponent of the numbers a plan holds, to
// about 10^±9864: writing a number as decimal text takes time that grows
// with the square of its exponent, and a plan holding 1e-999999 would take
// hours to show.
const maxExponent = 1 << 15

// shorten cuts text for an error message.
func shorten(text string) string {
	if len(text) > 64 {
		return text[:64] + "..."
	}
	return text
}

func unknownFromTree(ty cty.Type, tree any, path cty.Path) (v cty.Value, err error) {
	// cty's refinement builder panics on contradictory refinements; in a
	// damaged file that is a read error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, path.NewErrorf("contradictory refinements of an unknown value: %v", r)
		}
	}()
	m, ok := tree.(map[string]any)
	if !ok {
		return cty.NilVal, path.NewErrorf("expected an object of refinements")
	}
	if ty == cty.DynamicPseudoType || len(m) == 0 {
		return cty.UnknownVal(ty), nil
	}
	b := cty.UnknownVal(ty).Refine()
	if nn, _ := m["not_null"].(bool); nn {
		b = b.NotNull()
	}
	if p, ok := m["prefix"].(string); ok {
		if ty != cty.String {
			return cty.NilVal, path.NewErrorf("a string prefix refines a value of type %s", ty.FriendlyName())
		}
		b = b.StringPrefixFull(p)
	}
	for _, key := range []string{"min", "max"} {
		raw, ok := m[key].([]any)
		if !ok {
			continue
		}
		if ty != cty.Number || len(raw) != 2 {
			return cty.NilVal, path.NewErrorf("bad %s bound for a value of type %s", key, ty.FriendlyName())
		}
		n, err := numberFromTree(raw[0])
		if err != nil {
			return cty.NilVal, path.NewError(err)
		}
		inclusive, _ := raw[1].(bool)
		if key == "min" {
			b = b.NumberRangeLowerBound(n, inclusive)
		} else {
			b = b.NumberRangeUpperBound(n, inclusive)
		}
	}
	for _, key := range []string{"min_length", "max_length"} {
		raw, ok := m[key].(json.Number)
		if !ok {
			continue
		}
		n, err := raw.Int64()
		if err != nil || !ty.IsCollectionType() {
			return cty.NilVal, path.NewErrorf("bad %s for a value of type %s", key, ty.FriendlyName())
		}
		if key == "min_length" {
			b = b.CollectionLengthLowerBound(int(n))
		} else {
			b = b.CollectionLengthUpperBound(int(n))
		}
	}
	return b.NewValue(), nil
}

// marshalJSON encodes without HTML escaping, so stored strings stay
// readable when the file is inspected by hand.
func marshalJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
