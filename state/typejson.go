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
	"slices"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// A type's JSON is written by appendTypeJSON, byte for byte what
// ctyjson.MarshalType writes. go-cty's writer goes through encoding/json
// once per nested type, and encoding/json validates and copies what each
// returns: for the states of 1,000 apps, written at every checkpoint and
// in every journal entry, that was most of the cost of encoding a state.
// plugin-sdk's wire encoder has a writer of the same JSON; it is internal
// to that module, which state does not import.

// jsonWriter writes values' and types' JSON (valuejson.go). names holds
// the sorted attribute names of the object types being written, nested
// ones after their parent's, and err what go-cty said of a type it
// cannot write.
type jsonWriter struct {
	names []string
	err   error
}

func appendTypeJSON(b []byte, ty cty.Type) ([]byte, error) {
	var w jsonWriter
	b = w.append(b, ty)
	return b, w.err
}

// sortedNames appends the attribute names of atys to w.names, sorted, and
// returns them and the length of w.names to cut back to once they are
// written. A nested object appends after them: a slice returned before
// stays valid when w.names grows.
func (w *jsonWriter) sortedNames(atys map[string]cty.Type) ([]string, int) {
	start := len(w.names)
	for k := range atys {
		w.names = append(w.names, k)
	}
	names := w.names[start:]
	slices.Sort(names)
	return names, start
}

func (w *jsonWriter) append(b []byte, ty cty.Type) []byte {
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
		return append(w.append(append(b, `["list",`...), ty.ElementType()), ']')
	case ty.IsMapType():
		return append(w.append(append(b, `["map",`...), ty.ElementType()), ']')
	case ty.IsSetType():
		return append(w.append(append(b, `["set",`...), ty.ElementType()), ']')
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		names, start := w.sortedNames(atys)
		b = append(b, `["object",{`...)
		for i, k := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = w.append(b, atys[k])
		}
		w.names = w.names[:start]
		b = append(b, '}')
		if optionals := ty.OptionalAttributes(); len(optionals) > 0 {
			names := make([]string, 0, len(optionals))
			for k := range optionals {
				names = append(names, k)
			}
			slices.Sort(names)
			b = append(b, ",["...)
			for i, k := range names {
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
			b = w.append(b, ety)
		}
		return append(b, "]]"...)
	}
	// Capsule types have no JSON: go-cty says so.
	js, err := ty.MarshalJSON()
	if err != nil && w.err == nil {
		w.err = err
	}
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

// MarshalType is ctyjson.MarshalType, byte for byte, without its trip
// through encoding/json for every nested type. Saved plans write the
// type of every value they hold with it.
func MarshalType(ty cty.Type) ([]byte, error) {
	return appendTypeJSON(nil, ty)
}

// UnmarshalType is ctyjson.UnmarshalType, read without cty's token by
// token parser where it can be (see unmarshalType). It never panics: a
// type cty would panic on is an error.
func UnmarshalType(b []byte) (cty.Type, error) {
	return unmarshalType(b)
}
