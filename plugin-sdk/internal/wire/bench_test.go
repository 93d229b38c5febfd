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
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// appLike is the shape of an app's state: a dynamic attribute holding ten
// objects, each a few levels of nested objects, lists and maps.
func appLike() (cty.Value, cty.Type) {
	objs := map[string]cty.Value{}
	for i := range 10 {
		objs[fmt.Sprintf("apps/v1/Deployment/ns/app-%d", i)] = cty.ObjectVal(map[string]cty.Value{
			"apiVersion": cty.StringVal("apps/v1"),
			"kind":       cty.StringVal("Deployment"),
			"metadata": cty.ObjectVal(map[string]cty.Value{
				"name":      cty.StringVal(fmt.Sprintf("app-%d", i)),
				"namespace": cty.StringVal("ns"),
				"labels":    cty.MapVal(map[string]cty.Value{"app": cty.StringVal("a"), "team": cty.StringVal("t")}),
			}),
			"spec": cty.ObjectVal(map[string]cty.Value{
				"replicas": cty.NumberIntVal(1),
				"selector": cty.ObjectVal(map[string]cty.Value{"matchLabels": cty.MapVal(map[string]cty.Value{"app": cty.StringVal("a")})}),
				"template": cty.ObjectVal(map[string]cty.Value{
					"spec": cty.ObjectVal(map[string]cty.Value{
						"containers": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
							"name":  cty.StringVal("app"),
							"image": cty.StringVal("registry.example/team/app:1.0.0"),
							"ports": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"containerPort": cty.NumberIntVal(8080)})}),
						})}),
					}),
				}),
			}),
		})
	}
	v := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("app"), "objects": cty.ObjectVal(objs)})
	return v, cty.Object(map[string]cty.Type{"name": cty.String, "objects": cty.DynamicPseudoType})
}

func BenchmarkEncodeValue(b *testing.B) {
	v, ty := appLike()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeValue(v, ty); err != nil {
			b.Fatal(err)
		}
	}
}
