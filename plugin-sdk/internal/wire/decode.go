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
	"errors"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// unmarshal decodes go-cty's msgpack form of a value of type ty, as
// ctymsgpack.Unmarshal does, and gives the same value.
//
// It exists for one reason: cty reads the type of every dynamic value
// with encoding/json's token stream, one decoder per level of nesting,
// and an app's objects are dynamic values whose types describe every
// field of every object. Reading those types was a third of the
// kubernetes provider's CPU in a no-op plan of 1,000 apps. This reads
// them in one pass. Anything else it leaves to cty: a buffer holding an
// unknown value (an extension type, with cty's refinements), a type
// description it does not read, and every error are decoded by
// ctymsgpack.Unmarshal from the start, so the values, the errors and
// their messages are cty's. FuzzDecode holds the two to the same result.
func unmarshal(b []byte, ty cty.Type) (cty.Value, error) {
	v, err := decodeOwn(b, ty)
	if err != nil {
		return ctymsgpack.Unmarshal(b, ty)
	}
	return v, nil
}

// decodeOwn is unmarshal without cty's reading: a panic of cty's value
// constructors (a list whose elements differ in type) is an error here,
// for cty's reading to report as it does.
func decodeOwn(b []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, errDefer
		}
	}()
	r := bytes.NewReader(b)
	d := &decoder{dec: msgpack.NewDecoder(r), r: r}
	if v, err = d.value(ty); err != nil {
		return cty.NilVal, err
	}
	// Trailing bytes are ignored, as cty ignores them.
	return v, nil
}

// errDefer says the decoder leaves the buffer to cty.
var errDefer = errors.New("decoded by cty")

type decoder struct {
	dec *msgpack.Decoder
	r   *bytes.Reader
}

// left is how many bytes are still to read.
func (d *decoder) left() int { return d.r.Len() }

func (d *decoder) value(ty cty.Type) (cty.Value, error) {
	code, err := d.dec.PeekCode()
	if err != nil {
		return cty.NilVal, err
	}
	if msgpcode.IsExt(code) {
		return cty.NilVal, errDefer // an unknown value
	}
	if ty == cty.DynamicPseudoType {
		return d.dynamic()
	}
	if code == msgpcode.Nil {
		if err := d.dec.Skip(); err != nil {
			return cty.NilVal, err
		}
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.String:
		s, err := d.dec.DecodeString()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(s), nil
	case ty == cty.Bool:
		b, err := d.dec.DecodeBool()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.BoolVal(b), nil
	case ty == cty.Number:
		return d.number(code)
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		return d.sequence(ty)
	case ty.IsMapType():
		return d.mapping(ty.ElementType())
	case ty.IsObjectType():
		return d.object(ty.AttributeTypes())
	}
	return cty.NilVal, errDefer
}

func (d *decoder) number(code byte) (cty.Value, error) {
	switch {
	case msgpcode.IsFixedNum(code), code == msgpcode.Int8, code == msgpcode.Int16, code == msgpcode.Int32, code == msgpcode.Int64:
		n, err := d.dec.DecodeInt64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberIntVal(n), nil
	case code == msgpcode.Uint8, code == msgpcode.Uint16, code == msgpcode.Uint32, code == msgpcode.Uint64:
		n, err := d.dec.DecodeUint64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberUIntVal(n), nil
	case code == msgpcode.Float, code == msgpcode.Double:
		f, err := d.dec.DecodeFloat64()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.NumberFloatVal(f), nil
	}
	s, err := d.dec.DecodeString()
	if err != nil {
		return cty.NilVal, err
	}
	return cty.ParseNumberVal(s)
}

// sequence decodes a list, a set or a tuple.
func (d *decoder) sequence(ty cty.Type) (cty.Value, error) {
	n, err := d.dec.DecodeArrayLen()
	if err != nil {
		return cty.NilVal, err
	}
	tuple := ty.IsTupleType()
	var etys []cty.Type
	if tuple {
		etys = ty.TupleElementTypes()
	}
	switch {
	case n < 0:
		return cty.NullVal(ty), nil
	case n == 0 && ty.IsListType():
		return cty.ListValEmpty(ty.ElementType()), nil
	case n == 0 && ty.IsSetType():
		return cty.SetValEmpty(ty.ElementType()), nil
	case n == 0:
		return cty.EmptyTupleVal, nil
	case tuple && n != len(etys):
		return cty.NilVal, errDefer
	}
	// Each element takes a byte at least: a length the buffer cannot
	// hold is not allocated.
	vals := make([]cty.Value, 0, min(n, d.left()))
	for i := range n {
		var ety cty.Type
		if tuple {
			ety = etys[i]
		} else {
			ety = ty.ElementType()
		}
		v, err := d.value(ety)
		if err != nil {
			return cty.NilVal, err
		}
		vals = append(vals, v)
	}
	switch {
	case ty.IsListType():
		return cty.ListVal(vals), nil
	case ty.IsSetType():
		return cty.SetVal(vals), nil
	}
	return cty.TupleVal(vals), nil
}

func (d *decoder) mapping(ety cty.Type) (cty.Value, error) {
	n, err := d.dec.DecodeMapLen()
	if err != nil {
		return cty.NilVal, err
	}
	switch {
	case n < 0:
		return cty.NullVal(cty.Map(ety)), nil
	case n == 0:
		return cty.MapValEmpty(ety), nil
	}
	vals := make(map[string]cty.Value, min(n, d.left()))
	for range n {
		k, err := d.dec.DecodeString()
		if err != nil {
			return cty.NilVal, err
		}
		if vals[k], err = d.value(ety); err != nil {
			return cty.NilVal, err
		}
	}
	return cty.MapVal(vals), nil
}

func (d *decoder) object(atys map[string]cty.Type) (cty.Value, error) {
	n, err := d.dec.DecodeMapLen()
	if err != nil {
		return cty.NilVal, err
	}
	switch {
	case n < 0:
		return cty.NullVal(cty.Object(atys)), nil
	case n == 0:
		return cty.EmptyObjectVal, nil
	case n != len(atys):
		return cty.NilVal, errDefer
	}
	vals := make(map[string]cty.Value, n) // n is len(atys)
	for range n {
		k, err := d.dec.DecodeString()
		if err != nil {
			return cty.NilVal, err
		}
		aty, ok := atys[k]
		if !ok {
			return cty.NilVal, errDefer
		}
		if vals[k], err = d.value(aty); err != nil {
			return cty.NilVal, err
		}
	}
	return cty.ObjectVal(vals), nil
}

// dynamic decodes a dynamic value: null, or its type's JSON and the value.
func (d *decoder) dynamic() (cty.Value, error) {
	n, err := d.dec.DecodeArrayLen()
	if err != nil {
		return cty.NilVal, err
	}
	switch {
	case n == -1:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case n != 2:
		return cty.NilVal, errDefer
	}
	js, err := d.dec.DecodeBytes()
	if err != nil {
		return cty.NilVal, err
	}
	ty, err := parseType(js)
	if err != nil {
		return cty.NilVal, err
	}
	return d.value(ty)
}

// parseType reads the JSON of a cty type (see cty.Type.MarshalJSON) in
// one pass; what it does not read is cty's to read.
func parseType(js []byte) (cty.Type, error) {
	p := &typeParser{b: js}
	ty, ok := p.typ()
	p.space()
	if !ok || p.i != len(p.b) {
		var t cty.Type
		err := t.UnmarshalJSON(js)
		return t, err
	}
	return ty, nil
}

type typeParser struct {
	b     []byte
	i     int
	depth int // of the type being read; 1 for the root
}

func (p *typeParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next skips space and reports whether the next byte is c, taking it.
func (p *typeParser) next(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string.
func (p *typeParser) str() (string, bool) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	start := p.i
	escaped := false
	for j := start + 1; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return "", false
		case c == '"':
			p.i = j + 1
			if !escaped {
				return string(p.b[start+1 : j]), true
			}
			var s string
			if err := json.Unmarshal(p.b[start:j+1], &s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

func (p *typeParser) typ() (cty.Type, bool) {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '"' {
		name, ok := p.str()
		if !ok {
			return cty.NilType, false
		}
		switch name {
		case "string":
			return cty.String, true
		case "number":
			return cty.Number, true
		case "bool":
			return cty.Bool, true
		case "dynamic":
			return cty.DynamicPseudoType, true
		}
		return cty.NilType, false
	}
	// The root of a description is not cached: it is the one part that
	// differs between values (an app's objects, keyed by their names),
	// so keeping it would only hold memory.
	p.depth++
	defer func() { p.depth-- }()
	start, end := p.i, -1
	if p.depth > 1 && p.i < len(p.b) && p.b[p.i] == '[' {
		if end = span(p.b, p.i); end-start >= minCachedType {
			if ty, ok := types.get(p.b[start:end]); ok {
				p.i = end
				return ty, true
			}
		}
	}
	ty, ok := p.composite()
	if ok && p.depth > 1 && end-start >= minCachedType && p.i == end {
		types.put(p.b[start:end], ty)
	}
	return ty, ok
}

// composite reads a list, set, map, object or tuple type.
func (p *typeParser) composite() (cty.Type, bool) {
	if !p.next('[') {
		return cty.NilType, false
	}
	kind, ok := p.str()
	if !ok || !p.next(',') {
		return cty.NilType, false
	}
	var ty cty.Type
	switch kind {
	case "list", "set", "map":
		ety, ok := p.typ()
		if !ok {
			return cty.NilType, false
		}
		switch kind {
		case "list":
			ty = cty.List(ety)
		case "set":
			ty = cty.Set(ety)
		default:
			ty = cty.Map(ety)
		}
	case "object":
		atys, ok := p.attrs()
		if !ok {
			return cty.NilType, false
		}
		if p.next(',') {
			optional, ok := p.names()
			if !ok {
				return cty.NilType, false
			}
			ty = cty.ObjectWithOptionalAttrs(atys, optional)
		} else {
			ty = cty.Object(atys)
		}
	case "tuple":
		if !p.next('[') {
			return cty.NilType, false
		}
		var etys []cty.Type
		if !p.next(']') {
			for {
				ety, ok := p.typ()
				if !ok {
					return cty.NilType, false
				}
				etys = append(etys, ety)
				if p.next(']') {
					break
				}
				if !p.next(',') {
					return cty.NilType, false
				}
			}
		}
		ty = cty.Tuple(etys)
	default:
		return cty.NilType, false
	}
	if !p.next(']') {
		return cty.NilType, false
	}
	return ty, true
}

// attrs reads the attribute types of an object type.
func (p *typeParser) attrs() (map[string]cty.Type, bool) {
	if !p.next('{') {
		return nil, false
	}
	atys := map[string]cty.Type{}
	if p.next('}') {
		return atys, true
	}
	for {
		name, ok := p.str()
		if !ok || !p.next(':') {
			return nil, false
		}
		if _, dup := atys[name]; dup {
			return nil, false // cty's reading decides
		}
		if atys[name], ok = p.typ(); !ok {
			return nil, false
		}
		if p.next('}') {
			return atys, true
		}
		if !p.next(',') {
			return nil, false
		}
	}
}

// names reads a list of strings.
func (p *typeParser) names() ([]string, bool) {
	if !p.next('[') {
		return nil, false
	}
	var out []string
	if p.next(']') {
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.next(']') {
			return out, true
		}
		if !p.next(',') {
			return nil, false
		}
	}
}
