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

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
)

// TestWithin: the sensitive paths of one object of an app are those under
// it, and every path when all the objects are sensitive.
func TestWithin(t *testing.T) {
	t.Parallel()
	objects := cty.GetAttrPath(builtin.AppObjects)
	tests := map[string]struct {
		paths []cty.Path
		want  []cty.Path
	}{
		"none":        {nil, nil},
		"other attrs": {[]cty.Path{cty.GetAttrPath("values")}, nil},
		"one field": {
			[]cty.Path{objects.IndexString("v1 Secret web/db").GetAttr("data"), objects.IndexString("v1 Secret web/other")},
			[]cty.Path{cty.GetAttrPath("data")},
		},
		"the object":  {[]cty.Path{objects.IndexString("v1 Secret web/db")}, []cty.Path{{}}},
		"all objects": {[]cty.Path{objects}, []cty.Path{{}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := within(tt.paths, "v1 Secret web/db")
			if len(got) != len(tt.want) {
				t.Fatalf("within = %#v, want %#v", got, tt.want)
			}
			for i := range got {
				if !got[i].Equals(tt.want[i]) {
					t.Errorf("within = %#v, want %#v", got, tt.want)
				}
			}
		})
	}
}
