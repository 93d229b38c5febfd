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
	"encoding/json"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// A parser reads a value's or a type's JSON straight into cty, token by
// token over the bytes, with no generic values in between: a state of
// thousands of objects is mostly these, and every allocation saved there
// is garbage the collector need not chase. It accepts only what it reads
// exactly as cty's own parser does; for anything else (a dynamic value, a
// duplicate key, a token of another kind than the type says, a string
// that needs replacing) it says errSlowPath, and the caller reads the
// value the way it did before. encoding/json has no API for this, and
// cty's parser is the slow one it replaces, hence a hand-written reader.
//
// A parser interns what repeats between objects: attribute names, short
// strings and numbers, each kept as one cty.Value. cty values are
// immutable, so sharing them is safe.
type parser struct {
	b    []byte
	i    int
	keys map[string]string
	strs map[string]cty.Value
	nums map[string]cty.Value
	// types are the composite types read inside another, by their
	// JSON (see typ); typeBytes is the length of their keys.
	types     map[string]cty.Type
	typeBytes int
}

// internMax bounds what a pooled parser keeps between uses.
const (
	internMax    = 1 << 13
	internMaxLen = 64
)

var parsers = sync.Pool{New: func() any {
	return &parser{
		keys:  make(map[string]string, 256),
		strs:  make(map[string]cty.Value, 256),
		nums:  make(map[string]cty.Value, 64),
		types: make(map[string]cty.Type, 64),
	}
}}

func getParser(b []byte) *parser {
	p := parsers.Get().(*parser)
	p.b, p.i = b, 0
	return p
}

func putParser(p *parser) {
	p.b = nil
	if len(p.keys) > internMax {
		clear(p.keys)
	}
	if len(p.strs) > internMax {
		clear(p.strs)
	}
	if len(p.nums) > internMax {
		clear(p.nums)
	}
	if p.typeBytes > maxTypeBytes {
		clear(p.types)
		p.typeBytes = 0
	}
	parsers.Put(p)
}

func (p *parser) space() {
	b, i := p.b, p.i
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	p.i = i
}

// peek skips space and returns the next byte, or 0 at the end.
func (p *parser) peek() byte {
	p.space()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

// atEnd skips space and says whether nothing follows: peek's 0 cannot
// tell the end from a NUL byte in the input.
func (p *parser) atEnd() bool {
	p.space()
	return p.i >= len(p.b)
}

// lit consumes the literal s (null, true, false) if it is next.
func (p *parser) lit(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// rawString reads the string at p.i (its opening quote) and returns its
// bytes when they need no unescaping and are valid UTF-8, or plain false
// when the string must be decoded (escaped reports whether decoding it
// is worth trying).
func (p *parser) rawString() (raw []byte, escaped, ok bool) {
	b := p.b
	start := p.i + 1
	high := false
	for i := start; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			raw = b[start:i]
			if high && !utf8.Valid(raw) {
				return nil, false, false
			}
			return raw, false, true
		case c == '\\':
			return nil, true, false
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			high = true
		}
	}
	return nil, false, false
}

// str reads a string, escaped or not; intern says to keep it for reuse.
func (p *parser) str() (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	start := p.i
	raw, escaped, ok := p.rawString()
	if ok {
		return string(raw), true
	}
	if !escaped {
		return "", false
	}
	end := skipString(p.b, start)
	if end < 0 {
		return "", false // the string never ends
	}
	var s string
	if json.Unmarshal(p.b[start:end], &s) != nil || !utf8.ValidString(s) {
		return "", false
	}
	p.i = end
	return s, true
}

// key reads an object key and the colon after it, interned.
func (p *parser) key() (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	start := p.i
	raw, _, ok := p.rawString()
	var k string
	if ok {
		if s, hit := p.keys[string(raw)]; hit {
			k = s
		} else {
			k = string(raw)
			p.keys[k] = k
		}
	} else {
		p.i = start
		if k, ok = p.str(); !ok {
			return "", false
		}
	}
	if p.peek() != ':' {
		return "", false
	}
	p.i++
	return k, true
}

// next consumes the comma before another member or element and reports
// true, or the closing bracket and reports false; ok is false for
// anything else.
func (p *parser) next(closing byte) (more, ok bool) {
	switch p.peek() {
	case ',':
		p.i++
		return true, true
	case closing:
		p.i++
		return false, true
	}
	return false, false
}

// open consumes the opening bracket c and reports whether the container
// is empty (its closing bracket consumed too).
func (p *parser) open(c, closing byte) (empty, ok bool) {
	if p.peek() != c {
		return false, false
	}
	p.i++
	if p.peek() == closing {
		p.i++
		return true, true
	}
	return false, true
}

// number reads a JSON number's text.
func (p *parser) number() ([]byte, bool) {
	b, i := p.b, p.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	p.i = i
	return b[start:i], true
}

// wholeValue reads b as a value of type ty.
func (p *parser) wholeValue(ty cty.Type) (cty.Value, error) {
	v, err := p.value(ty)
	if err != nil {
		return cty.NilVal, err
	}
	if !p.atEnd() {
		return cty.NilVal, errSlowPath
	}
	return v, nil
}

func (p *parser) value(ty cty.Type) (cty.Value, error) {
	c := p.peek()
	if c == 'n' {
		if !p.lit("null") {
			return cty.NilVal, errSlowPath
		}
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.String:
		if c != '"' {
			return cty.NilVal, errSlowPath
		}
		start := p.i
		raw, _, ok := p.rawString()
		if ok {
			if len(raw) > internMaxLen {
				return cty.StringVal(string(raw)), nil
			}
			if v, hit := p.strs[string(raw)]; hit {
				return v, nil
			}
			v := cty.StringVal(string(raw))
			p.strs[string(raw)] = v
			return v, nil
		}
		p.i = start
		s, ok := p.str()
		if !ok {
			return cty.NilVal, errSlowPath
		}
		return cty.StringVal(s), nil
	case ty == cty.Number:
		text, ok := p.number()
		if !ok {
			return cty.NilVal, errSlowPath
		}
		if v, hit := p.nums[string(text)]; hit {
			return v, nil
		}
		v, err := cty.ParseNumberVal(string(text))
		if err != nil {
			return cty.NilVal, errSlowPath
		}
		if err := checkNumber(v); err != nil {
			return cty.NilVal, err
		}
		if len(text) <= internMaxLen {
			p.nums[string(text)] = v
		}
		return v, nil
	case ty == cty.Bool:
		switch {
		case p.lit("true"):
			return cty.True, nil
		case p.lit("false"):
			return cty.False, nil
		}
		return cty.NilVal, errSlowPath
	case ty.IsObjectType():
		empty, ok := p.open('{', '}')
		if !ok {
			return cty.NilVal, errSlowPath
		}
		ats := ty.AttributeTypes()
		vals := make(map[string]cty.Value, len(ats))
		for more := !empty; more; {
			name, ok := p.key()
			if !ok {
				return cty.NilVal, errSlowPath
			}
			at, known := ats[name]
			if !known {
				return cty.NilVal, errSlowPath // cty's error
			}
			if _, dup := vals[name]; dup {
				return cty.NilVal, errSlowPath
			}
			v, err := p.value(at)
			if err != nil {
				return cty.NilVal, err
			}
			vals[name] = v
			if more, ok = p.next('}'); !ok {
				return cty.NilVal, errSlowPath
			}
		}
		if len(vals) < len(ats) {
			for name, at := range ats {
				if _, present := vals[name]; present {
					continue
				}
				if !ty.AttributeOptional(name) {
					return cty.NilVal, errSlowPath
				}
				vals[name] = cty.NullVal(at)
			}
		}
		if len(vals) == 0 {
			return cty.EmptyObjectVal, nil
		}
		return cty.ObjectVal(vals), nil
	case ty.IsMapType():
		empty, ok := p.open('{', '}')
		if !ok {
			return cty.NilVal, errSlowPath
		}
		et := ty.ElementType()
		if empty {
			return cty.MapValEmpty(et), nil
		}
		vals := make(map[string]cty.Value)
		for more := true; more; {
			k, ok := p.key()
			if !ok {
				return cty.NilVal, errSlowPath
			}
			if _, dup := vals[k]; dup {
				return cty.NilVal, errSlowPath
			}
			v, err := p.value(et)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
			if more, ok = p.next('}'); !ok {
				return cty.NilVal, errSlowPath
			}
		}
		return cty.MapVal(vals), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		empty, ok := p.open('[', ']')
		if !ok {
			return cty.NilVal, errSlowPath
		}
		var ets []cty.Type
		var et cty.Type
		if ty.IsTupleType() {
			ets = ty.TupleElementTypes()
		} else {
			et = ty.ElementType()
		}
		var vals []cty.Value
		if ets != nil {
			vals = make([]cty.Value, 0, len(ets))
		}
		for more := !empty; more; {
			if ets != nil {
				if len(vals) == len(ets) {
					return cty.NilVal, p.tooMany(len(ets))
				}
				et = ets[len(vals)]
			}
			v, err := p.value(et)
			if err != nil {
				return cty.NilVal, err
			}
			vals = append(vals, v)
			if more, ok = p.next(']'); !ok {
				return cty.NilVal, errSlowPath
			}
		}
		switch {
		case ty.IsTupleType():
			if len(vals) != len(ets) {
				return cty.NilVal, tupleLengthError(len(vals), len(ets))
			}
			if len(vals) == 0 {
				return cty.EmptyTupleVal, nil
			}
			return cty.TupleVal(vals), nil
		case len(vals) == 0 && ty.IsListType():
			return cty.ListValEmpty(et), nil
		case len(vals) == 0:
			return cty.SetValEmpty(et), nil
		case ty.IsListType():
			return cty.ListVal(vals), nil
		}
		return cty.SetVal(vals), nil
	}
	// Dynamic values carry their type beside them; capsules never reach
	// state. Both are cty's to parse.
	return cty.NilVal, errSlowPath
}

// tooMany counts the elements of a tuple value that has more than its
// type's want of them, the parser past the first extra one's start.
func (p *parser) tooMany(want int) error {
	n := want
	for {
		end := skipValue(p.b, skipSpace(p.b, p.i))
		if end < 0 {
			return errSlowPath
		}
		n++
		p.i = end
		more, ok := p.next(']')
		if !ok {
			return errSlowPath
		}
		if !more {
			return tupleLengthError(n, want)
		}
	}
}

func tupleLengthError(got, want int) error {
	return fmt.Errorf("the value has %d elements where its tuple type has %d", got, want)
}

// wholeType reads b as a type.
func (p *parser) wholeType() (cty.Type, error) {
	t, err := p.readType()
	if err != nil {
		return cty.NilType, err
	}
	if !p.atEnd() {
		return cty.NilType, errSlowPath
	}
	return t, nil
}

// Type descriptions repeat between resources: each app's recorded
// objects spell out the type of every object, and the objects of 1,000
// apps have a few shapes between them. typ takes a composite type it has
// read before, from the same JSON, from p.types: a scan of its JSON
// instead of the allocation of its attribute maps, and the values read
// share one type. A whole description (wholeType) is not kept: it is what
// differs between resources.
const (
	// minCachedType is the shortest type JSON worth a lookup.
	minCachedType = 48
	// maxTypeBytes bounds the JSON a pooled parser keeps as keys.
	maxTypeBytes = 4 << 20
)

// typ reads a type inside another (see minCachedType).
func (p *parser) typ() (cty.Type, error) {
	if p.peek() != '[' {
		return p.readType()
	}
	start := p.i
	end := skipValue(p.b, start)
	if end-start < minCachedType {
		return p.readType()
	}
	if t, ok := p.types[string(p.b[start:end])]; ok {
		p.i = end
		return t, nil
	}
	t, err := p.readType()
	if err == nil && p.i == end {
		p.types[string(p.b[start:end])] = t
		p.typeBytes += end - start
	}
	return t, err
}

// readType reads a type.
func (p *parser) readType() (cty.Type, error) {
	switch p.peek() {
	case '"':
		raw, _, ok := p.rawString()
		if ok {
			if t, ok := primitiveType(string(raw)); ok {
				return t, nil
			}
		}
		return cty.NilType, errSlowPath
	case '[':
		p.i++
	default:
		return cty.NilType, errSlowPath
	}
	if p.peek() != '"' {
		return cty.NilType, errSlowPath
	}
	raw, _, ok := p.rawString()
	if !ok || p.peek() != ',' {
		return cty.NilType, errSlowPath
	}
	p.i++
	kind := string(raw) // no allocation: compared only
	var t cty.Type
	switch kind {
	case "list", "set", "map":
		et, err := p.typ()
		if err != nil {
			return cty.NilType, err
		}
		switch kind {
		case "list":
			t = cty.List(et)
		case "set":
			t = cty.Set(et)
		default:
			t = cty.Map(et)
		}
	case "object":
		empty, ok := p.open('{', '}')
		if !ok {
			return cty.NilType, errSlowPath
		}
		ats := make(map[string]cty.Type)
		for more := !empty; more; {
			name, ok := p.key()
			if !ok {
				return cty.NilType, errSlowPath
			}
			if _, dup := ats[name]; dup {
				return cty.NilType, errSlowPath
			}
			at, err := p.typ()
			if err != nil {
				return cty.NilType, err
			}
			ats[name] = at
			if more, ok = p.next('}'); !ok {
				return cty.NilType, errSlowPath
			}
		}
		if p.peek() == ',' {
			// The optional attributes: cty's and typeOf's to check.
			return cty.NilType, errSlowPath
		}
		t = cty.Object(ats)
	case "tuple":
		empty, ok := p.open('[', ']')
		if !ok {
			return cty.NilType, errSlowPath
		}
		var ets []cty.Type
		for more := !empty; more; {
			et, err := p.typ()
			if err != nil {
				return cty.NilType, err
			}
			ets = append(ets, et)
			if more, ok = p.next(']'); !ok {
				return cty.NilType, errSlowPath
			}
		}
		if ets == nil {
			ets = []cty.Type{}
		}
		t = cty.Tuple(ets)
	default:
		return cty.NilType, errSlowPath
	}
	if p.peek() != ']' {
		return cty.NilType, errSlowPath
	}
	p.i++
	return t, nil
}
