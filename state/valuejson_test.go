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
	"bytes"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// TestValueJSONLikeCty holds encodeValue to ctyjson.Marshal and
// ctyjson.MarshalType, byte for byte, and to their errors.
func TestValueJSONLikeCty(t *testing.T) {
	t.Parallel()
	dyn := cty.Object(map[string]cty.Type{"name": cty.String, "objects": cty.DynamicPseudoType})
	vals := map[string]cty.Value{
		"string":       cty.StringVal("héllo <tag> & \"q\" \\ \u2028 \x01"),
		"invalid utf8": cty.StringVal("a\xffb"),
		"int":          cty.NumberIntVal(-42),
		"big":          cty.MustParseNumberVal("123456789012345678901234567890"),
		"fraction":     cty.MustParseNumberVal("3.14159265358979323846264338327950288"),
		"small":        cty.MustParseNumberVal("0.000001"),
		"float":        cty.NumberFloatVal(1e21),
		"bool":         cty.False,
		"null":         cty.NullVal(cty.String),
		"object": cty.ObjectVal(map[string]cty.Value{
			"name":     cty.StringVal("web"),
			"tags":     cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
			"empty":    cty.ListValEmpty(cty.String),
			"set":      cty.SetVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(1)}),
			"labels":   cty.MapVal(map[string]cty.Value{"z": cty.StringVal("1"), "a<b": cty.StringVal("2")}),
			"nomap":    cty.MapValEmpty(cty.Bool),
			"nothing":  cty.NullVal(cty.List(cty.String)),
			"tuple":    cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.False, cty.NullVal(cty.Number)}),
			"emptyobj": cty.EmptyObjectVal,
			"é":        cty.True,
		}),
		"dynamic attributes": cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("app"),
			"objects": cty.ObjectVal(map[string]cty.Value{
				"apps/v1/Deployment/ns/web": cty.ObjectVal(map[string]cty.Value{
					"spec": cty.ObjectVal(map[string]cty.Value{"replicas": cty.NumberIntVal(1), "paused": cty.NullVal(cty.Bool)}),
				}),
				"v1/ConfigMap/ns/env": cty.ObjectVal(map[string]cty.Value{"data": cty.MapVal(map[string]cty.Value{"A": cty.StringVal("1")})}),
			}),
		}),
		"null dynamic": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("app"), "objects": cty.NullVal(cty.DynamicPseudoType)}),
	}
	for name, v := range vals {
		ty := v.Type()
		if name == "dynamic attributes" || name == "null dynamic" {
			ty = dyn
			v = cty.ObjectVal(map[string]cty.Value{"name": v.GetAttr("name"), "objects": v.GetAttr("objects")})
		}
		var w jsonWriter
		got, ok := w.appendValue([]byte("prefix:"), v, ty)
		want, err := ctyjson.Marshal(v, ty)
		if err != nil {
			t.Fatalf("%s: go-cty: %v", name, err)
		}
		if !ok || !bytes.Equal(got, append([]byte("prefix:"), want...)) {
			t.Errorf("%s:\n got %s (%v)\nwant prefix:%s", name, got, ok, want)
		}
		val, typ, err := encodeValue(v)
		wantType, _ := ctyjson.MarshalType(v.Type())
		if wantVal, _ := ctyjson.Marshal(v, v.Type()); err != nil || !bytes.Equal(val, wantVal) || !bytes.Equal(typ, wantType) {
			t.Errorf("%s: encodeValue = %s, %s, %v; want %s, %s", name, val, typ, err, wantVal, wantType)
		}
	}

	// What the writer leaves to go-cty gets go-cty's answer.
	capsule := cty.CapsuleVal(cty.Capsule("thing", reflect.TypeFor[struct{}]()), &struct{}{})
	for name, v := range map[string]cty.Value{
		"unknown":  cty.ObjectVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String)}),
		"marked":   cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("s").Mark("sensitive")}),
		"infinity": cty.ObjectVal(map[string]cty.Value{"a": cty.PositiveInfinity}),
		"capsule":  cty.ObjectVal(map[string]cty.Value{"a": capsule}),
	} {
		if _, ok := new(jsonWriter).appendValue(nil, v, v.Type()); ok {
			t.Errorf("%s: the writer wrote it", name)
		}
		if _, _, err := encodeValue(v); err == nil {
			t.Errorf("%s: encodeValue accepted it", name)
		}
	}
}

// FuzzEncodeValue holds encodeValue to go-cty for whatever value a JSON
// document is read as, and as the dynamic attribute of an object.
func FuzzEncodeValue(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x"],"b":{"c":null,"d":true}}`, `["<&>",{"\u00e9":1e3}]`, `"s"`, `123456789012345678901234567890`, `{}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ty, err := ctyjson.ImpliedType(doc)
		if err != nil {
			return
		}
		v, err := ctyjson.Unmarshal(doc, ty)
		if err != nil || hugeNumber(v) {
			return
		}
		for _, v := range []cty.Value{v, cty.ObjectVal(map[string]cty.Value{"objects": v})} {
			wantVal, werr := ctyjson.Marshal(v, v.Type())
			wantType, terr := ctyjson.MarshalType(v.Type())
			val, typ, err := encodeValue(v)
			if (err != nil) != (werr != nil || terr != nil) {
				t.Fatalf("%s: encodeValue error %v, go-cty %v %v", doc, err, werr, terr)
			}
			if err == nil && (!bytes.Equal(val, wantVal) || !bytes.Equal(typ, wantType)) {
				t.Fatalf("%s:\n got %s %s\nwant %s %s", doc, val, typ, wantVal, wantType)
			}
		}
	})
}

// hugeNumber reports whether v holds a number whose decimal form is too
// long to write in a fuzzing run (1e100000000 has as many digits).
func hugeNumber(v cty.Value) bool {
	huge := false
	cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if !v.IsNull() && v.Type() == cty.Number {
			if e := v.AsBigFloat().MantExp(nil); e > 4096 || e < -4096 {
				huge = true
			}
		}
		return !huge, nil
	})
	return huge
}

// TestAppendNumber holds appendNumber to big.Float's own formatting.
func TestAppendNumber(t *testing.T) {
	t.Parallel()
	var cases []*big.Float
	for _, i := range []int64{0, 1, -1, 7, 80, 443, 65535, -123456789, 1 << 53, (1 << 53) + 1, math.MaxInt64, math.MinInt64} {
		cases = append(cases, new(big.Float).SetInt64(i))
	}
	for _, f := range []float64{0.5, -2.25, 1e21, 1e300, 3.0e-7, math.Copysign(0, -1)} {
		cases = append(cases, new(big.Float).SetFloat64(f))
	}
	huge, _ := new(big.Float).SetString("123456789012345678901234567890")
	cases = append(cases, huge, new(big.Float).Add(new(big.Float).SetInt64(math.MaxInt64), big.NewFloat(1)))
	for _, f := range cases {
		if got, want := string(appendNumber([]byte("x"), f)), string(f.Append([]byte("x"), 'f', -1)); got != want {
			t.Errorf("appendNumber(%s) = %q, want %q", f.Text('g', -1), got, want)
		}
	}
}
