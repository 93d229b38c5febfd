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
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

var planSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
	"name": {Type: cty.String, Required: true, ForceNew: true},
	"size": {Type: cty.Number, Optional: true},
	"mode": {Type: cty.String, Optional: true, Computed: true},
	"id":   {Type: cty.String, Computed: true},
}}

func TestDefaultPlan(t *testing.T) {
	t.Parallel()
	s := planSchema.Object
	prior := s(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(1), "mode": cty.StringVal("rw"), "id": cty.StringVal("x")})
	tests := map[string]struct {
		prior, config cty.Value
		want          cty.Value
		wantReplace   []cty.Path
	}{
		"create": {
			prior:  cty.NilVal,
			config: s(map[string]cty.Value{"name": cty.StringVal("a")}),
			want:   s(map[string]cty.Value{"name": cty.StringVal("a"), "mode": cty.UnknownVal(cty.String), "id": cty.UnknownVal(cty.String)}),
		},
		"create with an optional computed attribute set": {
			prior:  cty.NullVal(planSchema.ImpliedType()),
			config: s(map[string]cty.Value{"name": cty.StringVal("a"), "mode": cty.StringVal("ro")}),
			want:   s(map[string]cty.Value{"name": cty.StringVal("a"), "mode": cty.StringVal("ro"), "id": cty.UnknownVal(cty.String)}),
		},
		"update keeps computed attributes": {
			prior:  prior,
			config: s(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(2)}),
			want:   s(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(2), "mode": cty.StringVal("rw"), "id": cty.StringVal("x")}),
		},
		"update of an optional computed attribute": {
			prior:  prior,
			config: s(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(1), "mode": cty.StringVal("ro")}),
			want:   s(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.NumberIntVal(1), "mode": cty.StringVal("ro"), "id": cty.StringVal("x")}),
		},
		"force new change replaces": {
			prior:       prior,
			config:      s(map[string]cty.Value{"name": cty.StringVal("b"), "size": cty.NumberIntVal(1)}),
			want:        s(map[string]cty.Value{"name": cty.StringVal("b"), "size": cty.NumberIntVal(1), "mode": cty.UnknownVal(cty.String), "id": cty.UnknownVal(cty.String)}),
			wantReplace: []cty.Path{cty.GetAttrPath("name")},
		},
		"unknown force new value replaces": {
			prior:       prior,
			config:      s(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "size": cty.NumberIntVal(1)}),
			want:        s(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "size": cty.NumberIntVal(1), "mode": cty.UnknownVal(cty.String), "id": cty.UnknownVal(cty.String)}),
			wantReplace: []cty.Path{cty.GetAttrPath("name")},
		},
		"null config deletes": {
			prior:  prior,
			config: cty.NullVal(planSchema.ImpliedType()),
			want:   cty.NullVal(planSchema.ImpliedType()),
		},
		"nil config deletes": {
			prior:  prior,
			config: cty.NilVal,
			want:   cty.NullVal(planSchema.ImpliedType()),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var resp sdk.PlanResponse
			sdk.DefaultPlan(planSchema, sdk.PlanRequest{Config: tc.config, PriorState: tc.prior, PriorPrivate: []byte("p")}, &resp)
			if !resp.PlannedState.RawEquals(tc.want) {
				t.Errorf("PlannedState:\n got %#v\nwant %#v", resp.PlannedState, tc.want)
			}
			if len(resp.RequiresReplace) != len(tc.wantReplace) {
				t.Fatalf("RequiresReplace = %#v, want %#v", resp.RequiresReplace, tc.wantReplace)
			}
			for i := range tc.wantReplace {
				if !resp.RequiresReplace[i].Equals(tc.wantReplace[i]) {
					t.Errorf("RequiresReplace[%d] = %#v, want %#v", i, resp.RequiresReplace[i], tc.wantReplace[i])
				}
			}
			if string(resp.PlannedPrivate) != "p" {
				t.Errorf("PlannedPrivate = %q, want the prior private data", resp.PlannedPrivate)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	t.Parallel()
	s := planSchema.Object
	tests := map[string]struct {
		config cty.Value
		want   []string // attribute of each error
	}{
		"ok":                      {config: s(map[string]cty.Value{"name": cty.StringVal("a")})},
		"unknown required is set": {config: s(map[string]cty.Value{"name": cty.UnknownVal(cty.String)})},
		"missing required":        {config: s(nil), want: []string{"name"}},
		"computed only written":   {config: s(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("x")}), want: []string{"id"}},
		"wholly unknown config":   {config: cty.UnknownVal(planSchema.ImpliedType())},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			diags := sdk.ValidateConfig(planSchema, tc.config)
			if len(diags) != len(tc.want) {
				t.Fatalf("diagnostics = %#v, want errors about %v", diags, tc.want)
			}
			for i, attr := range tc.want {
				if diags[i].Severity != sdk.Error || !diags[i].Attribute.Equals(cty.GetAttrPath(attr)) {
					t.Errorf("diagnostic %d = %#v, want an error about %s", i, diags[i], attr)
				}
			}
		})
	}
}

func TestSchemaObjectFillsAndConverts(t *testing.T) {
	t.Parallel()
	got := planSchema.Object(map[string]cty.Value{"name": cty.StringVal("a"), "size": cty.StringVal("3")})
	want := cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("a"), "size": cty.NumberIntVal(3), "mode": cty.NullVal(cty.String), "id": cty.NullVal(cty.String),
	})
	if !got.RawEquals(want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// complain is a validator that refuses every value it is given.
type complain struct{}

func (complain) Description() string { return "never be checked" }

func (complain) Validate(req sdk.ValidatorRequest) sdk.Diagnostics {
	var d sdk.Diagnostics
	d.AddError("Checked", fmt.Sprintf("The validator was given %#v.", req.Value))
	return d
}

// TestValidatorsSkipUnknownValues: a value not known yet is not checked;
// a known one is, even when it holds unknown values.
func TestValidatorsSkipUnknownValues(t *testing.T) {
	t.Parallel()
	schema := sdk.Schema{Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Optional: true, Validators: []sdk.Validator{complain{}}},
		"tags": {Type: cty.List(cty.String), Optional: true, Validators: []sdk.Validator{complain{}}},
	}}
	unknown := schema.Object(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "tags": cty.UnknownVal(cty.List(cty.String))})
	if d := sdk.RunValidators(schema, unknown); len(d) > 0 {
		t.Errorf("unknown values were checked: %v", d)
	}
	known := schema.Object(map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)})})
	if d := sdk.RunValidators(schema, known); len(d) != 2 {
		t.Errorf("known values: diagnostics %v, want one of each attribute", d)
	}
}
