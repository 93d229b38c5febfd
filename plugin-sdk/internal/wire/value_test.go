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
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

func TestValueRoundTrip(t *testing.T) {
	t.Parallel()
	ty := cty.Object(map[string]cty.Type{
		"s": cty.String,
		"l": cty.List(cty.Number),
		"m": cty.Map(cty.String),
		"d": cty.DynamicPseudoType,
	})
	tests := map[string]struct {
		in, want cty.Value
	}{
		"known": {
			in: cty.ObjectVal(map[string]cty.Value{
				"s": cty.StringVal("x"), "l": cty.ListVal([]cty.Value{cty.NumberIntVal(1)}),
				"m": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}), "d": cty.True,
			}),
		},
		"unknowns at every level": {
			in: cty.ObjectVal(map[string]cty.Value{
				"s": cty.UnknownVal(cty.String), "l": cty.UnknownVal(cty.List(cty.Number)),
				"m": cty.MapVal(map[string]cty.Value{"k": cty.UnknownVal(cty.String)}), "d": cty.DynamicVal,
			}),
		},
		"wholly unknown": {in: cty.UnknownVal(ty)},
		"null":           {in: cty.NullVal(ty)},
		"nil is null":    {in: cty.NilVal, want: cty.NullVal(ty)},
		"marks dropped": {
			in: cty.ObjectVal(map[string]cty.Value{
				"s": cty.StringVal("secret").Mark("sensitive"), "l": cty.NullVal(cty.List(cty.Number)),
				"m": cty.NullVal(cty.Map(cty.String)), "d": cty.NullVal(cty.DynamicPseudoType),
			}),
			want: cty.ObjectVal(map[string]cty.Value{
				"s": cty.StringVal("secret"), "l": cty.NullVal(cty.List(cty.Number)),
				"m": cty.NullVal(cty.Map(cty.String)), "d": cty.NullVal(cty.DynamicPseudoType),
			}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := tc.want
			if want == cty.NilVal {
				want = tc.in
			}
			dv, err := EncodeValue(tc.in, ty)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeValue(dv, ty)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestEncodeValueNamesTheAttribute(t *testing.T) {
	t.Parallel()
	ty := cty.Object(map[string]cty.Type{"spec": cty.Object(map[string]cty.Type{"n": cty.Number})})
	v := cty.ObjectVal(map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{"n": cty.StringVal("many")})})
	if _, err := EncodeValue(v, ty); err == nil {
		t.Fatal("no error for a string where a number belongs")
	}
}

func TestPathRoundTrip(t *testing.T) {
	t.Parallel()
	p := cty.GetAttrPath("spec").GetAttr("ports").Index(cty.NumberIntVal(0)).Index(cty.StringVal("name"))
	got := PathFromProto(PathToProto(p))
	if !got.Equals(p) {
		t.Errorf("got %#v, want %#v", got, p)
	}
	if s := FormatPath(p); s != `spec.ports[0]["name"]` {
		t.Errorf("FormatPath = %s", s)
	}
	if got := PathFromProto(PathToProto(nil)); got != nil {
		t.Errorf("empty path came back as %#v", got)
	}
}

// TestDecodeValueRefusesWhatCtyPanicsOn checks that a provider's value
// that panics inside go-cty is an error: a dynamic value whose type names
// an optional attribute its object lacks.
func TestDecodeValueRefusesWhatCtyPanicsOn(t *testing.T) {
	t.Parallel()
	typ := `["object",{},["0"]]`
	// A msgpack array of the type's JSON and the value (an empty map).
	b := append([]byte{0x92, 0xa0 | byte(len(typ))}, typ...)
	b = append(b, 0x80)
	_, err := DecodeValue(&protocol.DynamicValue{Msgpack: b}, cty.DynamicPseudoType)
	if err == nil || !strings.Contains(err.Error(), `optional contains undeclared attribute "0"`) {
		t.Fatalf("DecodeValue: %v", err)
	}
}
