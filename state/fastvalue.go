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

package state

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// unmarshalValue is ctyjson.Unmarshal, parsed with encoding/json into
// generic values first and then built by the type, for the same reason as
// unmarshalType: cty's own parser reads token by token. Anything it does
// not handle the same way (a dynamic value, a number that does not parse)
// goes to cty's parser.
func unmarshalValue(b []byte, ty cty.Type) (cty.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return ctyUnmarshal(b, ty)
	}
	v, err := valueOf(raw, ty)
	if err == errSlowPath {
		return ctyUnmarshal(b, ty)
	}
	return v, err
}

// ctyUnmarshal is ctyjson.Unmarshal, with its panics returned as errors:
// cty panics on some values that do not fit their type (a top-level tuple
// with too few elements, list elements of differing dynamic types).
func ctyUnmarshal(b []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("does not fit its type %s: %v", ty.FriendlyName(), r)
		}
	}()
	if v, err = ctyjson.Unmarshal(b, ty); err != nil {
		return cty.NilVal, err
	}
	err = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if v.Type() == cty.Number && v.IsKnown() && !v.IsNull() {
			return false, checkNumber(v)
		}
		return true, nil
	})
	return v, err
}

// maxExponent bounds the binary exponent of the numbers state holds, to
// about 10^±9864. Writing a number as decimal text takes time that grows
// with the square of its exponent: a state holding 1e-999999 would take
// hours to show or save again.
const maxExponent = 1 << 15

// checkNumber refuses a number too large or too small for state.
func checkNumber(v cty.Value) error {
	f := v.AsBigFloat()
	if f.IsInf() || f.Sign() == 0 {
		return nil
	}
	if exp := f.MantExp(nil); exp > maxExponent || exp < -maxExponent {
		return fmt.Errorf("a number is too large or too small: state holds numbers between about 10^-9864 and 10^9864 in magnitude")
	}
	return nil
}

var errSlowPath = fmt.Errorf("not decided by the fast path")

func valueOf(raw any, ty cty.Type) (cty.Value, error) {
	if raw == nil {
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.String:
		s, ok := raw.(string)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		return cty.StringVal(s), nil
	case ty == cty.Number:
		n, ok := raw.(json.Number)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		v, err := cty.ParseNumberVal(string(n))
		if err != nil {
			return cty.NilVal, errSlowPath
		}
		return v, checkNumber(v)
	case ty == cty.Bool:
		b, ok := raw.(bool)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		return cty.BoolVal(b), nil
	case ty.IsObjectType():
		m, ok := raw.(map[string]any)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		ats := ty.AttributeTypes()
		if len(m) > len(ats) {
			return cty.NilVal, errSlowPath // an unknown attribute: cty's error
		}
		vals := make(map[string]cty.Value, len(ats))
		for name, at := range ats {
			e, present := m[name]
			if !present {
				if !ty.AttributeOptional(name) {
					return cty.NilVal, errSlowPath
				}
				vals[name] = cty.NullVal(at)
				continue
			}
			v, err := valueOf(e, at)
			if err != nil {
				return cty.NilVal, err
			}
			vals[name] = v
		}
		for name := range m {
			if _, ok := ats[name]; !ok {
				return cty.NilVal, errSlowPath
			}
		}
		if len(vals) == 0 {
			return cty.EmptyObjectVal, nil
		}
		return cty.ObjectVal(vals), nil
	case ty.IsMapType():
		m, ok := raw.(map[string]any)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		if len(m) == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
		vals := make(map[string]cty.Value, len(m))
		for k, e := range m {
			v, err := valueOf(e, ty.ElementType())
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.MapVal(vals), nil
	case ty.IsListType() || ty.IsSetType():
		l, ok := raw.([]any)
		if !ok {
			return cty.NilVal, errSlowPath
		}
		et := ty.ElementType()
		if len(l) == 0 {
			if ty.IsListType() {
				return cty.ListValEmpty(et), nil
			}
			return cty.SetValEmpty(et), nil
		}
		vals := make([]cty.Value, len(l))
		for i, e := range l {
			v, err := valueOf(e, et)
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		if ty.IsListType() {
			return cty.ListVal(vals), nil
		}
		return cty.SetVal(vals), nil
	case ty.IsTupleType():
		l, ok := raw.([]any)
		ets := ty.TupleElementTypes()
		if !ok {
			return cty.NilVal, errSlowPath
		}
		if len(l) != len(ets) {
			return cty.NilVal, fmt.Errorf("the value has %d elements where its tuple type has %d", len(l), len(ets))
		}
		if len(l) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(l))
		for i, e := range l {
			v, err := valueOf(e, ets[i])
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		return cty.TupleVal(vals), nil
	}
	// Dynamic values carry their type beside them; capsules never reach
	// state. Both are cty's to parse.
	return cty.NilVal, errSlowPath
}
