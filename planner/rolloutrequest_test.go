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
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// requestKind takes over rollout blocks and lowers each instance to a
// kit_thing named after the rollout request the engine passes it, as the
// app kind puts the request into its lowered configuration.
type requestKind struct{ toyKind }

func (requestKind) Providers(*lang.Resource) []addrs.Provider {
	return []addrs.Provider{{Name: "kit"}}
}

func (requestKind) lowering(h kind.PlanHost) kind.Lowering {
	return kind.Lowering{
		Type: "kit_thing",
		Config: func(_ *lang.Resource, _ sdk.Schema, _ *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics) {
			name := "no request"
			if req := h.RolloutRequest(in.Addr); req != "" {
				name = req
			}
			return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "id": cty.NullVal(cty.String)}), nil
		},
	}
}

func (k requestKind) Plan(ctx context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	cp := *rc
	cp.Provider = addrs.Provider{Name: "kit"}
	return h.PlanResource(ctx, &cp, k.lowering(h))
}

func TestRolloutRequestsReachTheKind(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
provider "kit" {}
rollout "web" {}
rollout "api" {}
`)
	c := f.context(nil)
	c.Kinds = append(append([]kind.Kind(nil), DefaultKinds...), requestKind{})
	p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true,
		RolloutRequests: map[addrs.ResourceInstance]string{mustAddr(t, "rollout.web"): "promote_full"}})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	got := map[string]string{}
	for _, ch := range p.Changes {
		got[ch.Addr.String()] = ch.After.GetAttr("name").AsString()
	}
	want := map[string]string{"rollout.web": "promote_full", "rollout.api": "no request"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lowered names (-want +got):\n%s", diff)
	}
}
