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
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

// EncodeValue encodes v as msgpack against ty, converting it if it does not
// conform. cty.NilVal encodes as null; marks (such as sensitive) are
// dropped, since the schema says which attributes are sensitive.
func EncodeValue(v cty.Value, ty cty.Type) (*protocol.DynamicValue, error) {
	if v == cty.NilVal {
		v = cty.NullVal(ty)
	}
	b, err := marshal(v, ty)
	if err != nil && v.ContainsMarked() {
		// Unmarking copies the whole value, so only values that need it
		// pay for it.
		v, _ = v.UnmarkDeep()
		b, err = ctymsgpack.Marshal(v, ty)
	}
	if err != nil {
		return nil, pathError(err)
	}
	return &protocol.DynamicValue{Msgpack: b}, nil
}

// DecodeValue decodes a value encoded against ty; absent means null. The
// bytes come from another process: cty's panics on values that do not fit
// their type (a dynamic value naming a malformed type, say) are returned
// as errors, since values are decoded on goroutines nothing else recovers.
func DecodeValue(dv *protocol.DynamicValue, ty cty.Type) (v cty.Value, err error) {
	if dv == nil || len(dv.Msgpack) == 0 {
		return cty.NullVal(ty), nil
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("a value that does not fit its type %s: %v", ty.FriendlyName(), r)
		}
	}()
	if v, err = unmarshal(dv.Msgpack, ty); err != nil {
		return cty.NilVal, pathError(err)
	}
	return v, nil
}

// pathError adds the attribute path to cty's path errors, whose message
// alone does not name the attribute.
func pathError(err error) error {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return fmt.Errorf("%s: %w", FormatPath(pe.Path), err)
	}
	return err
}

// PathToProto converts a cty.Path; an empty path gives an empty message.
// Index keys other than strings and whole numbers cannot be expressed and
// end the path there.
func PathToProto(p cty.Path) *protocol.AttributePath {
	out := &protocol.AttributePath{Steps: make([]*protocol.AttributePath_Step, 0, len(p))}
	for _, step := range p {
		var s *protocol.AttributePath_Step
		switch step := step.(type) {
		case cty.GetAttrStep:
			s = &protocol.AttributePath_Step{Selector: &protocol.AttributePath_Step_AttributeName{AttributeName: step.Name}}
		case cty.IndexStep:
			k := step.Key
			if k.IsNull() || !k.IsKnown() {
				return out
			}
			switch k.Type() {
			case cty.String:
				s = &protocol.AttributePath_Step{Selector: &protocol.AttributePath_Step_ElementKeyString{ElementKeyString: k.AsString()}}
			case cty.Number:
				i, acc := k.AsBigFloat().Int64()
				if acc != big.Exact {
					return out
				}
				s = &protocol.AttributePath_Step{Selector: &protocol.AttributePath_Step_ElementKeyInt{ElementKeyInt: i}}
			default:
				return out
			}
		default:
			return out
		}
		out.Steps = append(out.Steps, s)
	}
	return out
}

// PathFromProto converts an AttributePath; nil gives a nil path.
func PathFromProto(p *protocol.AttributePath) cty.Path {
	if p == nil || len(p.Steps) == 0 {
		return nil
	}
	out := make(cty.Path, 0, len(p.Steps))
	for _, s := range p.Steps {
		switch sel := s.Selector.(type) {
		case *protocol.AttributePath_Step_AttributeName:
			out = append(out, cty.GetAttrStep{Name: sel.AttributeName})
		case *protocol.AttributePath_Step_ElementKeyString:
			out = append(out, cty.IndexStep{Key: cty.StringVal(sel.ElementKeyString)})
		case *protocol.AttributePath_Step_ElementKeyInt:
			out = append(out, cty.IndexStep{Key: cty.NumberIntVal(sel.ElementKeyInt)})
		default:
			return out
		}
	}
	return out
}

// FormatPath renders a path the way a user writes it: spec.ports[0].name,
// labels["app"].
func FormatPath(p cty.Path) string {
	s := ""
	for _, step := range p {
		switch step := step.(type) {
		case cty.GetAttrStep:
			if s != "" {
				s += "."
			}
			s += step.Name
		case cty.IndexStep:
			k := step.Key
			switch {
			case k.IsNull() || !k.IsKnown():
				s += "[?]"
			case k.Type() == cty.String:
				s += fmt.Sprintf("[%q]", k.AsString())
			case k.Type() == cty.Number:
				s += "[" + k.AsBigFloat().Text('f', -1) + "]"
			default:
				s += "[?]"
			}
		}
	}
	return s
}
