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

package analysis

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// Kind is the analysis block kind: a value the blocks that refer to it read,
// with no change of its own.
type Kind struct{ kind.Valued[decoder] }

var _ kind.Kind = Kind{}

// decoder decodes analysis blocks for kind.Valued.
type decoder struct{}

func (decoder) Of() addrs.Kind { return addrs.Analysis }

func (decoder) Decode(rc *lang.Resource, ectx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	return Decode(rc, ectx)
}
