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

package planner

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// TestCheckPlanned: a plan that keeps what the configuration sets passes,
// whatever the provider fills in; a plan that does not is named at the
// first attribute it got wrong in the schema's order, every time.
func TestCheckPlanned(t *testing.T) {
	port := map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true},
		"port": {Type: cty.Number, Optional: true},
	}
	s := sdk.Schema{
		Attributes: map[string]sdk.Attribute{
			"a":     {Type: cty.String, Optional: true},
			"b":     {Type: cty.String, Optional: true},
			"c":     {Type: cty.String, Optional: true},
			"d":     {Type: cty.String, Optional: true},
			"id":    {Type: cty.String, Computed: true},
			"ports": {Nested: &sdk.NestedObject{Nesting: sdk.NestingList, Attributes: port}, Optional: true},
		},
		Blocks: map[string]sdk.Block{
			"spec": {Nesting: sdk.NestingSingle, Attributes: port},
		},
	}
	portsT := cty.List(cty.Object(map[string]cty.Type{"name": cty.String, "port": cty.Number}))
	portV := func(name string, n int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "port": cty.NumberIntVal(n)})
	}
	obj := func(a, b, c, d, id string, ports []cty.Value, spec cty.Value) cty.Value {
		s := func(v string) cty.Value {
			if v == "" {
				return cty.NullVal(cty.String)
			}
			return cty.StringVal(v)
		}
		pv := cty.NullVal(portsT)
		if ports != nil {
			pv = cty.ListVal(ports)
		}
		return cty.ObjectVal(map[string]cty.Value{
			"a": s(a), "b": s(b), "c": s(c), "d": s(d), "id": s(id), "ports": pv, "spec": spec,
		})
	}
	config := obj("1", "2", "3", "4", "", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("x", 1))
	cases := []struct {
		name    string
		planned cty.Value
		want    string // "" for no error
	}{
		{"kept, id filled in", obj("1", "2", "3", "4", "abc", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("x", 1)), ""},
		{"one attribute wrong", obj("1", "2", "X", "4", "abc", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("x", 1)), `attribute "c" was planned as`},
		{"three wrong: the first named", obj("1", "X", "3", "X", "abc", []cty.Value{portV("http", 81), portV("grpc", 90)}, portV("x", 2)), `attribute "b" was planned as`},
		{"a nested element wrong", obj("1", "2", "3", "4", "abc", []cty.Value{portV("http", 80), portV("grpc", 91)}, portV("x", 1)), `attribute "ports[1].port" was planned as`},
		{"a nested list shorter", obj("1", "2", "3", "4", "abc", []cty.Value{portV("http", 80)}, portV("x", 1)), "ports was planned with 1 elements, but the configuration has 2"},
		{"a block's attribute wrong", obj("1", "2", "3", "4", "abc", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("y", 1)), `attribute "spec.name" was planned as`},
	}
	for _, c := range cases {
		// Go's maps come in another order each time: the message must not.
		for range 20 {
			err := checkPlanned(s, config, c.planned)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("%s: %v, want no error", c.name, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("%s: error %v, want one with %q", c.name, err, c.want)
			}
		}
	}
	// An unknown value the configuration sets is left to apply.
	unknown := obj("1", "2", "3", "4", "", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("x", 1))
	unknown = cty.ObjectVal(func() map[string]cty.Value {
		m := unknown.AsValueMap()
		m["a"] = cty.UnknownVal(cty.String)
		return m
	}())
	if err := checkPlanned(s, unknown, obj("1", "2", "3", "4", "abc", []cty.Value{portV("http", 80), portV("grpc", 90)}, portV("x", 1))); err != nil {
		t.Fatalf("unknown configured value: %v", err)
	}
}
