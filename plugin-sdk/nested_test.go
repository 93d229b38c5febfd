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

package sdk_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// hookSchema has a nested block of each nesting and a nested attribute.
var hookSchema = sdk.Schema{
	Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true, PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("the API cannot rename a hook")},
			Validators: []sdk.Validator{sdk.StringLength(1, 8), sdk.Matches(regexp.MustCompile(`^[a-z]+$`), "lower-case letters")}},
		"events":   {Type: cty.Set(cty.String), Optional: true},
		"kind":     {Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal("push"), Validators: []sdk.Validator{sdk.OneOf("push", "tag")}},
		"token":    {Type: cty.String, Optional: true, Sensitive: true, Validators: []sdk.Validator{sdk.ConflictsWith("user")}},
		"user":     {Type: cty.String, Optional: true, Validators: []sdk.Validator{sdk.RequiredWith("password")}},
		"password": {Type: cty.String, Optional: true},
		"id":       {Type: cty.String, Computed: true, PlanModifiers: []sdk.PlanModifier{sdk.UseStateForUnknown()}},
		"revision": {Type: cty.Number, Computed: true},
		"limits": {Optional: true, Nested: &sdk.NestedObject{Nesting: sdk.NestingSingle, Attributes: map[string]sdk.Attribute{
			"rate": {Type: cty.Number, Optional: true, Validators: []sdk.Validator{sdk.Between(1, 100)}},
		}}},
	},
	Blocks: map[string]sdk.Block{
		"target": {Nesting: sdk.NestingList, MinItems: 1, MaxItems: 2, Attributes: map[string]sdk.Attribute{
			"url":    {Type: cty.String, Required: true},
			"secret": {Type: cty.String, Optional: true, Sensitive: true},
			"status": {Type: cty.String, Computed: true},
		}},
		"env": {Nesting: sdk.NestingMap, Attributes: map[string]sdk.Attribute{
			"value": {Type: cty.String, Required: true},
		}},
		"tls": {Nesting: sdk.NestingSingle, Attributes: map[string]sdk.Attribute{
			"verify": {Type: cty.Bool, Optional: true, Computed: true, Default: cty.True},
		}},
		"label": {Nesting: sdk.NestingSet, Attributes: map[string]sdk.Attribute{
			"text": {Type: cty.String, Required: true},
		}},
	},
}

type target struct {
	URL    string  `slipway:"url"`
	Secret *string `slipway:"secret"`
	Status *string `slipway:"status"`
}

type env struct {
	Value string `slipway:"value"`
}

type hook struct {
	Name   string         `slipway:"name"`
	Events []string       `slipway:"events"`
	Kind   *string        `slipway:"kind"`
	ID     cty.Value      `slipway:"id"`
	Target []target       `slipway:"target"`
	Env    map[string]env `slipway:"env"`
	TLS    *struct {
		Verify bool `slipway:"verify"`
	} `slipway:"tls"`
	Limits *struct {
		Rate *float64 `slipway:"rate"`
	} `slipway:"limits"`
	Untagged string
}

func hookConfig(t *testing.T, h hook) cty.Value {
	t.Helper()
	v, err := sdk.ValueOf(h)
	if err != nil {
		t.Fatal(err)
	}
	v, err = hookSchema.Conform(v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNestedImpliedType(t *testing.T) {
	t.Parallel()
	ty := hookSchema.ImpliedType()
	want := map[string]cty.Type{
		"target": cty.List(cty.Object(map[string]cty.Type{"url": cty.String, "secret": cty.String, "status": cty.String})),
		"env":    cty.Map(cty.Object(map[string]cty.Type{"value": cty.String})),
		"tls":    cty.Object(map[string]cty.Type{"verify": cty.Bool}),
		"label":  cty.Set(cty.Object(map[string]cty.Type{"text": cty.String})),
		"limits": cty.Object(map[string]cty.Type{"rate": cty.Number}),
	}
	for name, w := range want {
		if got := ty.AttributeType(name); !got.Equals(w) {
			t.Errorf("%s: type %s, want %s", name, got.GoString(), w.GoString())
		}
	}
}

func TestDecodeAndValueOfRoundTrip(t *testing.T) {
	t.Parallel()
	secret, rate := "s3", 5.0
	in := hook{
		Name: "ci", Events: []string{"push"}, ID: cty.UnknownVal(cty.String),
		Target: []target{{URL: "http://a"}, {URL: "http://b", Secret: &secret}},
		Env:    map[string]env{"prod": {Value: "1"}},
		Limits: &struct {
			Rate *float64 `slipway:"rate"`
		}{Rate: &rate},
	}
	v := hookConfig(t, in)
	if !v.Type().Equals(hookSchema.ImpliedType()) {
		t.Fatalf("conformed value has type %s", v.Type().GoString())
	}
	if got := v.GetAttr("events"); !got.Type().IsSetType() {
		t.Errorf("events became a %s, want the schema's set", got.Type().FriendlyName())
	}
	if got := v.GetAttr("label"); got.IsNull() || got.LengthInt() != 0 {
		t.Errorf("an absent set block is %#v, want an empty set (blocks are never null)", got)
	}
	var out hook
	if d := sdk.Decode(v, &out); d.HasErrors() {
		t.Fatal(d.Err())
	}
	if diff := cmp.Diff(in, out, cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// An unknown value cannot go into a string; the diagnostic names it.
	var bad struct {
		ID string `slipway:"id"`
	}
	d := sdk.Decode(v, &bad)
	if !d.HasErrors() || !d[0].Attribute.Equals(cty.GetAttrPath("id")) || !strings.Contains(d[0].Detail, "known after apply") {
		t.Errorf("decoding an unknown into a string = %v, want an error at id", d)
	}
	var typo struct {
		Nmae string `slipway:"nmae"`
	}
	if d := sdk.Decode(v, &typo); !d.HasErrors() || !strings.Contains(d[0].Detail, `tagged "nmae"`) {
		t.Errorf("decoding into a misspelt tag = %v, want an error naming it", d)
	}
}

func TestValidators(t *testing.T) {
	t.Parallel()
	rate := 500.0
	user := "u"
	tests := map[string]struct {
		mutate    func(v cty.Value) cty.Value
		h         hook
		wantPath  cty.Path
		wantWords string
	}{
		"length": {h: hook{Name: "muchtoolongname"}, wantPath: cty.GetAttrPath("name"), wantWords: "1 to 8 characters"},
		"regex":  {h: hook{Name: "UP"}, wantPath: cty.GetAttrPath("name"), wantWords: "lower-case letters"},
		"one of": {h: hook{Name: "a", Kind: &user}, wantPath: cty.GetAttrPath("kind"), wantWords: `one of "push", "tag"`},
		"range in a nested attribute": {h: hook{Name: "a", Limits: &struct {
			Rate *float64 `slipway:"rate"`
		}{Rate: &rate}}, wantPath: cty.GetAttrPath("limits").GetAttr("rate"), wantWords: "from 1 to 100"},
		"conflicts with": {h: hook{Name: "a"}, mutate: func(v cty.Value) cty.Value {
			return sdk.With(sdk.With(sdk.With(v, "token", cty.StringVal("t")), "user", cty.StringVal("u")), "password", cty.StringVal("p"))
		}, wantPath: cty.GetAttrPath("token"), wantWords: `together with "user"`},
		"required with": {h: hook{Name: "a"}, mutate: func(v cty.Value) cty.Value {
			return sdk.With(v, "user", cty.StringVal("u"))
		}, wantPath: cty.GetAttrPath("user"), wantWords: `"password" must be set`},
		"too many blocks": {h: hook{Name: "a", Target: []target{{URL: "1"}, {URL: "2"}, {URL: "3"}}}, wantPath: cty.GetAttrPath("target"), wantWords: "At most 2"},
		"required inside a block": {h: hook{Name: "a"}, mutate: func(v cty.Value) cty.Value {
			return sdk.With(v, "env", cty.MapVal(map[string]cty.Value{"prod": cty.ObjectVal(map[string]cty.Value{"value": cty.NullVal(cty.String)})}))
		}, wantPath: cty.GetAttrPath("env").Index(cty.StringVal("prod")).GetAttr("value"), wantWords: `"value" is required`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := tt.h
			if h.Target == nil {
				h.Target = []target{{URL: "http://a"}}
			}
			v := hookConfig(t, h)
			if tt.mutate != nil {
				v = tt.mutate(v)
			}
			d := sdk.ValidateConfig(hookSchema, v)
			d = append(d, sdk.RunValidators(hookSchema, v)...)
			if len(d) != 1 {
				t.Fatalf("diagnostics = %v, want one", d)
			}
			if !d[0].Attribute.Equals(tt.wantPath) || !strings.Contains(d[0].Detail, tt.wantWords) {
				t.Errorf("diagnostic at %#v: %s\nwant it at %#v, saying %q", d[0].Attribute, d[0].Detail, tt.wantPath, tt.wantWords)
			}
		})
	}
	// A valid configuration passes, and unknown values are not checked.
	v := hookConfig(t, hook{Name: "ok", Target: []target{{URL: "u"}}})
	v = sdk.With(v, "kind", cty.UnknownVal(cty.String))
	if d := append(sdk.ValidateConfig(hookSchema, v), sdk.RunValidators(hookSchema, v)...); len(d) > 0 {
		t.Errorf("a valid configuration: %v", d)
	}
}

func TestPlanModifiersAndDefaults(t *testing.T) {
	t.Parallel()
	cfg := hookConfig(t, hook{Name: "a", Target: []target{{URL: "http://a"}}, TLS: &struct {
		Verify bool `slipway:"verify"`
	}{}})
	cfg = sdk.With(cfg, "kind", cty.NullVal(cty.String))
	cfg = sdk.With(cfg, "tls", cty.ObjectVal(map[string]cty.Value{"verify": cty.NullVal(cty.Bool)}))

	// Create: defaults are planned, computed values are unknown, nested too.
	var resp sdk.PlanResponse
	sdk.DefaultPlan(hookSchema, sdk.PlanRequest{Config: cfg, PriorState: cty.NullVal(hookSchema.ImpliedType())}, &resp)
	p := resp.PlannedState
	if got := p.GetAttr("kind"); !got.RawEquals(cty.StringVal("push")) {
		t.Errorf("kind planned as %#v, want its default", got)
	}
	if got := p.GetAttr("tls").GetAttr("verify"); !got.RawEquals(cty.True) {
		t.Errorf("tls.verify planned as %#v, want its default inside the block", got)
	}
	if got := p.GetAttr("target").Index(cty.NumberIntVal(0)).GetAttr("status"); got.IsKnown() {
		t.Errorf("target[0].status planned as %#v on create, want unknown", got)
	}

	// Apply fills the computed values.
	prior := sdk.With(sdk.With(p, "id", cty.StringVal("h-1")), "revision", cty.NumberIntVal(1))
	prior = sdk.With(prior, "target", cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
		"url": cty.StringVal("http://a"), "secret": cty.NullVal(cty.String), "status": cty.StringVal("ok")})}))

	// Update of a nested value: nested computed values are kept.
	upd := sdk.With(cfg, "events", cty.SetVal([]cty.Value{cty.StringVal("tag")}))
	resp = sdk.PlanResponse{}
	sdk.DefaultPlan(hookSchema, sdk.PlanRequest{Config: upd, PriorState: prior}, &resp)
	if len(resp.RequiresReplace) > 0 {
		t.Errorf("an update requires replacement: %#v", resp.RequiresReplace)
	}
	if got := resp.PlannedState.GetAttr("target").Index(cty.NumberIntVal(0)).GetAttr("status"); !got.RawEquals(cty.StringVal("ok")) {
		t.Errorf("target[0].status planned as %#v on update, want the prior value", got)
	}

	// A rename replaces the hook, with the modifier's reason.
	resp = sdk.PlanResponse{}
	sdk.DefaultPlan(hookSchema, sdk.PlanRequest{Config: sdk.With(cfg, "name", cty.StringVal("b")), PriorState: prior}, &resp)
	if len(resp.RequiresReplace) != 1 || !resp.RequiresReplace[0].Equals(cty.GetAttrPath("name")) ||
		len(resp.ReplaceReasons) != 1 || resp.ReplaceReasons[0] != "the API cannot rename a hook" {
		t.Errorf("rename: replace %#v reasons %q, want name with its reason", resp.RequiresReplace, resp.ReplaceReasons)
	}
	if got := resp.PlannedState.GetAttr("id"); got.IsKnown() {
		t.Errorf("a replacement keeps id %#v, want unknown", got)
	}
}

func TestUseStateForUnknownAfterPlan(t *testing.T) {
	t.Parallel()
	prior := hookConfig(t, hook{Name: "a", Target: []target{{URL: "u"}}, ID: cty.StringVal("h-1")})
	prior = sdk.With(prior, "revision", cty.NumberIntVal(1))
	// A Plan method that marks every computed value unknown on update.
	planned := sdk.With(sdk.With(prior, "id", cty.UnknownVal(cty.String)), "revision", cty.UnknownVal(cty.Number))
	cfg := sdk.With(sdk.With(prior, "id", cty.NullVal(cty.String)), "revision", cty.NullVal(cty.Number))
	got := sdk.KeepStateForUnknown(hookSchema, sdk.PlanRequest{Config: cfg, PriorState: prior}, planned, false)
	if !got.GetAttr("id").RawEquals(cty.StringVal("h-1")) {
		t.Errorf("id = %#v, want the prior value kept", got.GetAttr("id"))
	}
	if got.GetAttr("revision").IsKnown() {
		t.Errorf("revision = %#v, want it left unknown (no UseStateForUnknown)", got.GetAttr("revision"))
	}
	if got := sdk.KeepStateForUnknown(hookSchema, sdk.PlanRequest{Config: cfg, PriorState: prior}, planned, true); got.GetAttr("id").IsKnown() {
		t.Errorf("on replacement id = %#v, want unknown", got.GetAttr("id"))
	}
}

func TestSensitivePathsOf(t *testing.T) {
	t.Parallel()
	s := "x"
	v := hookConfig(t, hook{Name: "a", Target: []target{{URL: "1"}, {URL: "2", Secret: &s}}})
	got := hookSchema.SensitivePathsOf(v)
	want := []cty.Path{
		cty.GetAttrPath("token"),
		cty.GetAttrPath("target").IndexInt(0).GetAttr("secret"),
		cty.GetAttrPath("target").IndexInt(1).GetAttr("secret"),
	}
	if len(got) != len(want) {
		t.Fatalf("SensitivePathsOf = %#v, want %#v", got, want)
	}
	for i := range want {
		if !got[i].Equals(want[i]) {
			t.Errorf("path %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}
