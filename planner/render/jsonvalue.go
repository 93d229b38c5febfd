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

package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// jsonValue turns v into plain JSON data: unknown values and values at or
// under a sensitive path become null (their places are marked in the
// unknown and sensitive mirrors), numbers keep every digit.
func jsonValue(v cty.Value, path cty.Path, sens []cty.Path) any {
	if v == cty.NilVal || covered(sens, path) || !v.IsKnown() || v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		f := v.AsBigFloat()
		if f.IsInf() {
			return numberText(f) // JSON has no infinity; "+Inf" or "-Inf"
		}
		if exp := f.MantExp(nil); f.Sign() != 0 && (exp > maxShownExponent || exp < -maxShownExponent) {
			// Every digit of such a number takes time that grows with the
			// square of its exponent (hours for 1e-999999): it is given
			// as a string, to 16 significant digits.
			return approxNumberText(f)
		}
		return json.Number(numberText(f))
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out = append(out, jsonValue(e, path.Index(k), sens))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			p := path.Index(k)
			if ty.IsObjectType() {
				p = path.GetAttr(k.AsString())
			}
			out[k.AsString()] = jsonValue(e, p, sens)
		}
		return out
	}
	return nil
}

// mirror marks the places of v where mark holds with true, as Terraform's
// JSON plan does in after_unknown and *_sensitive: true for a marked
// value as a whole; for an unmarked object or map, an object holding only
// its members that have marks inside; for an unmarked sequence, an array
// as long as it with false for unmarked elements; false for anything
// else, null and primitive values included.
//
// mark decides a value outright (decided true, with its mark), or leaves
// it to be looked into.
func mirror(v cty.Value, path cty.Path, mark func(cty.Value, cty.Path) (marked, decided bool)) any {
	if v == cty.NilVal {
		return false
	}
	if marked, decided := mark(v, path); decided {
		return marked
	}
	if !v.IsKnown() || v.IsNull() {
		return false
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out = append(out, mirror(e, path.Index(k), mark))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			p := path.Index(k)
			if ty.IsObjectType() {
				p = path.GetAttr(k.AsString())
			}
			if m := mirror(e, p, mark); m != false {
				out[k.AsString()] = m
			}
		}
		return out
	}
	return false
}

// unknownMirror marks the unknown places of v. It does not look inside a
// sensitive value, whose keys and shape are as secret as its contents.
func unknownMirror(v cty.Value, sens []cty.Path) any {
	return mirror(v, nil, func(v cty.Value, p cty.Path) (bool, bool) {
		switch {
		case !v.IsKnown():
			return true, true
		case covered(sens, p):
			return false, true
		}
		return false, false
	})
}

func sensitiveMirror(v cty.Value, sens []cty.Path) any {
	return mirror(v, nil, func(_ cty.Value, p cty.Path) (bool, bool) {
		c := covered(sens, p)
		return c, c
	})
}

// jsonPath writes a path as Terraform writes replace_paths: a list of
// attribute names and index keys.
func jsonPath(p cty.Path) []any {
	out := make([]any, 0, len(p))
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			out = append(out, s.Name)
		case cty.IndexStep:
			out = append(out, jsonValue(s.Key, nil, nil))
		}
	}
	return out
}

// encodeJSON writes v indented, without HTML escaping, ending in a
// newline. encoding/json sorts map keys, which keeps output stable.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// approxNumberText writes a number of a huge exponent in scientific
// notation to 16 significant digits, without the decimal expansion
// numberText makes: its decimal exponent from the binary one, and its
// mantissa divided out at 128 bits of precision, by a power of ten made
// by squaring.
func approxNumberText(f *big.Float) string {
	mant := new(big.Float)
	exp := f.MantExp(mant)
	m, _ := mant.Float64()
	d := int64(math.Floor(math.Log10(math.Abs(m)) + float64(exp)*math.Log10(2)))
	x := new(big.Float).SetPrec(128).Abs(f)
	for range 2 { // the float64 estimate of d may be off by one
		p := pow10(d)
		q := new(big.Float).SetPrec(128).Quo(x, p)
		switch {
		case q.Cmp(big.NewFloat(10)) >= 0:
			d++
			continue
		case q.Cmp(big.NewFloat(1)) < 0:
			d--
			continue
		}
		v, _ := q.Float64()
		return fmt.Sprintf("%.15fe%+d", math.Copysign(v, float64(f.Sign())), d)
	}
	v, _ := new(big.Float).SetPrec(128).Quo(x, pow10(d)).Float64()
	return fmt.Sprintf("%.15fe%+d", math.Copysign(v, float64(f.Sign())), d)
}

// pow10 is 10^n at 128 bits of precision, n of any sign.
func pow10(n int64) *big.Float {
	r := new(big.Float).SetPrec(128).SetInt64(1)
	b := new(big.Float).SetPrec(128).SetInt64(10)
	neg := n < 0
	if neg {
		n = -n
	}
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r.Mul(r, b)
		}
		b.Mul(b, b)
	}
	if neg {
		r.Quo(new(big.Float).SetPrec(128).SetInt64(1), r)
	}
	return r
}
