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

package kube

import (
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// PlainValue is ToCtyJSON of a JSON-like value (what the JSON decoders
// of Kubernetes objects make: maps, slices, strings, bools, int64,
// float64 and nil), built in one walk of it with no JSON in between:
// objects, tuples, and null as a dynamic null, as ctyjson.ImpliedType
// and Unmarshal make them. ok is false for anything the walk does not
// expect (another number type, a NaN, two attribute names that
// normalise to one); ToCtyJSON then gives the value or the error.
//
// At 1,000 apps the JSON round trip of every planned object was the
// largest part of a first plan in the kubernetes provider.
func PlainValue(v any) (cty.Value, bool) {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), true
	case string:
		return cty.StringVal(ValidUTF8(x)), true
	case bool:
		return cty.BoolVal(x), true
	case int64:
		return IntVal(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return cty.DynamicVal, false
		}
		return FloatVal(x), true
	case map[string]any:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true // encoding/json writes null
		}
		attrs := make(map[string]cty.Value, len(x))
		for k, e := range x {
			ev, ok := PlainValue(e)
			if !ok {
				return cty.DynamicVal, false
			}
			attrs[k] = ev
		}
		return ObjectOf(attrs)
	case []any:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true
		}
		if len(x) == 0 {
			return cty.EmptyTupleVal, true
		}
		elems := make([]cty.Value, len(x))
		for i, e := range x {
			ev, ok := PlainValue(e)
			if !ok {
				return cty.DynamicVal, false
			}
			elems[i] = ev
		}
		return cty.TupleVal(elems), true
	default:
		return cty.DynamicVal, false
	}
}

// ObjectOf is the object value of attrs as ctyjson.Unmarshal makes it;
// ok is false for a name that is not in Unicode normal form C (cty
// normalises the type's names, and ctyjson then finds no attribute
// for the name as written), which ctyjson reports as an error.
func ObjectOf(attrs map[string]cty.Value) (cty.Value, bool) {
	if len(attrs) == 0 {
		return cty.EmptyObjectVal, true
	}
	for k := range attrs {
		if !ascii(k) && cty.NormalizeString(k) != k {
			return cty.DynamicVal, false
		}
	}
	return cty.ObjectVal(attrs), true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// IntVal and FloatVal make the numbers ctyjson.Unmarshal makes of the
// JSON encoding/json writes: cty.ParseNumberVal of the text.
func IntVal(n int64) cty.Value {
	return cty.NumberVal(new(big.Float).SetPrec(512).SetInt64(n))
}

// FloatVal is IntVal for a float64.
func FloatVal(f float64) cty.Value {
	// encoding/json's choice of format; the text parses to the same
	// number either way, as long as the digits are the shortest.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	v, err := cty.ParseNumberVal(strconv.FormatFloat(f, format, -1, 64))
	if err != nil {
		return cty.NumberFloatVal(f)
	}
	return v
}

// ValidUTF8 replaces each byte of s that is not UTF-8 with U+FFFD, as
// encoding/json does when it writes a string.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}
