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

package kind

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
)

// Decoder decodes the body of a block of a Valued kind.
type Decoder interface {
	// Of is the addrs.Kind of the blocks it decodes.
	Of() addrs.Kind
	// Decode evaluates a block's body into its value.
	Decode(rc *lang.Resource, ectx *hcl.EvalContext) (cty.Value, hcl.Diagnostics)
}

// Valued is a block kind that proposes no change of its own and uses no
// provider: its one instance's value, decoded from its body by D, is what
// the blocks that refer to it read (a rollout strategy, an analysis).
// Embed it in a kind's type: type Kind struct{ kind.Valued[decoder] }.
type Valued[D Decoder] struct{}

// Kind is D's kind.
func (Valued[D]) Kind() addrs.Kind {
	var d D
	return d.Of()
}

// Providers is empty: the block is carried out by those that refer to it.
func (Valued[D]) Providers(*lang.Resource) []addrs.Provider { return nil }

// Writes is empty: the block commits to no source.
func (Valued[D]) Writes(*lang.Resource) []addrs.Resource { return nil }

// Check has nothing to check before the walk.
func (Valued[D]) Check(Host, *lang.Resource) hcl.Diagnostics { return nil }

// Validate decodes the block with every reference unknown.
func (v Valued[D]) Validate(_ context.Context, h ValidateHost, rc *lang.Resource) hcl.Diagnostics {
	_, diags := v.evaluate(h, rc)
	return diags
}

// Plan gives the block its value.
func (v Valued[D]) Plan(_ context.Context, h PlanHost, rc *lang.Resource) hcl.Diagnostics {
	val, diags := v.evaluate(h, rc)
	h.SetValues(rc, []Instance{valuedInstance(rc)}, []cty.Value{val})
	return diags
}

// Apply gives the block its value again, with what apply knows.
func (v Valued[D]) Apply(_ context.Context, h ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	val, diags := v.evaluate(h, rc)
	h.SetValues(rc, []Instance{valuedInstance(rc)}, []cty.Value{val})
	return diags
}

func valuedInstance(rc *lang.Resource) Instance {
	return Instance{Addr: rc.Addr.Instance(addrs.NoKey)}
}

func (Valued[D]) evaluate(h Host, rc *lang.Resource) (cty.Value, hcl.Diagnostics) {
	ectx, diags := h.EvalContext(rc, valuedInstance(rc))
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	var d D
	v, more := d.Decode(rc, ectx)
	return v, append(diags, more...)
}
