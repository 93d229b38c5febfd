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

package plans

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestRolloutSensitive(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		paths []cty.Path
		want  bool
	}{
		"nothing sensitive":       {nil, false},
		"another attribute":       {[]cty.Path{cty.GetAttrPath("objects")}, false},
		"the whole value":         {[]cty.Path{{}}, true},
		"the status":              {[]cty.Path{cty.GetAttrPath("rollout_status")}, true},
		"the proposal":            {[]cty.Path{cty.GetAttrPath("rollout_plan")}, true},
		"the strategy":            {[]cty.Path{cty.GetAttrPath("rollout")}, true},
		"a part of the strategy":  {[]cty.Path{cty.GetAttrPath("rollout").Index(cty.NumberIntVal(0))}, true},
		"a name sharing a prefix": {[]cty.Path{cty.GetAttrPath("rollouts")}, false},
	} {
		if got := RolloutSensitive(tc.paths); got != tc.want {
			t.Errorf("%s: RolloutSensitive = %v, want %v", name, got, tc.want)
		}
	}
}
