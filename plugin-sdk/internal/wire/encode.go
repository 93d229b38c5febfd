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

package wire

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/big"
	"slices"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// marshal encodes v against ty in go-cty's msgpack form, byte for byte
// what ctymsgpack.Marshal writes.
//
// It exists for the reason unmarshal does: go-cty writes each dynamic
// value's type with encoding/json, which checks and compacts the JSON of
// every nested type again at each level, and the state of 1,000 apps
// sent for a refresh spent most of its encoding there. This writes the
// same bytes in one pass. A value that is not wholly known, carries
// marks, does not conform to ty or holds an infinity is left to go-cty,
// found on the way rather than by walking the value first.
// TestEncodeLikeCty holds the two to the same bytes.
func marshal(v cty.Value, ty cty.Type) ([]byte, error) {
	if b, ok := marshalOwn(v, ty); ok {
		return b, nil
	}
	return ctymsgpack.Marshal(v, ty)
}

// marshalOwn is marshal without go-cty's encoder: false leaves v to it.
func marshalOwn(v cty.Value, ty cty.Type) ([]byte, bool) {
	if len(v.Type().TestConformance(ty)) > 0 {
		return nil, false
	}
	var buf bytes.Buffer
	e := &encoder{}
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.UseCompactFloats(false)
	if err := e.value(enc, v, ty); err != nil || e.defer_ {
		return nil, false
	}
	return buf.Bytes(), true
}

type encoder struct {
	// defer_ says the value holds something go-cty must write.
	defer_ bool
	// typeBuf is reused for the JSON of types.
	typeBuf []byte
	// names holds the sorted attribute names of the objects being
	// written, nested ones after their parent's (see sortedNames).
	names []string
}

// sortedNames appends the attribute names of atys to e.names, sorted, and
// returns them and the length of e.names to cut back to once they are
// written. A nested object appends after them: a slice returned before
// stays valid when e.names grows.
func (e *encoder) sortedNames(atys map[string]cty.Type) ([]string, int) {
	start := len(e.names)
	for k := range atys {
		e.names = append(e.names, k)
	}
	names := e.names[start:]
	slices.Sort(names)
	return names, start
}

func (e *encoder) value(enc *msgpack.Encoder, v cty.Value, ty cty.Type) error {
	if e.defer_ || v.IsMarked() || !v.IsKnown() {
		e.defer_ = true
		return nil
	}
	if ty == cty.DynamicPseudoType && v.Type() != cty.DynamicPseudoType {
		return e.dynamic(enc, v)
	}
	if v.IsNull() {
		return enc.EncodeNil()
	}
	switch {
	case ty == cty.String:
		return enc.EncodeString(v.AsString())
	case ty == cty.Bool:
		return enc.EncodeBool(v.True())
	case ty == cty.Number:
		if v.RawEquals(cty.PositiveInfinity) || v.RawEquals(cty.NegativeInfinity) {
			e.defer_ = true
			return nil
		}
		bf := v.AsBigFloat()
		if iv, acc := bf.Int64(); acc == big.Exact {
			return enc.EncodeInt(iv)
		}
		if fv, acc := bf.Float64(); acc == big.Exact && !bf.IsInt() {
			return enc.EncodeFloat64(fv)
		}
		return enc.EncodeString(bf.Text('f', -1))
	case ty.IsListType(), ty.IsSetType():
		if err := enc.EncodeArrayLen(v.LengthInt()); err != nil {
			return err
		}
		ety := ty.ElementType()
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if err := e.value(enc, ev, ety); err != nil {
				return err
			}
		}
		return nil
	case ty.IsMapType():
		if err := enc.EncodeMapLen(v.LengthInt()); err != nil {
			return err
		}
		ety := ty.ElementType()
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if err := enc.EncodeString(k.AsString()); err != nil {
				return err
			}
			if err := e.value(enc, ev, ety); err != nil {
				return err
			}
		}
		return nil
	case ty.IsTupleType():
		etys := ty.TupleElementTypes()
		if err := enc.EncodeArrayLen(len(etys)); err != nil {
			return err
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			if err := e.value(enc, ev, etys[i]); err != nil {
				return err
			}
		}
		return nil
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		names, start := e.sortedNames(atys)
		defer func() { e.names = e.names[:start] }()
		if err := enc.EncodeMapLen(len(names)); err != nil {
			return err
		}
		for _, k := range names {
			if err := enc.EncodeString(k); err != nil {
				return err
			}
			if err := e.value(enc, v.GetAttr(k), atys[k]); err != nil {
				return err
			}
		}
		return nil
	}
	e.defer_ = true
	return nil
}

// dynamic writes a dynamic value as go-cty does: an array of its type's
// JSON and the value, the value written by an encoder of go-cty's own
// making, which does not use compact integers.
func (e *encoder) dynamic(enc *msgpack.Encoder, v cty.Value) error {
	ty := v.Type()
	e.typeBuf = e.appendTypeJSON(e.typeBuf[:0], ty)
	var buf bytes.Buffer
	inner := msgpack.NewEncoder(&buf)
	if err := inner.EncodeArrayLen(2); err != nil {
		return err
	}
	if err := inner.EncodeBytes(e.typeBuf); err != nil {
		return err
	}
	if err := e.value(inner, v, ty); err != nil {
		return err
	}
	return enc.Encode(rawMsgpack(buf.Bytes()))
}

// rawMsgpack is msgpack already written, as go-cty's dynamic values hand
// it to the encoder.
type rawMsgpack []byte

func (r rawMsgpack) MarshalMsgpack() ([]byte, error) { return r, nil }

// appendTypeJSON appends the JSON cty.Type.MarshalJSON writes for ty.
func (e *encoder) appendTypeJSON(b []byte, ty cty.Type) []byte {
	switch {
	case ty == cty.String:
		return append(b, `"string"`...)
	case ty == cty.Number:
		return append(b, `"number"`...)
	case ty == cty.Bool:
		return append(b, `"bool"`...)
	case ty == cty.DynamicPseudoType:
		return append(b, `"dynamic"`...)
	case ty.IsListType():
		return append(e.appendTypeJSON(append(b, `["list",`...), ty.ElementType()), ']')
	case ty.IsMapType():
		return append(e.appendTypeJSON(append(b, `["map",`...), ty.ElementType()), ']')
	case ty.IsSetType():
		return append(e.appendTypeJSON(append(b, `["set",`...), ty.ElementType()), ']')
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		names, start := e.sortedNames(atys)
		b = append(b, `["object",{`...)
		for i, k := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = e.appendTypeJSON(b, atys[k])
		}
		e.names = e.names[:start]
		b = append(b, '}')
		if optionals := ty.OptionalAttributes(); len(optionals) > 0 {
			b = append(b, ",["...)
			for i, k := range slices.Sorted(maps.Keys(optionals)) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, k)
			}
			b = append(b, ']')
		}
		return append(b, ']')
	case ty.IsTupleType():
		b = append(b, `["tuple",[`...)
		for i, ety := range ty.TupleElementTypes() {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendTypeJSON(b, ety)
		}
		return append(b, "]]"...)
	}
	// Capsule types have no JSON: go-cty's encoder reports it.
	js, _ := ty.MarshalJSON()
	return append(b, js...)
}

// appendJSONString appends s as encoding/json writes it (HTML-safe).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			js, _ := json.Marshal(s)
			return append(b, js...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
