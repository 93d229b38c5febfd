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
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// A value's JSON is written by appendValueJSON, byte for byte what
// ctyjson.Marshal writes, in one pass. go-cty's writer is preceded here
// by two walks of the value (is it known, is it marked), sorts each
// object's names into a new slice, and writes the type of every dynamic
// value (an app's objects) through encoding/json; encoding the states of
// an apply of 1,000 apps, at every checkpoint and in every journal entry,
// was about a fifth of slipway's CPU.

// appendValue appends the JSON of v, of type t, and reports whether it
// could: a value that is unknown, marked, infinite or of a capsule type is
// left to go-cty, which says what is wrong with it (or writes it).
func (w *jsonWriter) appendValue(b []byte, v cty.Value, t cty.Type) ([]byte, bool) {
	if v.IsMarked() || !v.IsKnown() {
		return b, false
	}
	if t == cty.DynamicPseudoType && v.Type() != cty.DynamicPseudoType {
		b = append(b, `{"value":`...)
		b, ok := w.appendValue(b, v, v.Type())
		if !ok {
			return b, false
		}
		b = append(b, `,"type":`...)
		b = w.append(b, v.Type())
		return append(b, '}'), w.err == nil
	}
	if v.IsNull() {
		return append(b, "null"...), true
	}
	ok := true
	switch {
	case t == cty.String:
		return appendJSONString(b, v.AsString()), true
	case t == cty.Number:
		if v.RawEquals(cty.PositiveInfinity) || v.RawEquals(cty.NegativeInfinity) {
			return b, false
		}
		return appendNumber(b, v.AsBigFloat()), true
	case t == cty.Bool:
		if v.True() {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case t.IsListType(), t.IsSetType():
		b = append(b, '[')
		ety := t.ElementType()
		first := true
		for it := v.ElementIterator(); ok && it.Next(); first = false {
			if !first {
				b = append(b, ',')
			}
			_, ev := it.Element()
			b, ok = w.appendValue(b, ev, ety)
		}
		return append(b, ']'), ok
	case t.IsMapType():
		b = append(b, '{')
		ety := t.ElementType()
		first := true
		for it := v.ElementIterator(); ok && it.Next(); first = false {
			if !first {
				b = append(b, ',')
			}
			ek, ev := it.Element()
			b = appendJSONString(b, ek.AsString())
			b = append(b, ':')
			b, ok = w.appendValue(b, ev, ety)
		}
		return append(b, '}'), ok
	case t.IsTupleType():
		b = append(b, '[')
		etys := t.TupleElementTypes()
		i := 0
		for it := v.ElementIterator(); ok && it.Next(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			_, ev := it.Element()
			b, ok = w.appendValue(b, ev, etys[i])
		}
		return append(b, ']'), ok
	case t.IsObjectType():
		atys := t.AttributeTypes()
		names, start := w.sortedNames(atys)
		b = append(b, '{')
		for i, k := range names {
			if !ok {
				break
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b, ok = w.appendValue(b, v.GetAttr(k), atys[k])
		}
		w.names = w.names[:start]
		return append(b, '}'), ok
	}
	return b, false
}

// appendNumber appends f as big.Float's Append(b, 'f', -1) would: an
// integer that fits in an int64 (a port, a count of replicas: nearly
// every number of a state) through strconv, which does not look for the
// shortest decimal of a binary fraction. Writing the state of 1,000
// apps spent a third of a second in that search.
func appendNumber(b []byte, f *big.Float) []byte {
	if f.IsInt() && !(f.Sign() == 0 && f.Signbit()) {
		if i, acc := f.Int64(); acc == big.Exact {
			return strconv.AppendInt(b, i, 10)
		}
	}
	return f.Append(b, 'f', -1)
}
