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
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// Status reports each object's sync status and health, and the app's: an
// object is Synced when the live object, limited to the recorded fields,
// equals what slipway recorded at the last apply; its health is kstatus's,
// in Argo CD's words. The app's health is the worst of its objects'
// (Degraded > Missing > Progressing > Unknown > Suspended > Healthy).
func (a *app) Status(ctx context.Context, req sdk.StatusRequest, resp *sdk.StatusResponse) {
	resps := make([]sdk.StatusResponse, 1)
	a.StatusBatch(ctx, []sdk.StatusRequest{req}, resps)
	*resp = resps[0]
}

// StatusBatch is Status of many apps with one fetch of their objects: one
// LIST of each kind for all of them (see kube.FetchLive), where asking
// about each app alone LISTed its kinds once per app, and its Namespace
// among every Namespace slipway made.
func (a *app) StatusBatch(ctx context.Context, reqs []sdk.StatusRequest, resps []sdk.StatusResponse) {
	ctx, done := a.p.WithStop(ctx)
	defer done()
	priors := make([]priorApp, len(reqs))
	appIDs := make([][]kube.ObjectID, len(reqs))
	var ids []kube.ObjectID
	pending := false
	for i, req := range reqs {
		prior, err := readPrior(req.State, req.Private)
		switch {
		case err != nil:
			resps[i].Diagnostics.AddError("Cannot read the app's state", err.Error())
			continue
		case !prior.exists:
			resps[i].Health, resps[i].Sync, resps[i].Message = sdk.Missing, sdk.OutOfSync, "the app has not been applied"
			continue
		}
		priors[i] = prior
		for _, key := range recordedIDs(prior) {
			if id, err := kube.ParseObjectID(key); err == nil {
				appIDs[i] = append(appIDs[i], id)
			}
		}
		ids = append(ids, appIDs[i]...)
		pending = true
	}
	if !pending {
		return
	}
	fail := func(summary, detail string) {
		for i := range reqs {
			if priors[i].exists {
				resps[i].Diagnostics.AddError(summary, detail)
			}
		}
	}
	cl, err := a.p.Cluster()
	if err != nil {
		fail("Kubernetes provider not ready", err.Error())
		return
	}
	live, err := kube.FetchLive(ctx, cl.Mappings(), managedSelector, ids)
	if err != nil {
		fail("Cannot read the cluster", err.Error())
		return
	}
	par.Each(len(reqs), func(i int) {
		if priors[i].exists {
			appStatus(reqs[i], priors[i], appIDs[i], live, &resps[i])
		}
	})
}

// appStatus is the status of one app whose objects ids are found in live.
func appStatus(req sdk.StatusRequest, prior priorApp, ids []kube.ObjectID, live map[string]*unstructured.Unstructured, resp *sdk.StatusResponse) {
	objects := make([]sdk.ObjectStatus, 0, len(ids))
	for _, id := range ids {
		key := id.String()
		lv := live[key]
		os := sdk.ObjectStatus{ID: key}
		os.Health, os.Message = kube.HealthOf(lv)
		os.Sync = sdk.Synced
		if lv == nil {
			os.Sync = sdk.OutOfSync
		} else if rec, ok := prior.objects[key]; ok {
			cur, err := liveValueOf(lv.Object, rec)
			if err != nil || !kube.SameValue(rec, cur) {
				os.Sync = sdk.OutOfSync
			}
		}
		objects = append(objects, os)
	}
	kube.Summarise(resp, objects, "")
	// A rollout under way or aborted is part of the app's standing: an
	// aborted revision makes the app Degraded, with the reason.
	if st := priorStatus(req.State); st != nil {
		switch st.Phase {
		case rolloutspec.PhaseDegraded:
			resp.Health = sdk.Degraded
			resp.Message = fmt.Sprintf("the rollout of revision %s was aborted: %s; %s", rolloutspec.Short(st.Aborted), st.Message, resp.Message)
		case rolloutspec.PhaseProgressing, rolloutspec.PhasePaused:
			if resp.Health == sdk.Healthy {
				resp.Health = sdk.Progressing
			}
			resp.Message = fmt.Sprintf("rollout %s; %s", st.Standing(), resp.Message)
		}
	}
	// The hook runs of the last sync follow the objects; they are not
	// the app's, so they count in neither its sync status nor its health.
	if runs := prior.private.HookRuns; len(runs) > 0 {
		resp.Objects = append(resp.Objects, hookStatuses(runs)...)
		failed := 0
		for _, run := range runs {
			if run.Result != hookSucceeded {
				failed++
			}
		}
		resp.Message += fmt.Sprintf("; the last sync ran %s, %d not succeeded", plural(len(runs), "hook", "hooks"), failed)
	}
}
