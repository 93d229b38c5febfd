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
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/state"
)

// Status is what `slipway status` shows of one instance, as `argocd app
// get` does: whether what runs matches what the configuration and its
// sources say now (sync), and how healthy it is.
type Status struct {
	Addr     addrs.ResourceInstance
	Sync     string
	Health   string
	Message  string
	Revision string
	Objects  []sdk.ObjectStatus
	// Rollout is where the app's rollout stands, from its recorded
	// rollout_status; nil without one, or when it is sensitive.
	Rollout *rolloutspec.Status
}

// Status reports the instances of the blocks targets names: sync comes
// from a refreshed plan of them (a no-op means Synced), health and
// per-object detail from the provider's live status.
func (c *Context) Status(ctx context.Context, targets []addrs.ResourceInstance) ([]Status, hcl.Diagnostics) {
	if len(targets) == 0 {
		return nil, nil
	}
	p, diags := c.Plan(ctx, PlanOpts{Refresh: true, Targets: targets})
	if diags.HasErrors() {
		return nil, diags
	}
	asked := map[addrs.Resource]bool{}
	for _, t := range targets {
		asked[t.Resource] = true
	}
	// The live status is asked of each provider for all its instances
	// together, in batches of planBatchSize, as a refresh is: one call
	// per app made 1,000 apps cost their kinds' LISTs 1,000 times.
	type pending struct {
		st      *Status
		ri      *state.ResourceInstance
		ch      *plans.ResourceChange
		objSync map[string]string
	}
	var found []*Status
	byProvider := map[string][]pending{}
	clients := map[string]*host.Client{}
	for _, ch := range p.Changes {
		if !asked[ch.Addr.Resource] {
			// What the targets depend on (their sources) is planned too.
			continue
		}
		st := &Status{Addr: ch.Addr, Sync: sdk.Synced, Health: sdk.Unknown}
		if ch.Action != plans.NoOp {
			st.Sync = sdk.OutOfSync
		}
		if r := kind.StrAttr(ch.After, builtin.AppRevision); r != "" {
			st.Revision = r
		}
		objSync := map[string]string{}
		for _, nc := range ch.Nested {
			switch nc.Action {
			case plans.NoOp:
				objSync[nc.Address] = sdk.Synced
			default:
				objSync[nc.Address] = sdk.OutOfSync
			}
		}
		ri := c.State.Resources[ch.Addr.String()]
		if ri == nil {
			st.Health, st.Message = sdk.Missing, "never synced"
			for _, nc := range ch.Nested {
				st.Objects = append(st.Objects, sdk.ObjectStatus{ID: nc.Address, Sync: sdk.OutOfSync, Health: sdk.Missing})
			}
			found = append(found, st)
			continue
		}
		key := ri.Provider.String()
		if _, ok := clients[key]; !ok {
			cl, err := c.Providers.Get(ctx, key, ri.Provider.Name)
			if err != nil {
				diags = append(diags, kind.ErrorDiag("Provider failed to start", err.Error(), nil))
				continue
			}
			clients[key] = cl
		}
		byProvider[key] = append(byProvider[key], pending{st: st, ri: ri, ch: ch, objSync: objSync})
	}
	for _, key := range slices.Sorted(maps.Keys(byProvider)) {
		all := byProvider[key]
		for chunk := range slices.Chunk(all, planBatchSize) {
			reqs := make([]sdk.StatusRequest, len(chunk))
			for i, pd := range chunk {
				reqs[i] = sdk.StatusRequest{Address: pd.ri.Addr.String(), TypeName: pd.ri.Type, State: pd.ri.Value, Private: pd.ri.Private}
			}
			resps, err := clients[key].Status(ctx, reqs)
			if err != nil {
				for _, pd := range chunk {
					diags = append(diags, kind.Errorf("Status failed", nil, "Reading the status of %s: %v", pd.ri.Addr, err))
				}
				continue
			}
			for i, pd := range chunk {
				st, ri, r := pd.st, pd.ri, resps[i]
				st.Rollout, diags = rolloutStatus(pd.ch, ri, diags)
				diags = append(diags, kind.ProviderDiags(r.Diagnostics, ri.Addr.String(), nil)...)
				st.Health, st.Message = r.Health, r.Message
				seen := map[string]bool{}
				for _, o := range r.Objects {
					if s, ok := pd.objSync[o.ID]; ok {
						o.Sync = s
					}
					seen[o.ID] = true
					st.Objects = append(st.Objects, o)
				}
				for id, s := range pd.objSync {
					if !seen[id] {
						st.Objects = append(st.Objects, sdk.ObjectStatus{ID: id, Sync: s, Health: sdk.Missing, Message: "not in the cluster yet"})
					}
				}
				sort.Slice(st.Objects, func(i, j int) bool { return st.Objects[i].ID < st.Objects[j].ID })
				found = append(found, st)
			}
		}
	}
	out := make([]Status, len(found))
	for i, st := range found {
		out[i] = *st
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	return out, diags
}

// rolloutStatus reads an app's rollout status: from the refreshed prior
// value, which holds what the provider read just now, or else from
// state. A sensitive one is not shown; an unreadable one is a warning.
func rolloutStatus(ch *plans.ResourceChange, ri *state.ResourceInstance, diags hcl.Diagnostics) (*rolloutspec.Status, hcl.Diagnostics) {
	raw, sens := kind.StrAttr(ch.Before, builtin.AppRolloutStatus), ch.BeforeSensitive
	if raw == "" {
		raw, sens = kind.StrAttr(ri.Value, builtin.AppRolloutStatus), ri.Sensitive
	}
	if plans.RolloutSensitive(sens) {
		return nil, diags
	}
	s, err := rolloutspec.DecodeStatus(raw)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Unreadable rollout status",
			Detail:   fmt.Sprintf("The rollout status %s records is not what this slipway reads (%v), so status shows no rollout for it. The next apply of %s records it again.", ri.Addr, err, ri.Addr),
		})
	}
	return s, diags
}
