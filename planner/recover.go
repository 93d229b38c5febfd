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
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// recoverPending reads back, through their providers, the changes an
// interrupted apply began and never finished. A create whose object
// exists is adopted: the returned state holds it, so the plan compares
// it with its configuration instead of creating it a second time. Every
// other change is to an instance state holds, which refresh reads as
// usual. st is not changed; the returned state is a copy when anything
// was adopted.
func (c *Context) recoverPending(ctx context.Context, st *state.State) (*state.State, []*plans.Interrupted, hcl.Diagnostics) {
	if len(c.Pending) == 0 {
		return st, nil, nil
	}
	var diags hcl.Diagnostics
	var out []*plans.Interrupted
	type lookup struct {
		p   state.Pending
		out *plans.Interrupted
	}
	byProvider := map[addrs.Provider][]lookup{}
	for _, p := range c.Pending {
		action, _ := plans.ParseAction(p.Action)
		in := &plans.Interrupted{ID: p.ID, Addr: p.Addr, Action: action, Outcome: plans.InterruptedInState}
		out = append(out, in)
		if p.Deposed || p.Action != plans.Create.String() || st.Resources[p.Addr.String()] != nil || p.Planned == nil || p.Planned.Provider.Name == "" {
			continue
		}
		byProvider[p.Planned.Provider] = append(byProvider[p.Planned.Provider], lookup{p, in})
	}
	adopted := map[string]*state.ResourceInstance{}
	if len(byProvider) > 0 {
		need := map[addrs.Provider]bool{}
		for pa := range byProvider {
			need[pa] = true
		}
		conns, d := c.startProviders(ctx, need)
		diags = append(diags, d...)
		for pa, ls := range byProvider {
			conn := conns[pa]
			if conn == nil {
				continue
			}
			reqs := make([]sdk.ReadRequest, len(ls))
			for i, l := range ls {
				reqs[i] = sdk.ReadRequest{Address: l.p.Addr.String(), TypeName: l.p.Planned.Type, State: l.p.Planned.Value,
					Private: l.p.Planned.Private, InterruptedOperation: l.p.ID}
			}
			resps, err := conn.read.Do(ctx, reqs)
			if err != nil {
				diags = append(diags, kind.Errorf("Cannot read back an interrupted change", nil,
					"Reading back what an interrupted apply began through provider %q: %v. Nothing was planned over it; run plan again once the provider works.", pa.Name, err))
				continue
			}
			for i, resp := range resps {
				l := ls[i]
				diags = append(diags, kind.ProviderDiags(resp.Diagnostics, l.p.Addr.String(), nil)...)
				if resp.Diagnostics.HasErrors() {
					continue
				}
				if resp.NewState == cty.NilVal || resp.NewState.IsNull() {
					l.out.Outcome = plans.InterruptedAbsent
					continue
				}
				ri := *l.p.Planned
				ri.Value, ri.Private = resp.NewState, resp.Private
				if resp.Unchanged {
					ri.Value = l.p.Planned.Value
				}
				ri.Sensitive = append(append([]cty.Path(nil), ri.Sensitive...), resp.SensitivePaths...)
				adopted[ri.Addr.String()] = &ri
				l.out.Outcome = plans.InterruptedAdopted
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	if len(adopted) == 0 {
		return st, out, diags
	}
	cp := *st
	cp.Resources = make(map[string]*state.ResourceInstance, len(st.Resources)+len(adopted))
	for k, v := range st.Resources {
		cp.Resources[k] = v
	}
	for k, v := range adopted {
		cp.Resources[k] = v
	}
	return &cp, out, diags
}
