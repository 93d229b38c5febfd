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

package rollout

import (
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

var _ kind.Documented = Kind{}

// Doc describes the rollout block for its reference page.
func (Kind) Doc() lang.BlockDoc {
	return lang.BlockDoc{
		Type: "rollout", Labels: []string{"name"},
		Description: "A progressive delivery strategy (canary steps or blue-green) that an app names with rollout = rollout.NAME. This version parses rollout blocks and orders them in the graph, but plans no changes for them.",
		Attributes:  []lang.AttrDoc{lang.MetaArguments[2]},
	}
}
