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
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/par"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// planOffline plans apps without the cluster (slipway plan -offline): the
// manifests are rendered as for any plan, and each object is compared
// with what state recorded at the last apply instead of the live object.
// An object whose manifest hash is the recorded one is planned as
// recorded; any other is planned as its manifest (kube.Predicted), so a
// changed object shows, field by field, the recorded values against the
// new manifest's. State stands for the cluster: the objects of the
// recorded inventory are taken to be there, still the app's.
func (a *app) planOffline(reqs []sdk.PlanRequest, resps []sdk.PlanResponse) {
	par.Each(len(reqs), func(i int) {
		req, resp := reqs[i], &resps[i]
		cfg, prior, rendered, ok := readApp(req, resp, a.p.offlineNS)
		if !ok {
			return
		}
		var recorded []kube.ObjectID
		for _, s := range prior.inventory {
			if id, err := kube.ParseObjectID(s); err == nil {
				recorded = append(recorded, id)
			}
		}
		scopes := kube.NewOfflineScopes(recorded)
		d, err := buildDesired(cfg, rendered, scopes, a.p.offlineNS)
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Invalid manifests", err.Error())
			return
		}
		prior.followVersions(d)
		if g := scopes.Guessed(); len(g) > 0 {
			resp.Diagnostics.AddWarning("Kinds taken as namespaced",
				fmt.Sprintf("Offline, slipway cannot ask the cluster whether these kinds of app %q are namespaced; they are neither Kubernetes' own nor in the app's state, so they are taken as namespaced:\n  %s", cfg.Name, strings.Join(g, "\n  ")))
		}
		if cfg.Rollout != nil {
			if _, err := prepareRollout(cfg.Rollout, d); err != nil {
				resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Invalid rollout", err.Error())
				return
			}
		}
		objects := map[string]cty.Value{}
		var unchanged []string
		for _, o := range d.objects {
			key := o.id.String()
			if rec, ok := prior.objects[key]; ok && prior.private.Hashes[key] == o.hash {
				objects[key] = rec
				unchanged = append(unchanged, key)
				continue
			}
			v, err := kube.ToCty(kube.Predicted(o.obj.Object, o.id.Group))
			if err != nil {
				resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
				continue
			}
			objects[key] = v
		}
		live := map[string]*unstructured.Unstructured{}
		for _, key := range prior.inventory {
			labels := map[string]string{labelManagedBy: managedBy, labelApp: cfg.Name}
			if key == prior.private.AutoNamespace {
				labels = map[string]string{labelManagedBy: managedBy}
			}
			u := &unstructured.Unstructured{Object: map[string]any{}}
			u.SetLabels(labels)
			live[key] = u
		}
		a.finishPlan(&planItem{resp: resp, cfg: cfg, desired: d, prior: prior, priorRollout: priorStatus(req.PriorState)}, objects, unchanged, live)
	})
}
