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
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// Kind is the analysis block kind.
type Kind struct{}

var _ kind.Kind = Kind{}

// Kind is addrs.Analysis.
func (Kind) Kind() addrs.Kind { return addrs.Analysis }

// Providers is empty: an analysis is run by the provider of the app
// whose rollout names it.
func (Kind) Providers(*lang.Resource) []addrs.Provider { return nil }

// Writes is empty: an analysis commits to no source.
func (Kind) Writes(*lang.Resource) []addrs.Resource { return nil }

// Check has nothing to check.
func (Kind) Check(kind.Host, *lang.Resource) hcl.Diagnostics { return nil }

// Validate decodes the block with every reference unknown.
func (Kind) Validate(_ context.Context, h kind.ValidateHost, rc *lang.Resource) hcl.Diagnostics {
	_, diags := evaluate(h, rc)
	return diags
}

// Plan decodes the block and gives it its value; an analysis proposes no
// change of its own.
func (Kind) Plan(_ context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	v, diags := evaluate(h, rc)
	h.SetValues(rc, []kind.Instance{instance(rc)}, []cty.Value{v})
	return diags
}

// Apply gives the block the value it had in plan.
func (Kind) Apply(_ context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	v, diags := evaluate(h, rc)
	h.SetValues(rc, []kind.Instance{instance(rc)}, []cty.Value{v})
	return diags
}

// instance is the one instance of an analysis block.
func instance(rc *lang.Resource) kind.Instance {
	return kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)}
}

// evaluate decodes the block in h's evaluation context into its value;
// cty.DynamicVal when it has errors.
func evaluate(h kind.Host, rc *lang.Resource) (cty.Value, hcl.Diagnostics) {
	ectx, diags := h.EvalContext(rc, instance(rc))
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	v, d := Decode(rc, ectx)
	return v, append(diags, d...)
}
