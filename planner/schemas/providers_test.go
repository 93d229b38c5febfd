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

package schemas

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

func TestNestedSchemaDocument(t *testing.T) {
	t.Parallel()
	s := sdk.Schema{
		Attributes: map[string]sdk.Attribute{
			"kind": {Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal("push"), Validators: []sdk.Validator{sdk.OneOf("push", "tag")}},
			"limits": {Optional: true, Nested: &sdk.NestedObject{Nesting: sdk.NestingSingle, Attributes: map[string]sdk.Attribute{
				"rate": {Type: cty.Number, Optional: true},
			}}},
		},
		Blocks: map[string]sdk.Block{
			"target": {Nesting: sdk.NestingList, MinItems: 1, Attributes: map[string]sdk.Attribute{
				"url": {Type: cty.String, Required: true, PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("")}},
			}},
		},
	}
	got, err := schemaFromSDK(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got.Block)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"attributes": map[string]any{
			"kind": map[string]any{"type": "string", "description_kind": "plain", "optional": true, "computed": true,
				"default": "push", "validators": []any{`be one of "push", "tag"`}},
			"limits": map[string]any{"type": []any{"object", map[string]any{"rate": "number"}}, "description_kind": "plain", "optional": true,
				"nested_type": map[string]any{"nesting_mode": "single", "attributes": map[string]any{
					"rate": map[string]any{"type": "number", "description_kind": "plain", "optional": true},
				}}},
		},
		"block_types": map[string]any{
			"target": map[string]any{"nesting_mode": "list", "min_items": float64(1), "block": map[string]any{
				"description_kind": "plain",
				"attributes": map[string]any{
					"url": map[string]any{"type": "string", "description_kind": "plain", "required": true,
						"plan_modifiers": []any{"changing it replaces the object"}},
				},
			}},
		},
		"description_kind": "plain",
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
}
