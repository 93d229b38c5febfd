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

// unmarshalType must read every type exactly as cty's own parser does.
func TestUnmarshalTypeMatchesCty(t *testing.T) {
	t.Parallel()
	types := []cty.Type{
		cty.String, cty.Number, cty.Bool, cty.DynamicPseudoType,
		cty.List(cty.String), cty.Set(cty.Number), cty.Map(cty.Bool),
		cty.Tuple([]cty.Type{cty.String, cty.List(cty.Map(cty.Number))}),
		cty.EmptyObject, cty.EmptyTuple,
		cty.Object(map[string]cty.Type{
			"a": cty.String,
			"b": cty.Object(map[string]cty.Type{"c": cty.List(cty.DynamicPseudoType)}),
		}),
		cty.ObjectWithOptionalAttrs(map[string]cty.Type{"x": cty.String, "y": cty.Number}, []string{"y"}),
	}
	for _, want := range types {
		b, err := ctyjson.MarshalType(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unmarshalType(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !got.Equals(want) {
			t.Errorf("%s: got %#v, want %#v", b, got, want)
		}
	}
	if _, err := unmarshalType([]byte(`["list"]`)); err == nil {
		t.Errorf("a malformed type was accepted")
	}
}
