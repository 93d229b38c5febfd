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

package helm

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// Status reports each object's kstatus health and sync status: Synced
// when the live object, normalised as state records it, equals what state
// recorded. The release's health is the worst of its objects'; its
// message names the release revision and Helm's status of it.
func (r *releaseResource) Status(ctx context.Context, req sdk.StatusRequest, resp *sdk.StatusResponse) {
	ctx, done := r.p.WithStop(ctx)
	defer done()
	if req.State.IsNull() {
		resp.Health, resp.Sync, resp.Message = sdk.Missing, sdk.OutOfSync, "the release has not been installed"
		return
	}
	cl, err := r.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Helm provider not ready", err.Error())
		return
	}
	name := sdk.GetString(req.State, builtin.AppName)
	acfg, err := cl.actionConfig(sdk.GetString(req.State, builtin.AppNamespace))
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure Helm", err.Error())
		return
	}
	ms := cl.Mappings()
	rel, objs, err := releaseObjects(ms, acfg, name, unpackCRDs(decodePrivate(req.Private).CRDs))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the release", err.Error())
		return
	}
	if rel == nil {
		resp.Health, resp.Sync, resp.Message = sdk.Missing, sdk.OutOfSync, fmt.Sprintf("release %s is not installed", name)
		return
	}
	recorded := req.State.GetAttr(builtin.AppObjects)
	live, err := getAll(ctx, ms, objs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		return
	}
	objects := make([]sdk.ObjectStatus, 0, len(objs))
	for i, o := range objs {
		key := o.id.String()
		lv := live[i]
		os := sdk.ObjectStatus{ID: key, Sync: sdk.Synced}
		os.Health, os.Message = kube.HealthOf(lv)
		rec := cty.NilVal
		if recorded.IsKnown() && !recorded.IsNull() && recorded.Type().IsObjectType() && recorded.Type().HasAttribute(key) {
			rec = recorded.GetAttr(key)
		}
		if lv == nil || rec == cty.NilVal {
			os.Sync = sdk.OutOfSync
		} else if cur, err := kube.ToCty(normalise(lv.Object, o.obj)); err != nil || !kube.SameValue(rec, cur) {
			os.Sync = sdk.OutOfSync
		}
		objects = append(objects, os)
	}
	kube.Summarise(resp, objects, fmt.Sprintf("release %s revision %d %s; ", name, rel.Version, rel.Info.Status))
	if sdk.GetInt(req.State, builtin.HelmReleaseRevision) != int64(rel.Version) {
		resp.Sync = sdk.OutOfSync
	}
}
