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

package kube

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// checkPlain holds ToCty (PlainValue when it can) to ToCtyJSON, the JSON
// round trip that defines it: the same value, or an error from both.
func checkPlain(t *testing.T, obj map[string]any) {
	t.Helper()
	want, werr := ToCtyJSON(obj)
	got, gerr := ToCty(obj)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("ToCty(%v): error %v, want %v", obj, gerr, werr)
	}
	if werr == nil && !got.RawEquals(want) {
		t.Fatalf("ToCty(%v)\n got %#v\nwant %#v", obj, got, want)
	}
}

func TestPlainValueMatchesJSON(t *testing.T) {
	t.Parallel()
	fixed := []map[string]any{
		nil,
		{},
		{"a": nil, "b": map[string]any(nil), "c": []any(nil), "d": []any{}, "e": map[string]any{}},
		{"n": []any{int64(0), int64(-7), int64(math.MaxInt64), int64(math.MinInt64)}},
		{"f": []any{0.1, -0.0, 1e-7, 1e-6, 123456.789, 1e20, 1e21, 1e22, math.MaxFloat64, math.SmallestNonzeroFloat64, 2.5}},
		{"s": []any{"", "plain", "caf\u00e9", "cafe\u0301", "a\xff\xfeb", "<&>", "\u2028"}},
		{"cafe\u0301": "decomposed"},
		{"caf\u00e9": "x", "cafe\u0301": "y"}, // two names, one after NFC: an error from both
		{"bad": math.NaN()},                   // an error from both
		{"inf": math.Inf(1)},
		{"i": 3}, // an int: the walk leaves it to the JSON route
		{"u": json.Number("12")},
		{"b": []any{true, false, nil, map[string]any{"x": []any{map[string]any{}}}}},
	}
	for i, obj := range fixed {
		t.Run(fmt.Sprint("fixed ", i), func(t *testing.T) { checkPlain(t, obj) })
	}
	// Objects as the provider decodes them from manifests.
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON([]byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
		"spec":{"replicas":3,"ratio":0.25,"template":{"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}],
		"resources":{"limits":{"cpu":"100m"}}}],"nodeSelector":null}}}}`)); err != nil {
		t.Fatal(err)
	}
	checkPlain(t, u.Object)

	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		obj := map[string]any{}
		for j := range r.IntN(5) {
			obj[fmt.Sprint("k", j)] = randomJSON(r, 4)
		}
		t.Run(fmt.Sprint("random ", i), func(t *testing.T) { checkPlain(t, obj) })
	}
}

func randomJSON(r *rand.Rand, depth int) any {
	n := r.IntN(9)
	if depth == 0 {
		n = 4 + r.IntN(5)
	}
	switch n {
	case 0, 1:
		m := map[string]any{}
		for j := range r.IntN(4) {
			m[fmt.Sprint("k", j)] = randomJSON(r, depth-1)
		}
		return m
	case 2, 3:
		l := make([]any, r.IntN(4))
		for j := range l {
			l[j] = randomJSON(r, depth-1)
		}
		return l
	case 4:
		return []any{"", "s", "caf\u00e9", "x\xffy"}[r.IntN(4)]
	case 5:
		return r.Int64() >> r.IntN(64)
	case 6:
		return []any{0.5, 1e-9, 123456.789, -2.75, 1e300, r.NormFloat64() * 1e6}[r.IntN(6)]
	case 7:
		return r.IntN(2) == 0
	default:
		return nil
	}
}

// FuzzPlainValue decodes JSON as the provider's decoders do (integers as
// int64, other numbers as float64) and holds ToCty to ToCtyJSON.
func FuzzPlainValue(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5,"x",null,{"b":true}]}`, `{"n":1e400}`, `{"s":"caf\u00e9"}`, `{"a":{},"b":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u := &unstructured.Unstructured{}
		var obj map[string]any
		if err := u.UnmarshalJSON(b); err == nil {
			obj = u.Object
		} else if err := json.Unmarshal(b, &obj); err != nil {
			return
		}
		checkPlain(t, obj)
	})
}
