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

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// unmarshalType is ctyjson.UnmarshalType, read by a parser straight into
// cty or, for what it leaves (optional attributes, anything unusual),
// with json.Unmarshal into generic values first: cty's own parser reads token by token with
// json.Decoder.Token, which is several times slower. A type typeOf
// refuses goes to cty's parser only for its error message; cty panics on
// some malformed types (an optional attribute the object does not
// declare), which is caught here and returned as an error.
func unmarshalType(b []byte) (t cty.Type, err error) {
	p := getParser(b)
	t, err = p.wholeType()
	putParser(p)
	if err == nil {
		return t, nil
	}
	var raw any
	var fastErr error
	if err := json.Unmarshal(b, &raw); err == nil {
		if t, fastErr = typeOf(raw); fastErr == nil {
			return t, nil
		}
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = cty.NilType, fmt.Errorf("not a valid type: %v", r)
			if fastErr != nil && fastErr != errUnsupportedType {
				err = fastErr
			}
		}
	}()
	return ctyjson.UnmarshalType(b)
}

// primitiveType is the type a JSON type description names with a bare
// string, as cty writes them.
func primitiveType(name string) (cty.Type, bool) {
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

func typeOf(raw any) (cty.Type, error) {
	switch x := raw.(type) {
	case string:
		if t, ok := primitiveType(x); ok {
			return t, nil
		}
	case []any:
		if len(x) < 2 {
			break
		}
		kind, _ := x[0].(string)
		switch kind {
		case "list", "set", "map":
			et, err := typeOf(x[1])
			if err != nil {
				return cty.NilType, err
			}
			switch kind {
			case "list":
				return cty.List(et), nil
			case "set":
				return cty.Set(et), nil
			default:
				return cty.Map(et), nil
			}
		case "object":
			if len(x) != 2 && len(x) != 3 {
				break
			}
			attrs, ok := x[1].(map[string]any)
			if !ok {
				break
			}
			ats := make(map[string]cty.Type, len(attrs))
			for k, v := range attrs {
				t, err := typeOf(v)
				if err != nil {
					return cty.NilType, err
				}
				ats[k] = t
			}
			if len(x) == 2 {
				return cty.Object(ats), nil
			}
			// ["object", {...}, ["name", ...]]: the optional attributes,
			// each of which the object must declare (cty panics otherwise).
			names, ok := x[2].([]any)
			if !ok {
				break
			}
			optional := make([]string, 0, len(names))
			for _, n := range names {
				name, ok := n.(string)
				if !ok {
					return cty.NilType, fmt.Errorf("an optional attribute name is not a string")
				}
				if _, declared := ats[name]; !declared {
					return cty.NilType, fmt.Errorf("optional attribute %q is not an attribute of the object", name)
				}
				optional = append(optional, name)
			}
			return cty.ObjectWithOptionalAttrs(ats, optional), nil
		case "tuple":
			elems, ok := x[1].([]any)
			if !ok || len(x) != 2 {
				break
			}
			ets := make([]cty.Type, len(elems))
			for i, e := range elems {
				t, err := typeOf(e)
				if err != nil {
					return cty.NilType, err
				}
				ets[i] = t
			}
			return cty.Tuple(ets), nil
		}
	}
	return cty.NilType, errUnsupportedType
}

var errUnsupportedType = fmt.Errorf("unsupported type")
