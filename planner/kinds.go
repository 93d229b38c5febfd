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
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/analysis"
	"slipway.dev/slipway/planner/app"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/pipeline"
	"slipway.dev/slipway/planner/rollout"
)

// DefaultKinds are the block kinds beside the engine's resources and
// sources. This is the one place that names them: a new kind is a package
// under planner/ and one line here.
var DefaultKinds = []kind.Kind{
	app.Kind{},
	pipeline.Kind{},
	rollout.Kind{},
	analysis.Kind{},
}

// kindMap indexes kinds by the addrs.Kind they handle; nil means
// DefaultKinds. A later kind of the same addrs.Kind wins.
func kindMap(kinds []kind.Kind) map[addrs.Kind]kind.Kind {
	if kinds == nil {
		kinds = DefaultKinds
	}
	m := make(map[addrs.Kind]kind.Kind, len(kinds))
	for _, k := range kinds {
		m[k.Kind()] = k
	}
	return m
}
