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

package kubernetes

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// TestHashAttrBytes: hashAttr writes exactly what apps recorded their
// digests with, the attribute's name, its type and its value as cty's
// JSON, each with its length; a changed byte would make every app read
// in full once after an upgrade.
func TestHashAttrBytes(t *testing.T) {
	conf := cty.ObjectVal(map[string]cty.Value{
		"name":      cty.StringVal("team-web"),
		"unicode":   cty.StringVal("é\n\"x\""),
		"replicas":  cty.NumberIntVal(3),
		"prune":     cty.True,
		"none":      cty.NullVal(cty.String),
		"anything":  cty.NullVal(cty.DynamicPseudoType),
		"list":      cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"set":       cty.SetVal([]cty.Value{cty.NumberIntVal(1)}),
		"map":       cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
		"tuple":     cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.True}),
		"object":    cty.ObjectVal(map[string]cty.Value{"group": cty.StringVal("apps"), "json_pointers": cty.ListValEmpty(cty.String)}),
		"sensitive": cty.StringVal("s").Mark("sensitive"),
		"unknown":   cty.UnknownVal(cty.String),
	})
	for name := range conf.Type().AttributeTypes() {
		var got bytes.Buffer
		ok := hashAttr(&got, conf, name)
		v, _ := conf.GetAttr(name).UnmarkDeep()
		if !v.IsWhollyKnown() {
			if ok {
				t.Errorf("hashAttr(%s) hashed an unknown value", name)
			}
			continue
		}
		js, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s=%d:%s%d:%s\n", name, len(ty), ty, len(js), js)
		if !ok || got.String() != want {
			t.Errorf("hashAttr(%s) = %v, %q; want %q", name, ok, got.String(), want)
		}
	}
}
