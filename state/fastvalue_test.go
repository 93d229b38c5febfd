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
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// unmarshalValue must read every value exactly as cty's own parser does.
func TestUnmarshalValueMatchesCty(t *testing.T) {
	vals := []cty.Value{
		cty.StringVal("héllo <tag> \u2028"),
		cty.NumberIntVal(42),
		cty.MustParseNumberVal("3.14159265358979323846264338327950288"),
		cty.True,
		cty.NullVal(cty.String),
		cty.ObjectVal(map[string]cty.Value{
			"name":    cty.StringVal("web"),
			"count":   cty.NumberIntVal(3),
			"tags":    cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
			"empty":   cty.ListValEmpty(cty.String),
			"set":     cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
			"labels":  cty.MapVal(map[string]cty.Value{"app": cty.StringVal("web")}),
			"nomap":   cty.MapValEmpty(cty.Bool),
			"nothing": cty.NullVal(cty.List(cty.String)),
			"tuple":   cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.False}),
			"nested": cty.ObjectVal(map[string]cty.Value{
				"v1 ConfigMap ns/a": cty.ObjectVal(map[string]cty.Value{
					"data": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("value")}),
				}),
			}),
			"emptyobj": cty.EmptyObjectVal,
		}),
	}
	for _, v := range vals {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		want, err := ctyjson.Unmarshal(b, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		got, err := unmarshalValue(b, v.Type())
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !got.RawEquals(want) {
			t.Errorf("%s:\n got %#v\nwant %#v", b, got, want)
		}
	}
	// A dynamic attribute goes to cty's parser, and still reads right.
	ty := cty.Object(map[string]cty.Type{"objects": cty.DynamicPseudoType})
	v := cty.ObjectVal(map[string]cty.Value{"objects": cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("b")})})
	b, _ := ctyjson.Marshal(v, ty)
	got, err := unmarshalValue(b, ty)
	if err != nil || !got.RawEquals(v) {
		t.Fatalf("dynamic: %#v %v", got, err)
	}
	// What cty refuses, unmarshalValue refuses.
	for _, bad := range []string{`{"name": 1, "extra": 2}`, `[1,2]`, `"x`} {
		if _, err := unmarshalValue([]byte(bad), cty.Object(map[string]cty.Type{"name": cty.String})); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
