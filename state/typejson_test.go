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

// TestTypeJSONLikeCty holds appendTypeJSON to ctyjson.MarshalType, byte
// for byte, and to its error for a type it cannot write.
func TestTypeJSONLikeCty(t *testing.T) {
	t.Parallel()
	deep := cty.Object(map[string]cty.Type{
		"metadata": cty.Object(map[string]cty.Type{"name": cty.String, "labels": cty.Map(cty.String)}),
		"spec": cty.Object(map[string]cty.Type{
			"replicas": cty.Number,
			"ports":    cty.Tuple([]cty.Type{cty.Object(map[string]cty.Type{"port": cty.Number}), cty.DynamicPseudoType}),
			"tags":     cty.Set(cty.String),
			"list":     cty.List(cty.Object(map[string]cty.Type{"b": cty.Bool, "a": cty.List(cty.String)})),
		}),
	})
	types := map[string]cty.Type{
		"string":            cty.String,
		"number":            cty.Number,
		"bool":              cty.Bool,
		"dynamic":           cty.DynamicPseudoType,
		"empty object":      cty.EmptyObject,
		"empty tuple":       cty.EmptyTuple,
		"nested":            deep,
		"map of deep":       cty.Map(deep),
		"optional":          cty.ObjectWithOptionalAttrs(map[string]cty.Type{"z": cty.String, "a": cty.Number, "m": cty.Bool}, []string{"z", "a"}),
		"escaped names":     cty.Object(map[string]cty.Type{`a"b`: cty.String, `<tag>&`: cty.Number, "é": cty.Bool, "\x01": cty.String, `back\slash`: cty.String}),
		"object IDs":        cty.Object(map[string]cty.Type{"apps/v1/Deployment/ns/web": deep, "v1/ConfigMap/ns/web-env": cty.Object(map[string]cty.Type{"data": cty.Map(cty.String)})}),
		"list in tuple":     cty.Tuple([]cty.Type{cty.List(cty.Tuple([]cty.Type{cty.String}))}),
		"set of set of num": cty.Set(cty.Set(cty.Number)),
	}
	for name, ty := range types {
		want, err := ctyjson.MarshalType(ty)
		if err != nil {
			t.Fatalf("%s: go-cty: %v", name, err)
		}
		got, err := appendTypeJSON([]byte("prefix:"), ty)
		if err != nil || string(got) != "prefix:"+string(want) {
			t.Errorf("%s:\n got %s (%v)\nwant prefix:%s", name, got, err, want)
		}
	}

	capsule := cty.Capsule("thing", nil)
	for _, ty := range []cty.Type{capsule, cty.List(capsule), cty.Object(map[string]cty.Type{"a": cty.String, "c": capsule})} {
		if _, err := ctyjson.MarshalType(ty); err == nil {
			t.Fatalf("go-cty wrote %#v", ty)
		}
		if got, err := appendTypeJSON(nil, ty); err == nil {
			t.Errorf("%#v: wrote %s without an error", ty, got)
		}
	}
}

// BenchmarkEncodeValue encodes an app's state: ten Deployments.
func BenchmarkEncodeValue(b *testing.B) {
	objs := map[string]cty.Value{}
	for i := range 10 {
		name := cty.StringVal("app-" + string(rune('a'+i)))
		objs["apps/v1/Deployment/ns/"+name.AsString()] = cty.ObjectVal(map[string]cty.Value{
			"apiVersion": cty.StringVal("apps/v1"),
			"kind":       cty.StringVal("Deployment"),
			"metadata":   cty.ObjectVal(map[string]cty.Value{"name": name, "namespace": cty.StringVal("ns"), "labels": cty.MapVal(map[string]cty.Value{"app": name})}),
			"spec": cty.ObjectVal(map[string]cty.Value{
				"replicas": cty.NumberIntVal(1),
				"selector": cty.ObjectVal(map[string]cty.Value{"matchLabels": cty.MapVal(map[string]cty.Value{"app": name})}),
				"template": cty.ObjectVal(map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{
					"containers": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
						"name": cty.StringVal("app"), "image": cty.StringVal("registry.example/team/app:1.0.0"),
						"ports": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"containerPort": cty.NumberIntVal(8080)})}),
					})}),
				})}),
			}),
		})
	}
	v := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("app"), "objects": cty.ObjectVal(objs)})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := encodeValue(v); err != nil {
			b.Fatal(err)
		}
	}
}
