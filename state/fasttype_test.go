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
	"reflect"
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

// TestUnmarshalTypeSharesNestedTypes: a composite type read inside
// another is read once per parser and shared, and what is read from the
// cache is the type the JSON says, wherever it appears.
func TestUnmarshalTypeSharesNestedTypes(t *testing.T) {
	deployment := cty.Object(map[string]cty.Type{
		"metadata": cty.Object(map[string]cty.Type{"name": cty.String, "labels": cty.Object(map[string]cty.Type{"app": cty.String})}),
		"spec":     cty.Object(map[string]cty.Type{"replicas": cty.Number, "ports": cty.Tuple([]cty.Type{cty.Object(map[string]cty.Type{"port": cty.Number})})}),
	})
	other := cty.Object(map[string]cty.Type{
		"metadata": cty.Object(map[string]cty.Type{"name": cty.String, "labels": cty.Object(map[string]cty.Type{"app": cty.Number})}),
	})
	roots := []cty.Type{
		cty.Object(map[string]cty.Type{"a/web": deployment, "b/db": deployment}),
		cty.Object(map[string]cty.Type{"c/web": deployment, "d": other}),
		cty.Tuple([]cty.Type{other, deployment, cty.List(deployment)}),
	}
	p := getParser(nil)
	defer putParser(p)
	var first cty.Type
	for round := range 2 {
		for _, want := range roots {
			b, err := ctyjson.MarshalType(want)
			if err != nil {
				t.Fatal(err)
			}
			p.b, p.i = b, 0
			got, err := p.wholeType()
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, b, err)
			}
			if !got.Equals(want) {
				t.Errorf("round %d, %s: got %#v", round, b, got)
			}
		}
		if round == 0 {
			first = p.types[string(mustMarshalType(t, deployment))]
		}
	}
	cached, ok := p.types[string(mustMarshalType(t, deployment))]
	if !ok || !cached.Equals(deployment) {
		t.Fatalf("the Deployment's type is not kept: %v", ok)
	}
	// One instance, shared: the same attribute map.
	if reflect.ValueOf(cached.AttributeTypes()).UnsafePointer() != reflect.ValueOf(first.AttributeTypes()).UnsafePointer() {
		t.Error("the second read of a nested type made a new one")
	}
}

func mustMarshalType(t *testing.T, ty cty.Type) []byte {
	t.Helper()
	b, err := ctyjson.MarshalType(ty)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
