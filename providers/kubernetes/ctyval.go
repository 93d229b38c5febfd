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

package kubernetes

import (
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/providers/internal/kube"
)

// liveValue is what plans and state show of a live (or dry-run) object,
// kube.ToCty(kube.Normalise(obj, shape)), made in one walk: no deep copy
// of the object (managedFields and all) and no JSON encoding and
// decoding. It gives the very same value; anything it does not expect (a number type
// the JSON decoders never produce, a NaN, an attribute name that
// normalises onto another) makes it take the slow path, which also
// reports the errors.
func liveValue(obj, shape map[string]any) (cty.Value, error) {
	var sh any
	if shape != nil {
		sh = shape
	}
	c := converter{}
	v := c.top(obj, sh)
	if c.failed {
		return kube.ToCty(kube.Normalise(obj, shape))
	}
	return v, nil
}

// liveValueOf is liveValue with the shape of a recorded object of state
// (see recordedShape): the value as refresh shows it.
func liveValueOf(obj map[string]any, recorded cty.Value) (cty.Value, error) {
	if recorded == cty.NilVal || recorded.IsNull() || !recorded.IsWhollyKnown() {
		return liveValue(obj, nil)
	}
	c := converter{}
	sh := c.shapeOf(recorded)
	var v cty.Value
	if !c.failed {
		v = c.top(obj, sh)
	}
	if c.failed {
		return kube.ToCty(kube.Normalise(obj, recordedShape(recorded)))
	}
	return v, nil
}

// converter walks a JSON-like object and a shape together, as
// kube.Normalise limits an object to a shape, building the cty value
// kube.ToCty would build.
type converter struct{ failed bool }

// shapeOf returns the structure of a cty value the way kube.Normalise sees
// kube.FromCty's output: maps, lists, strings, and true for any other
// scalar; nil for null. Only the structure of a shape matters, and the
// names of list elements (kube.PairByName), never its other scalars.
func (c *converter) shapeOf(v cty.Value) any {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if v.IsNull() {
		return nil
	}
	if !v.IsKnown() {
		c.failed = true
		return nil
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		m := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			m[k.AsString()] = c.shapeOf(e)
		}
		return m
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		l := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			l = append(l, c.shapeOf(e))
		}
		return l
	case ty == cty.String:
		return v.AsString()
	default:
		return true
	}
}

// top converts an object without the noise kube.Normalise drops, limited
// to shape (a map, or nil for every field).
func (c *converter) top(obj map[string]any, shape any) cty.Value {
	return c.fields(obj, shape, func(k string, x, sv any) (cty.Value, bool) {
		if k == "status" {
			return cty.NilVal, true
		}
		if md, ok := x.(map[string]any); ok && k == "metadata" {
			return c.metadata(md, sv), true
		}
		return cty.NilVal, false
	})
}

// fields converts the fields of m, limited to shape when it is a map.
// special converts a field itself when it returns true, leaving it out
// when the value it returns is cty.NilVal.
func (c *converter) fields(m map[string]any, shape any, special func(k string, x, sv any) (cty.Value, bool)) cty.Value {
	s, limited := shape.(map[string]any)
	attrs := make(map[string]cty.Value, len(m))
	add := func(k string, x, sv any) {
		if v, done := special(k, x, sv); done {
			if v != cty.NilVal {
				attrs[k] = v
			}
			return
		}
		if limited {
			attrs[k] = c.shaped(x, sv, k)
		} else {
			attrs[k] = c.whole(x)
		}
	}
	if limited {
		for k, sv := range s {
			if x, ok := m[k]; ok && x != nil {
				add(k, x, sv)
			}
		}
	} else {
		for k, x := range m {
			add(k, x, nil)
		}
	}
	return c.object(attrs)
}

// metadata converts an object's metadata without the noise fields and
// bookkeeping annotations, limited to shape when it is a map.
func (c *converter) metadata(md map[string]any, shape any) cty.Value {
	return c.fields(md, shape, func(k string, x, sv any) (cty.Value, bool) {
		if isNoiseMetadata(k) {
			return cty.NilVal, true
		}
		if ann, ok := x.(map[string]any); ok && k == "annotations" {
			if liveAnnotations(ann) == 0 {
				return cty.NilVal, true // kube.Normalise deletes annotations left empty
			}
			return c.annotations(ann, sv), true
		}
		return cty.NilVal, false
	})
}

func (c *converter) annotations(ann map[string]any, shape any) cty.Value {
	s, limited := shape.(map[string]any)
	attrs := make(map[string]cty.Value, len(ann))
	if limited {
		for k, sv := range s {
			if x, ok := ann[k]; ok && x != nil && !isNoiseAnnotation(k) {
				attrs[k] = c.shaped(x, sv, k)
			}
		}
	} else {
		for k, x := range ann {
			if !isNoiseAnnotation(k) {
				attrs[k] = c.whole(x)
			}
		}
	}
	return c.object(attrs)
}

// liveAnnotations counts the annotations that are not bookkeeping.
func liveAnnotations(ann map[string]any) int {
	n := len(ann)
	for _, a := range kube.NoiseAnnotations {
		if _, ok := ann[a]; ok {
			n--
		}
	}
	return n
}

func isNoiseMetadata(k string) bool {
	for _, f := range kube.NoiseMetadata {
		if k == f {
			return true
		}
	}
	return false
}

func isNoiseAnnotation(k string) bool {
	for _, a := range kube.NoiseAnnotations {
		if k == a {
			return true
		}
	}
	return false
}

// shaped is kube.ToCty of v limited to shape, as kube.Normalise limits it.
func (c *converter) shaped(v, shape any, field string) cty.Value {
	switch s := shape.(type) {
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return c.whole(v)
		}
		attrs := make(map[string]cty.Value, len(s))
		for k, sv := range s {
			if x, ok := m[k]; ok && x != nil {
				attrs[k] = c.shaped(x, sv, k)
			}
		}
		return c.object(attrs)
	case []any:
		l, ok := v.([]any)
		if !ok {
			return c.whole(v)
		}
		if kube.NamedList(field) {
			if pairs, _, ok := kube.PairByName(len(s), len(l), func(i int) string { return kube.NameOf(s[i]) }, func(j int) string { return kube.NameOf(l[j]) }); ok {
				var elems []cty.Value
				for _, i := range kube.LiveOrder(pairs) {
					elems = append(elems, c.shaped(l[pairs[i]], s[i], ""))
				}
				if len(elems) == 0 {
					return cty.EmptyTupleVal
				}
				return cty.TupleVal(elems)
			}
		}
		n := min(len(l), len(s))
		if n == 0 {
			return cty.EmptyTupleVal
		}
		elems := make([]cty.Value, n)
		for i := range n {
			elems[i] = c.shaped(l[i], s[i], "")
		}
		return cty.TupleVal(elems)
	default:
		return c.whole(v)
	}
}

// whole is kube.ToCty of a JSON-like value (kube.PlainValue).
func (c *converter) whole(v any) cty.Value {
	x, ok := kube.PlainValue(v)
	if !ok {
		c.failed = true
		return cty.DynamicVal
	}
	return x
}

func (c *converter) object(attrs map[string]cty.Value) cty.Value {
	v, ok := kube.ObjectOf(attrs)
	if !ok {
		// Two names normalise (NFC) to one: ctyjson reports it.
		c.failed = true
	}
	return v
}

// asLiveValueOf reports whether liveValueOf(obj, recorded) would give
// back recorded (RawEquals), without building the value: a refresh finds
// most objects as recorded, and building each to compare it was most of
// what a no-op refresh cost the provider. False means either "no" or
// "cannot tell", and the caller builds the value; true is only ever said
// where the built value would be equal.
func asLiveValueOf(obj map[string]any, recorded cty.Value) bool {
	if !plainObject(recorded) {
		return false
	}
	for it := recorded.ElementIterator(); it.Next(); {
		k, rv := it.Element()
		name := k.AsString()
		x, ok := obj[name]
		switch {
		case !ok || x == nil || name == "status":
			// Left out of the live value (status always is): recorded
			// holds what the live value would not.
			return false
		case name == "metadata":
			md, ok := x.(map[string]any)
			if !ok || !metadataMatches(md, rv) {
				return false
			}
		default:
			if !shapedMatches(x, rv, name) {
				return false
			}
		}
	}
	return true
}

// plainObject: a known, non-null, unmarked object value, whose attribute
// names come from the live object unchanged (ASCII, so no NFC
// normalisation could merge two).
func plainObject(v cty.Value) bool {
	if v == cty.NilVal || v.IsMarked() || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return false
	}
	for name := range v.Type().AttributeTypes() {
		if !ascii(name) {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// metadataMatches is asLiveValueOf for converter.metadata.
func metadataMatches(md map[string]any, recorded cty.Value) bool {
	if !plainObject(recorded) {
		return false
	}
	for it := recorded.ElementIterator(); it.Next(); {
		k, rv := it.Element()
		name := k.AsString()
		x, ok := md[name]
		if !ok || x == nil || isNoiseMetadata(name) {
			return false
		}
		if ann, isMap := x.(map[string]any); isMap && name == "annotations" {
			if liveAnnotations(ann) == 0 || !plainObject(rv) {
				return false
			}
			for it := rv.ElementIterator(); it.Next(); {
				k, av := it.Element()
				a := k.AsString()
				y, ok := ann[a]
				if !ok || y == nil || isNoiseAnnotation(a) || !shapedMatches(y, av, a) {
					return false
				}
			}
			continue
		}
		if !shapedMatches(x, rv, name) {
			return false
		}
	}
	return true
}

// shapedMatches is asLiveValueOf for converter.shaped with the shape of
// recorded.
func shapedMatches(v any, recorded cty.Value, field string) bool {
	if recorded.IsMarked() || !recorded.IsKnown() || recorded.IsNull() {
		return false
	}
	ty := recorded.Type()
	switch {
	case ty.IsObjectType():
		m, ok := v.(map[string]any)
		if !ok {
			return wholeMatches(v, recorded)
		}
		if !plainObject(recorded) {
			return false
		}
		for it := recorded.ElementIterator(); it.Next(); {
			k, rv := it.Element()
			name := k.AsString()
			x, ok := m[name]
			if !ok || x == nil || !shapedMatches(x, rv, name) {
				return false
			}
		}
		return true
	case ty.IsTupleType():
		l, ok := v.([]any)
		if !ok {
			return wholeMatches(v, recorded)
		}
		// The live list is cut to the recorded length: more live
		// elements are not compared, fewer make a shorter value. Named
		// elements are paired by name (kube.PairByName).
		n := recorded.LengthInt()
		if kube.NamedList(field) && n > 0 && len(l) > 0 && firstNamed(recorded) {
			rs := recorded.AsValueSlice()
			if pairs, ordered, ok := kube.PairByName(n, len(l), func(i int) string { return recordedName(rs[i]) }, func(j int) string { return kube.NameOf(l[j]) }); ok {
				return kube.MatchPaired(pairs, ordered, func(i, j int) bool { return shapedMatches(l[j], rs[i], "") })
			}
		}
		if len(l) < n {
			return false
		}
		i := 0
		for it := recorded.ElementIterator(); it.Next(); i++ {
			_, rv := it.Element()
			if !shapedMatches(l[i], rv, "") {
				return false
			}
		}
		return true
	case ty.IsMapType(), ty.IsListType(), ty.IsSetType():
		return false // never built from a live object
	}
	return wholeMatches(v, recorded)
}

// recordedName is the name of an element of a recorded list, as
// kube.NameOf reads the live one's: its string attribute name, or "".
func recordedName(e cty.Value) string {
	if e.IsMarked() || !e.IsKnown() || e.IsNull() || !e.Type().IsObjectType() || !e.Type().HasAttribute("name") {
		return ""
	}
	n := e.GetAttr("name")
	if n.IsMarked() || !n.IsKnown() || n.IsNull() || n.Type() != cty.String {
		return ""
	}
	return n.AsString()
}

// firstNamed reports whether the first element of the recorded list has
// a name: only then may its elements pair by name (kube.PairByName), and
// only then are they gathered to be.
func firstNamed(recorded cty.Value) bool {
	it := recorded.ElementIterator()
	if !it.Next() {
		return false
	}
	_, e := it.Element()
	return recordedName(e) != ""
}

// wholeMatches is asLiveValueOf for converter.whole.
func wholeMatches(v any, recorded cty.Value) bool {
	if recorded.IsMarked() || !recorded.IsKnown() {
		return false
	}
	if v == nil {
		return recorded.IsNull() && recorded.Type() == cty.DynamicPseudoType
	}
	if recorded.IsNull() {
		return false
	}
	ty := recorded.Type()
	switch x := v.(type) {
	case string:
		return ty == cty.String && recorded.AsString() == kube.ValidUTF8(x)
	case bool:
		return ty == cty.Bool && recorded.True() == x
	case int64:
		if ty != cty.Number {
			return false
		}
		n, acc := recorded.AsBigFloat().Int64()
		return acc == big.Exact && n == x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || ty != cty.Number {
			return false
		}
		return kube.FloatVal(x).RawEquals(recorded)
	case map[string]any:
		if !ty.IsObjectType() || len(ty.AttributeTypes()) != len(x) || !plainObject(recorded) && len(x) > 0 {
			return false
		}
		for k, e := range x {
			if !ty.HasAttribute(k) || !wholeMatches(e, recorded.GetAttr(k)) {
				return false
			}
		}
		return true
	case []any:
		if !ty.IsTupleType() || recorded.LengthInt() != len(x) {
			return false
		}
		i := 0
		for it := recorded.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			if !wholeMatches(x[i], e) {
				return false
			}
		}
		return true
	}
	return false
}
