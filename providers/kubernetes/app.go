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

package kubernetes

import (
	"context"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/par"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// app is resource type "kubernetes_app".
type app struct{ p *provider }

var (
	_ sdk.ResourceWithBatchPlan   = (*app)(nil)
	_ sdk.ResourceWithBatchRead   = (*app)(nil)
	_ sdk.ResourceWithStatus      = (*app)(nil)
	_ sdk.ResourceWithValidate    = (*app)(nil)
	_ sdk.ResourceWithElidedState = (*app)(nil)
)

func (a *app) Schema() sdk.Schema { return appSchema }

// Validate checks required attributes and, once the configuration is
// known, durations, retry settings and JSON pointers.
func (a *app) Validate(_ context.Context, req sdk.ValidateRequest, resp *sdk.ValidateResponse) {
	resp.Diagnostics = sdk.ValidateConfig(appSchema, req.Config)
	if req.Config.IsNull() || !req.Config.IsWhollyKnown() {
		return
	}
	_, diags := parseAppConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
}

// Read refreshes one app; see ReadBatch.
func (a *app) Read(ctx context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resps := []sdk.ReadResponse{*resp}
	a.ReadBatch(ctx, []sdk.ReadRequest{req}, resps)
	*resp = resps[0]
}

// ReadBatch refreshes the objects of every app of a refresh together,
// with the same LISTs a plan makes. Each recorded object is replaced by
// the live one, limited to the same fields, so a change made by hand
// (kubectl edit, kubectl scale) shows as drift; an object that is gone
// leaves `objects`. The inventory is kept, and an app whose objects are
// all gone stays in state, so the core plans a re-sync, not a create.
func (a *app) ReadBatch(ctx context.Context, reqs []sdk.ReadRequest, resps []sdk.ReadResponse) {
	ctx, done := a.p.WithStop(ctx)
	defer done()
	type item struct {
		address string
		resp    *sdk.ReadResponse
		state   cty.Value
		prior   priorApp
		ids     []kube.ObjectID
	}
	var items []*item
	var all []kube.ObjectID
	for i := range reqs {
		req, resp := reqs[i], &resps[i]
		prior, err := readPrior(req.State, req.Private)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the app's state", err.Error())
			continue
		}
		if !prior.exists {
			continue
		}
		it := &item{address: req.Address, resp: resp, state: req.State, prior: prior}
		for _, key := range recordedIDs(prior) {
			if id, err := kube.ParseObjectID(key); err == nil {
				it.ids = append(it.ids, id)
			}
		}
		all = append(all, it.ids...)
		items = append(items, it)
	}
	if len(items) == 0 {
		return
	}
	cl, err := a.p.Cluster()
	if err != nil {
		for _, it := range items {
			it.resp.Diagnostics.AddError("Kubernetes provider not ready", err.Error())
		}
		return
	}
	cluster := clusterOf(cl.Config)
	shared := newSharedLive()
	live, err := shared.FetchLazy(ctx, cl.Mappings(), all)
	if err != nil {
		for _, it := range items {
			it.resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		}
		return
	}
	same := make([]bool, len(items))
	par.Each(len(items), func(n int) {
		it := items[n]
		objects := map[string]cty.Value{}
		rolling := rollingWorkload(it.state)
		matched := 0 // recorded objects found as recorded without building their value
		for _, id := range it.ids {
			key := id.String()
			lv := live[key]
			if lv == nil {
				continue
			}
			if key == rolling {
				// Under a rollout, state records the template the
				// Deployment is rolling to, not the stable one it still
				// runs: that is no drift.
				if v, ok := it.prior.objects[key]; ok {
					objects[key] = v
					continue
				}
			}
			if rv, ok := it.prior.objects[key]; ok && asLiveJSONOf(lv.JSON(), lv.GVK(), rv) {
				objects[key] = rv
				matched++
				continue
			}
			u, err := lv.Object()
			if err != nil {
				it.resp.Diagnostics.AddError("Cannot read "+key, err.Error())
				continue
			}
			v, err := liveValueOf(u.Object, it.prior.objects[key])
			if err != nil {
				it.resp.Diagnostics.AddError("Cannot read "+key, err.Error())
				continue
			}
			objects[key] = v
		}
		same[n] = !it.resp.Diagnostics.HasErrors() &&
			(matched == len(it.prior.objects) && len(objects) == matched || asRecorded(objects, it.prior.objects))
		if same[n] {
			// Every recorded object is live as recorded: the state
			// stands, and the plan may know the app needs nothing
			// without rendering it (see planUnchanged).
			it.resp.Unchanged = true
			it.resp.SensitivePaths = kube.AppSecretPaths(it.state)
			if priv := renewedElision(it.state, it.prior, cluster, live); priv != nil {
				it.resp.Private = priv
			}
			return
		}
		objs := kube.ObjectsVal(objects)
		it.resp.NewState = sdk.With(it.state, builtin.AppObjects, objs)
		it.resp.SensitivePaths = kube.AppSecretPaths(it.resp.NewState)
	})
	refreshed, recorded := map[string]bool{}, map[string]bool{}
	for n, it := range items {
		key := refreshKey(it.address, sdk.GetString(it.state, builtin.AppName))
		refreshed[key] = true
		if same[n] {
			recorded[key] = true
		}
	}
	a.p.keepRefreshed(shared, refreshed, recorded)
}

// refreshKey names an app among those a refresh covered (and found as
// recorded): its address, and its name, which tells apart two apps a
// caller sends under one address.
func refreshKey(address, name string) string { return address + "\x00" + name }

// asRecorded reports whether a refresh found exactly the recorded objects,
// each with its recorded value.
func asRecorded(refreshed, recorded map[string]cty.Value) bool {
	if len(refreshed) != len(recorded) {
		return false
	}
	for key, v := range recorded {
		r, ok := refreshed[key]
		if !ok || !r.RawEquals(v) {
			return false
		}
	}
	return true
}

// recordedIDs lists the IDs of an app's inventory and recorded objects.
func recordedIDs(prior priorApp) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range prior.inventory {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range prior.objects {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
