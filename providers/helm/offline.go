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
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// planOffline plans a release without the cluster (slipway plan
// -offline). The chart is rendered by Helm's engine as a client-only
// install with Helm's default capabilities (no post-renderer, no
// plugin, no lookup: templates see no cluster), and each rendered object
// is compared with what state recorded at the last apply: one whose
// manifest makes the recorded object is planned as recorded, any other as
// rendered, so a changed object shows the recorded values against the
// chart's new ones. When the chart and values are the ones state
// recorded (inputsDigest), the release is planned unchanged as a whole;
// after an apply that failed, which records no inputs, it is upgraded.
// Fields that differ between two renders (randAlphaNum, now, uuidv4) are
// random: unknown in a release that changes.
//
// State holds the objects as the API server stored them, limited to the
// fields the chart renders, so a field the server writes differently
// from the chart (a defaulted or reformatted value) shows as changed
// here, where an online plan's dry-run would not show it.
func (r *releaseResource) planOffline(ctx context.Context, c releaseConfig, cl *cluster, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	ch, vals, ok := cl.chartInputs(c, "", &resp.Diagnostics)
	if !ok {
		return
	}
	var manifests [2]string
	var digest string
	var err error
	for i := range manifests {
		manifests[i], digest, err = renderOffline(ctx, c, ch, vals)
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(attrOf(err, builtin.HelmValues)), "Cannot render the chart",
				fmt.Sprintf("Helm could not render chart %s-%s from %s, %s: %v", ch.Name(), ch.Metadata.Version, c.source(), takenFor(c), err))
			return
		}
	}
	manifest := manifests[0]
	prior := req.PriorState
	exists := prior != cty.NilVal && !prior.IsNull() && prior.IsKnown()
	recorded := map[string]cty.Value{}
	var recordedIDs []kube.ObjectID
	if exists {
		if objs := prior.GetAttr(builtin.AppObjects); !objs.IsNull() && objs.IsKnown() && (objs.Type().IsObjectType() || objs.Type().IsMapType()) {
			recorded = objs.AsValueMap()
		}
		for key := range recorded {
			if id, err := kube.ParseObjectID(key); err == nil {
				recordedIDs = append(recordedIDs, id)
			}
		}
	}
	scopes := kube.NewOfflineScopes(recordedIDs)
	objs, err := splitManifest(scopes, manifest, c.Namespace)
	if err != nil {
		resp.Diagnostics.AddError("Invalid chart output", fmt.Sprintf("chart %s-%s: %v", ch.Name(), ch.Metadata.Version, err))
		return
	}
	crds, err := splitManifest(scopes, crdManifest(ch), c.Namespace)
	if err != nil {
		resp.Diagnostics.AddError("Invalid chart CRDs", fmt.Sprintf("chart %s-%s: %v", ch.Name(), ch.Metadata.Version, err))
		return
	}
	again, err := splitManifest(scopes, manifests[1], c.Namespace)
	if err != nil {
		resp.Diagnostics.AddError("Invalid chart output", fmt.Sprintf("chart %s-%s: %v", ch.Name(), ch.Metadata.Version, err))
		return
	}
	random := findRandom(objs, again)
	if g := scopes.Guessed(); len(g) > 0 {
		resp.Diagnostics.AddWarning("Kinds taken as namespaced",
			fmt.Sprintf("Offline, slipway cannot ask the cluster whether these kinds of release %q are namespaced; they are neither Kubernetes' own nor in the release's state, so they are taken as namespaced:\n  %s", c.Name, strings.Join(g, "\n  ")))
	}
	priv := decodePrivate(req.PriorPrivate)
	inputs := inputsDigest(ch, vals)
	same := exists && !priv.Failed && ((priv.Inputs != "" && priv.Inputs == inputs) || (priv.Digest != "" && priv.Digest == digest))
	if exists && priv.Failed {
		resp.Diagnostics.AddWarning("Last apply failed",
			fmt.Sprintf("The last apply of release %q failed. Offline, slipway cannot see what it left in the cluster, so the plan upgrades the release to the chart and values configured. Plan online to see what the upgrade changes.", c.Name))
	}
	planned := map[string]cty.Value{}
	var inventory []string
	for _, o := range objs {
		key := o.id.String()
		inventory = append(inventory, key)
		if rec, ok := recorded[key]; ok && same {
			planned[key] = rec
			continue
		}
		v, err := kube.ToCty(predicted(o))
		if err != nil {
			resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
			continue
		}
		if rec, ok := recorded[key]; ok && kube.SameValue(rec, v) {
			v = rec
		}
		if ptrs := random[key]; len(ptrs) > 0 {
			if v, err = settle(v, cty.NullVal(cty.DynamicPseudoType), ptrs, true); err != nil {
				resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
				continue
			}
		}
		planned[key] = v
	}
	// CRDs from crds/ are created once and never changed: as recorded, or
	// as rendered for a release never installed.
	for _, o := range crds {
		key := o.id.String()
		if rec, ok := recorded[key]; ok {
			planned[key] = rec
		} else if exists {
			continue
		} else if v, err := kube.ToCty(predicted(o)); err == nil {
			planned[key] = v
		}
		inventory = append(inventory, key)
	}
	if resp.Diagnostics.HasErrors() {
		return
	}
	sort.Strings(inventory)
	objects := kube.ObjectsVal(planned)
	upgrade := !exists || priv.Failed || !same && (!kube.SameValue(prior.GetAttr(builtin.AppObjects), objects) ||
		sdk.GetString(prior, builtin.HelmChartVersion) != ch.Metadata.Version ||
		(priv.Inputs != "" && priv.Inputs != inputs))
	revision := cty.UnknownVal(cty.Number)
	if !upgrade {
		revision = prior.GetAttr(builtin.HelmReleaseRevision)
	}
	adopted := priorAdopted(prior)
	if !exists && c.Adopt.Tool != "" {
		// Which objects the install takes over is known only from the
		// live objects.
		adopted = cty.DynamicVal
		resp.Diagnostics.AddWarning("Adoption not planned offline",
			fmt.Sprintf("Offline, slipway cannot see which objects of release %q carry the tracking of %s; the plan shows them as created, and the apply (online) takes them over.", c.Name, c.Adopt.Describe()))
	}
	resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{
		builtin.AppObjects:          objects,
		builtin.AppInventory:        kube.StringListVal(inventory),
		builtin.HelmChartVersion:    cty.StringVal(ch.Metadata.Version),
		builtin.HelmAppVersion:      cty.StringVal(ch.Metadata.AppVersion),
		builtin.HelmReleaseRevision: revision,
		builtin.AppAdopted:          adopted,
	})
	if upgrade {
		resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{builtin.HelmRandomFields: random.value()})
	}
	resp.SensitivePaths = kube.SecretPaths(objects)
	resp.PlannedPrivate = privateData{Inputs: inputs, Digest: digest, Upgrade: upgrade, CRDs: packCRDs(subchartCRDManifest(ch))}.encode()
}

// renderOffline renders the chart as a client-only install: Helm's
// template engine with its default capabilities, and no cluster.
func renderOffline(ctx context.Context, c releaseConfig, ch *chart.Chart, vals map[string]any) (string, string, error) {
	in := action.NewInstall(&action.Configuration{Log: debugLog})
	in.ClientOnly = true
	in.DryRun = true
	in.ReleaseName = c.Name
	in.Namespace = c.Namespace
	rel, err := in.RunWithContext(ctx, ch, vals)
	if err != nil {
		return "", "", err
	}
	return rel.Manifest, releaseDigest(ch, vals, rel), nil
}
