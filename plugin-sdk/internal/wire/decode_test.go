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
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

// decodeCases are values of every shape the wire carries, with the type
// they are encoded against; known says every part of them is known, so
// the decoder must read them itself rather than leave them to cty.
func decodeCases() []struct {
	name  string
	v     cty.Value
	ty    cty.Type
	known bool
} {
	str, num := cty.StringVal, cty.NumberIntVal
	deployment := cty.ObjectVal(map[string]cty.Value{
		"apiVersion": str("apps/v1"), "kind": str("Deployment"),
		"metadata": cty.ObjectVal(map[string]cty.Value{"name": str("web"), "labels": cty.ObjectVal(map[string]cty.Value{"app.kubernetes.io/name": str("web")})}),
		"spec": cty.ObjectVal(map[string]cty.Value{
			"replicas": num(3),
			"template": cty.ObjectVal(map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{
				"containers": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
					"name": str("app"), "ports": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"containerPort": num(8080)})}),
					"resources": cty.ObjectVal(map[string]cty.Value{"requests": cty.ObjectVal(map[string]cty.Value{"cpu": str("10m")})}),
				})}),
			})}),
			"paused": cty.False, "ratio": cty.NumberFloatVal(0.25), "nothing": cty.NullVal(cty.DynamicPseudoType),
		}),
	})
	objects := cty.ObjectVal(map[string]cty.Value{
		"apps/v1 Deployment ns/web": deployment,
		"v1 ConfigMap ns/web":       cty.ObjectVal(map[string]cty.Value{"data": cty.MapVal(map[string]cty.Value{"a": str("1"), "b": str("")})}),
		`odd "name" <&> é \ /`:      cty.EmptyObjectVal,
		"list":                      cty.ListVal([]cty.Value{cty.SetVal([]cty.Value{num(1), num(2)})}),
		"empty":                     cty.EmptyTupleVal,
	})
	app := cty.Object(map[string]cty.Type{"name": cty.String, "objects": cty.DynamicPseudoType, "inventory": cty.List(cty.String), "n": cty.Number})
	big1, _ := new(big.Float).SetString("1e400")
	withOptional := cty.ObjectWithOptionalAttrs(map[string]cty.Type{"a": cty.String, "b": cty.Number}, []string{"b"})
	return []struct {
		name  string
		v     cty.Value
		ty    cty.Type
		known bool
	}{
		{"app", cty.ObjectVal(map[string]cty.Value{"name": str("web"), "objects": objects, "inventory": cty.ListVal([]cty.Value{str("x")}), "n": num(-7)}), app, true},
		{"app with nulls", cty.ObjectVal(map[string]cty.Value{"name": cty.NullVal(cty.String), "objects": cty.NullVal(cty.DynamicPseudoType), "inventory": cty.ListValEmpty(cty.String), "n": cty.NullVal(cty.Number)}), app, true},
		{"null app", cty.NullVal(app), app, true},
		{"dynamic object", objects, cty.DynamicPseudoType, true},
		{"numbers", cty.TupleVal([]cty.Value{num(0), num(127), num(-32), num(math.MaxInt64), num(math.MinInt64), cty.NumberUIntVal(math.MaxUint64), cty.NumberFloatVal(-1.5), cty.NumberVal(big1), cty.NumberFloatVal(math.SmallestNonzeroFloat64)}), cty.DynamicPseudoType, true},
		{"map of dynamic", cty.MapVal(map[string]cty.Value{"a": objects, "b": objects}), cty.Map(cty.DynamicPseudoType), true},
		{"list of dynamic", cty.ListVal([]cty.Value{deployment, deployment}), cty.List(cty.DynamicPseudoType), true},
		{"set of objects", cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"k": str("a")}), cty.ObjectVal(map[string]cty.Value{"k": str("b")})}), cty.Set(cty.Object(map[string]cty.Type{"k": cty.String})), true},
		{"empty collections", cty.TupleVal([]cty.Value{cty.ListValEmpty(cty.String), cty.SetValEmpty(cty.Bool), cty.MapValEmpty(cty.Number), cty.EmptyObjectVal, cty.EmptyTupleVal}), cty.DynamicPseudoType, true},
		{"optional attribute", cty.ObjectVal(map[string]cty.Value{"a": str("x"), "b": cty.NullVal(cty.Number)}), withOptional, true},
		{"dynamic of an optional type", cty.ListVal([]cty.Value{cty.NullVal(withOptional)}), cty.DynamicPseudoType, true},
		{"strings", cty.ListVal([]cty.Value{str(""), str("日本語"), str("a\x00b"), str(string(make([]byte, 70000)))}), cty.List(cty.String), true},
		{"unknown", cty.UnknownVal(cty.String), cty.String, false},
		{"refined unknown", cty.ObjectVal(map[string]cty.Value{"name": cty.UnknownVal(cty.String).Refine().NotNull().StringPrefix("web-").NewValue(), "objects": cty.DynamicVal, "inventory": cty.UnknownVal(cty.List(cty.String)), "n": num(1)}), app, false},
		{"unknown deep in a dynamic value", cty.ObjectVal(map[string]cty.Value{"a": cty.ListVal([]cty.Value{cty.UnknownVal(cty.Number)})}), cty.DynamicPseudoType, false},
	}
}

// TestDecodeLikeCty: every case decodes to cty's value, and the values
// that are wholly known are read by the decoder itself.
func TestDecodeLikeCty(t *testing.T) {
	t.Parallel()
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ctymsgpack.Marshal(tc.v, tc.ty)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ctymsgpack.Unmarshal(b, tc.ty)
			if err != nil {
				t.Fatal(err)
			}
			got, err := unmarshal(b, tc.ty)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(want) || !got.Type().Equals(want.Type()) {
				t.Errorf("decoded %#v\nwant %#v", got, want)
			}
			own, err := decodeOwn(b, tc.ty)
			switch {
			case tc.known && err != nil:
				t.Errorf("left a wholly known value to cty: %v", err)
			case tc.known && !own.RawEquals(want):
				t.Errorf("own reading %#v\nwant %#v", own, want)
			case !tc.known && err == nil:
				t.Errorf("read an unknown value itself: %#v", own)
			}
		})
	}
}

// TestParseTypeLikeCty: type descriptions, with the space and escapes
// JSON allows, read as cty reads them; what this reader refuses, cty's
// reading decides, with cty's error.
func TestParseTypeLikeCty(t *testing.T) {
	t.Parallel()
	for _, js := range []string{
		`"string"`, ` [ "list" , "number" ] `, `["map",["set","bool"]]`, `["tuple",[]]`, `["tuple",["string",["list","dynamic"]]]`,
		`["object",{}]`, `["object",{"a\"b":"string","\u00e9":"number","c\\d":["object",{"x":"bool"}]}]`,
		`["object",{"a":"string","b":"number"},["b"]]`,
		`"nope"`, `["list"]`, `["object",{"a":"string","a":"number"}]`, `["object",{"a":"string"}`, `"string" x`, ``, `["capsule","x"]`,
	} {
		var want cty.Type
		wantErr := want.UnmarshalJSON([]byte(js))
		got, err := parseType([]byte(js))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, want %v", js, err, wantErr)
			continue
		}
		if err == nil && !got.Equals(want) {
			t.Errorf("%s: %#v, want %#v", js, got, want)
		}
	}
}

// FuzzDecode holds the decoder to cty's on any bytes: the same value, or
// an error where cty gives one (or panics, which DecodeValue turns into
// an error).
func FuzzDecode(f *testing.F) {
	var types []cty.Type
	for _, tc := range decodeCases() {
		b, err := ctymsgpack.Marshal(tc.v, tc.ty)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(len(types)))
		types = append(types, tc.ty)
	}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		ty := types[int(which)%len(types)]
		want, wantErr := ctyDecode(b, ty)
		got, err := DecodeValue(&protocol.DynamicValue{Msgpack: b}, ty)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v, cty's %v", err, wantErr)
		}
		if err == nil && (!got.RawEquals(want) || !got.Type().Equals(want.Type())) {
			t.Fatalf("decoded %#v\ncty's %#v", got, want)
		}
	})
}

// ctyDecode is cty's reading, its panics as errors.
func ctyDecode(b []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("panic: %v", r)
		}
	}()
	if len(b) == 0 {
		return cty.NullVal(ty), nil
	}
	return ctymsgpack.Unmarshal(b, ty)
}

// TestEncodeLikeCty: the encoder writes go-cty's bytes, for every case
// and for objects of random shape as the kubernetes provider makes them.
func TestEncodeLikeCty(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, v cty.Value, ty cty.Type) {
		t.Helper()
		want, werr := ctymsgpack.Marshal(v, ty)
		got, err := marshal(v, ty)
		if fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Fatalf("error %v, want %v", err, werr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("encoded\n%x\nwant\n%x", got, want)
		}
		if _, own := marshalOwn(v, ty); v.IsWhollyKnown() && !own {
			t.Fatalf("left a wholly known value to go-cty: %#v", v)
		}
	}
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.v, tc.ty) })
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 2000 {
		v := randomValue(r, 4)
		t.Run(fmt.Sprint("random ", i), func(t *testing.T) {
			check(t, v, cty.DynamicPseudoType)
			check(t, cty.ObjectVal(map[string]cty.Value{"objects": v, "name": cty.StringVal("x")}), cty.Object(map[string]cty.Type{"objects": cty.DynamicPseudoType, "name": cty.String}))
			check(t, v, v.Type())
		})
	}
}

// randomValue is a value of the kinds JSON objects become, with names
// that need escaping, numbers of every encoding, and nulls.
func randomValue(r *rand.Rand, depth int) cty.Value {
	n := r.IntN(9)
	if depth == 0 {
		n = 4 + r.IntN(5)
	}
	names := []string{"a", "spec", "<b>&", "é", "x\"y", "tab\t", "app.kubernetes.io/name", "\u2028"}
	switch n {
	case 0, 1:
		attrs := map[string]cty.Value{}
		for range r.IntN(4) {
			attrs[names[r.IntN(len(names))]] = randomValue(r, depth-1)
		}
		return cty.ObjectVal(attrs)
	case 2, 3:
		var elems []cty.Value
		for range r.IntN(4) {
			elems = append(elems, randomValue(r, depth-1))
		}
		return cty.TupleVal(elems)
	case 4:
		return cty.StringVal([]string{"", "web", "日本", "a\x00b"}[r.IntN(4)])
	case 5:
		return []cty.Value{cty.NumberIntVal(0), cty.NumberIntVal(-1), cty.NumberIntVal(300), cty.NumberIntVal(1 << 40), cty.NumberFloatVal(0.5), cty.MustParseNumberVal("0.1"), cty.MustParseNumberVal("1e30")}[r.IntN(7)]
	case 6:
		return cty.BoolVal(r.IntN(2) == 0)
	case 7:
		return cty.ListVal([]cty.Value{cty.StringVal("l"), cty.StringVal("m")})
	default:
		return cty.NullVal([]cty.Type{cty.DynamicPseudoType, cty.String, cty.Number}[r.IntN(3)])
	}
}

// TestTypeCache: a composite type nested in a description and read twice
// is read from the cache the second time, by its exact JSON, and is the
// type cty reads; the root of a description is not kept; brackets and
// escaped quotes inside names do not end a type early, and JSON that is
// not a whole type is never cached.
func TestTypeCache(t *testing.T) {
	for _, js := range []string{
		`["object",{"metadata":["object",{"name":"string","labels":["map","string"]}],"spec":["list","number"]}]`,
		`["object",{"a]\"[b":["object",{"x\\":"string","}{":"number"}],"pad-to-the-cached-length":"bool"}]`,
		`["object",{"a":"string","b":"number","padding-for-the-cache":"bool"},["b"]]`,
	} {
		var want cty.Type
		if err := want.UnmarshalJSON([]byte(js)); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		for round := range 2 {
			got, err := parseType([]byte(js))
			if err != nil || !got.Equals(want) {
				t.Fatalf("%s, round %d: %#v, %v; want %#v", js, round, got, err, want)
			}
		}
		if _, ok := types.get([]byte(js)); ok {
			t.Errorf("%s: the root of a description is cached", js)
		}
		// Nested in another description, it is cached.
		outer := `["list",` + js + `]`
		for round := range 2 {
			got, err := parseType([]byte(outer))
			if err != nil || !got.Equals(cty.List(want)) {
				t.Fatalf("%s, round %d: %#v, %v; want a list of %#v", outer, round, got, err, want)
			}
		}
		if _, ok := types.get([]byte(js)); !ok {
			t.Errorf("%s: not in the cache after it was read", js)
		}
	}
	for _, js := range []string{
		`["object",{"a":"string","b":"number","padding-for-the-cache":"bool"}`,  // unterminated
		`["object",{"a":"string","a":"number","padding-for-the-cache":"bool"}]`, // cty's to read
	} {
		var want cty.Type
		wantErr := want.UnmarshalJSON([]byte(js))
		got, err := parseType([]byte(js))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || err == nil && !got.Equals(want) {
			t.Errorf("%s: %#v, %v; want %#v, %v", js, got, err, want, wantErr)
		}
		nested := []byte(`["list",` + js + `]`)
		var wantNested cty.Type
		wantNestedErr := wantNested.UnmarshalJSON(nested)
		if got, err := parseType(nested); fmt.Sprint(err) != fmt.Sprint(wantNestedErr) || err == nil && !got.Equals(wantNested) {
			t.Errorf("%s: %#v, %v; want %#v, %v", nested, got, err, wantNested, wantNestedErr)
		}
		if _, ok := types.get([]byte(js)); ok {
			t.Errorf("%s: cached", js)
		}
	}
	for _, tc := range []struct {
		js   string
		want int
	}{
		{`["a",["b"]] tail`, 11}, {`["]"]`, 5}, {`["\"]"]`, 7}, {`["a"`, -1}, {`["\"`, -1},
	} {
		if got := span([]byte(tc.js), 0); got != tc.want {
			t.Errorf("span(%s) = %d, want %d", tc.js, got, tc.want)
		}
	}
}
