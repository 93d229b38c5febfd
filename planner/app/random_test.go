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

package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/planner/plans"
)

// TestNestedRandom checks that the fields a chart renders differently
// each time reach the object's nested change, for the views to mark.
func TestNestedRandom(t *testing.T) {
	t.Parallel()
	const secret = "v1 Secret web/web-auth"
	obj := func(pw cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"password": pw})})
	}
	release := func(pw cty.Value, random cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppObjects:       cty.ObjectVal(map[string]cty.Value{secret: obj(pw)}),
			builtin.HelmRandomFields: random,
		})
	}
	randomPw := cty.MapVal(map[string]cty.Value{secret: cty.ListVal([]cty.Value{cty.StringVal("/data/password")})})
	tests := map[string]struct {
		before, after cty.Value
		wantAction    plans.Action
		wantRandom    []cty.Path
	}{
		"kept while the release stays": {
			before: release(cty.StringVal("eA=="), randomPw), after: release(cty.StringVal("eA=="), randomPw),
			wantAction: plans.NoOp, wantRandom: []cty.Path{cty.GetAttrPath("data").GetAttr("password")},
		},
		"rendered anew by an upgrade": {
			before: release(cty.StringVal("eA=="), randomPw), after: release(cty.UnknownVal(cty.String), randomPw),
			wantAction: plans.Update, wantRandom: []cty.Path{cty.GetAttrPath("data").GetAttr("password")},
		},
		"nothing random": {
			before: release(cty.StringVal("eA=="), cty.MapValEmpty(cty.List(cty.String))), after: release(cty.StringVal("eA=="), cty.MapValEmpty(cty.List(cty.String))),
			wantAction: plans.NoOp,
		},
		"not known yet": {
			before: release(cty.StringVal("eA=="), randomPw), after: release(cty.UnknownVal(cty.String), cty.UnknownVal(cty.Map(cty.List(cty.String)))),
			wantAction: plans.Update,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := nestedChanges(&plans.ResourceChange{Type: builtin.HelmRelease, Before: tc.before, After: tc.after})
			if len(got) != 1 {
				t.Fatalf("got %d nested changes, want 1", len(got))
			}
			if got[0].Action != tc.wantAction {
				t.Errorf("action = %v, want %v", got[0].Action, tc.wantAction)
			}
			if diff := cmp.Diff(tc.wantRandom, got[0].Random, ctyCmp); diff != "" {
				t.Errorf("random (-want +got):\n%s", diff)
			}
		})
	}
}
