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
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/release"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// dryRunParallelism bounds the dry-run applies in flight at once.
const dryRunParallelism = 8

// releaseResource is resource type "helm_release".
type releaseResource struct{ p *provider }

var (
	_ sdk.ResourceWithPlan     = (*releaseResource)(nil)
	_ sdk.ResourceWithStatus   = (*releaseResource)(nil)
	_ sdk.ResourceWithValidate = (*releaseResource)(nil)
)

func (r *releaseResource) Schema() sdk.Schema { return releaseSchema }

// Validate checks required attributes, that exactly one chart source is
// given, and every attribute that is known.
func (r *releaseResource) Validate(_ context.Context, req sdk.ValidateRequest, resp *sdk.ValidateResponse) {
	resp.Diagnostics = sdk.ValidateConfig(releaseSchema, req.Config)
	if req.Config.IsNull() || !req.Config.IsKnown() {
		return
	}
	_, diags := parseConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
}

// Plan renders the chart as Helm would install or upgrade it and asks the
// API server, in dry-run, what each object would become. Nothing in the
// cluster changes: rendering is client-side or a dry-run upgrade, and
// every object is a server-side apply dry-run.
func (r *releaseResource) Plan(ctx context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	ctx, done := r.p.WithStop(ctx)
	defer done()
	if !kube.AllKnown(req.Config, append(chartInputs, builtin.AppAdopt)...) {
		resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{
			builtin.AppObjects: cty.DynamicVal, builtin.AppInventory: cty.UnknownVal(cty.List(cty.String)), builtin.AppAdopted: cty.DynamicVal,
			builtin.HelmChartVersion: cty.UnknownVal(cty.String), builtin.HelmAppVersion: cty.UnknownVal(cty.String),
			builtin.HelmReleaseRevision: cty.UnknownVal(cty.Number), builtin.HelmRandomFields: cty.UnknownVal(cty.Map(cty.List(cty.String))),
		})
		return
	}
	c, diags := parseConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return
	}
	if r.p.offline != nil {
		r.planOffline(ctx, c, r.p.offline, req, resp)
		return
	}
	cl, err := r.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Helm provider not ready", err.Error())
		return
	}
	ch, vals, ok := cl.chartInputs(c, "", &resp.Diagnostics)
	if !ok {
		return
	}
	loaded := inputsDigest(ch, vals)
	acfg, err := cl.actionConfig(c.Namespace)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure Helm", err.Error())
		return
	}
	last, err := lastRelease(acfg, c.Name)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the release", err.Error())
		return
	}
	if last != nil && last.Info.Status.IsPending() {
		resp.Diagnostics.AddError("Release operation in progress",
			fmt.Sprintf("Release %q in namespace %s is %s (revision %d): another install, upgrade or rollback is running, or one was killed midway. Wait for it, or %s.",
				c.Name, c.Namespace, last.Info.Status, last.Version, leavePending(acfg, c)))
		return
	}
	// Two renders of the same inputs: what differs between them is
	// random (randAlphaNum, now, uuidv4), not a change.
	ms := cl.Mappings()
	var renders [2][]*manifestObject
	for i := range renders {
		rd, err := cl.render(ctx, c, ch, vals, last != nil)
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(attrOf(err, builtin.HelmValues)), "Cannot render the chart",
				fmt.Sprintf("Helm could not render chart %s-%s from %s, %s: %v", ch.Name(), ch.Metadata.Version, c.source(), takenFor(c), err))
			return
		}
		renders[i], err = splitManifest(ms, rd.manifest, c.Namespace)
		if err != nil {
			resp.Diagnostics.AddError("Invalid chart output", fmt.Sprintf("chart %s-%s, %s: %v", ch.Name(), ch.Metadata.Version, takenFor(c), err))
			return
		}
	}
	objs := renders[0]
	random := findRandom(renders[0], renders[1])
	crds, err := splitManifest(ms, crdManifest(ch), c.Namespace)
	if err != nil {
		resp.Diagnostics.AddError("Invalid chart CRDs", fmt.Sprintf("chart %s-%s: %v", ch.Name(), ch.Metadata.Version, err))
		return
	}

	// Namespaces that do not exist yet: the server cannot dry-run into
	// them, so their objects are planned as rendered.
	missingNS := map[string]bool{}
	for _, o := range objs {
		ns := o.id.Namespace
		if ns == "" || o.unknownKind {
			continue
		}
		if _, ok := missingNS[ns]; ok {
			continue
		}
		exists, err := cl.namespaceExists(ctx, ns)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
			return
		}
		missingNS[ns] = !exists
	}
	if exists, err := cl.namespaceExists(ctx, c.Namespace); err != nil {
		resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		return
	} else if !exists && !c.CreateNamespace {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppNamespace), "Namespace does not exist",
			fmt.Sprintf("The release namespace %q does not exist; Helm keeps the release's history there. Set create_namespace = true, or create the namespace first.", c.Namespace))
		return
	}

	planned := map[string]cty.Value{}
	var inventory []string
	var mu sync.Mutex
	record := func(key string, v cty.Value, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			resp.Diagnostics.AddError("Server-side apply dry-run failed", fmt.Sprintf("%s: %v%s", key, err, dryRunHint(err)))
			return
		}
		planned[key] = v
	}
	var dryRuns []func(context.Context) error
	for _, o := range objs {
		key := o.id.String()
		inventory = append(inventory, key)
		switch {
		case o.unknownKind:
			planned[key] = cty.DynamicVal
		case o.id.Namespace != "" && missingNS[o.id.Namespace]:
			v, err := kube.ToCty(predicted(o))
			record(key, v, err)
		default:
			dryRuns = append(dryRuns, func(ctx context.Context) error {
				out, err := ms.Apply(ctx, o.id, o.obj, true)
				if err != nil {
					record(key, cty.NilVal, err)
					return nil
				}
				v, err := kube.ToCty(normalise(out.Object, o.obj))
				record(key, v, err)
				return nil
			})
		}
	}
	_ = kube.RunEach(ctx, dryRunParallelism, dryRuns) // each records its own error
	// CRDs from crds/: Helm creates them at install when missing and never
	// changes them, so the plan shows them as they are, or as a create.
	for _, o := range crds {
		key := o.id.String()
		if o.unknownKind {
			continue
		}
		lv, err := get(ctx, ms, o)
		switch {
		case err != nil:
			record(key, cty.NilVal, err)
		case lv != nil:
			v, err := kube.ToCty(normalise(lv.Object, o.obj))
			record(key, v, err)
		case last == nil:
			out, err := ms.Apply(ctx, o.id, o.obj, true)
			if err != nil {
				record(key, cty.NilVal, err)
				break
			}
			v, err := kube.ToCty(normalise(out.Object, o.obj))
			record(key, v, err)
		default:
			continue
		}
		inventory = append(inventory, key)
	}
	// A release never installed takes over the objects Argo CD or Flux
	// synced from the chart (adopt); one installed keeps what its install
	// adopted, as state recorded it.
	adopted := priorAdopted(req.PriorState)
	if last == nil && c.Adopt.Tool != "" {
		a, err := findAdoptions(ctx, ms, c, objs)
		var na *notAdoptableError
		switch {
		case errors.As(err, &na):
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppAdopt), "Objects that cannot be adopted", na.Error())
		case err != nil:
			resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		default:
			adopted = a.value()
			if len(a.tracked) > 0 {
				resp.Diagnostics.AddWarning(kube.TrackingKept(c.Adopt, a.tracked))
			}
		}
	}
	if resp.Diagnostics.HasErrors() {
		return
	}
	sort.Strings(inventory)
	prior := req.PriorState
	priv := decodePrivate(req.PriorPrivate)
	inputs := inputsDigest(ch, vals)
	// What helm would send differs from the last release: its chart or
	// its values, or an object differs from the live one (outside of
	// the random fields). The revision counter never decides.
	priorObjects := cty.NullVal(cty.DynamicPseudoType)
	if prior != cty.NilVal && !prior.IsNull() && prior.IsKnown() {
		priorObjects = prior.GetAttr(builtin.AppObjects)
	}
	inputsChanged := last == nil || !sameInputs(last, ch, vals) || (priv.Inputs != "" && priv.Inputs != inputs)
	settled := func(upgrade bool) (map[string]cty.Value, error) {
		out := make(map[string]cty.Value, len(planned))
		for key, v := range planned {
			if ptrs := random[key]; len(ptrs) > 0 && v.IsKnown() {
				pv := cty.NullVal(cty.DynamicPseudoType)
				if !priorObjects.IsNull() && priorObjects.IsKnown() && priorObjects.Type().IsObjectType() && priorObjects.Type().HasAttribute(key) {
					pv = priorObjects.GetAttr(key)
				}
				var err error
				if v, err = settle(v, pv, ptrs, upgrade); err != nil {
					return nil, fmt.Errorf("%s: %w", key, err)
				}
			}
			out[key] = v
		}
		return out, nil
	}
	kept, err := settled(false)
	if err != nil {
		resp.Diagnostics.AddError("Invalid chart output", err.Error())
		return
	}
	upgrade := inputsChanged || last.Info.Status != release.StatusDeployed ||
		priorObjects.IsNull() || !kube.SameValue(priorObjects, kube.ObjectsVal(kept))
	objects := kube.ObjectsVal(kept)
	revision := cty.NumberIntVal(int64(0))
	if last != nil {
		revision = cty.NumberIntVal(int64(last.Version))
	}
	randomVal := random.value()
	if !upgrade && prior.Type().HasAttribute(builtin.HelmRandomFields) {
		// The release stays as it is, and so does what was found random
		// when it was made (a lookup may now find what was random then).
		if pr := prior.GetAttr(builtin.HelmRandomFields); pr.IsWhollyKnown() && !pr.IsNull() {
			randomVal = pr
		}
	}
	if upgrade {
		// Helm renders the random fields again.
		up, err := settled(true)
		if err != nil {
			resp.Diagnostics.AddError("Invalid chart output", err.Error())
			return
		}
		objects, revision = kube.ObjectsVal(up), cty.UnknownVal(cty.Number)
	}
	resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{
		builtin.AppObjects:          objects,
		builtin.AppInventory:        kube.StringListVal(inventory),
		builtin.HelmChartVersion:    cty.StringVal(ch.Metadata.Version),
		builtin.HelmAppVersion:      cty.StringVal(ch.Metadata.AppVersion),
		builtin.HelmReleaseRevision: revision,
		builtin.HelmRandomFields:    randomVal,
		builtin.AppAdopted:          adopted,
	})
	resp.SensitivePaths = append(kube.SecretPaths(objects), kube.SecretPathsIn(builtin.AppAdopted, adopted)...)
	resp.PlannedPrivate = privateData{Inputs: inputs, Upgrade: upgrade, Loaded: loaded, CRDs: packCRDs(subchartCRDManifest(ch))}.encode()
}

// namespaceExists reports whether namespace ns exists.
func (cl *cluster) namespaceExists(ctx context.Context, ns string) (bool, error) {
	_, err := cl.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get namespace %s: %w", ns, err)
	}
	return true, nil
}

// dryRunHint adds advice for the errors users can fix.
func dryRunHint(err error) string {
	if apierrors.IsInvalid(err) && strings.Contains(err.Error(), "immutable") {
		return " (the change touches an immutable field; Helm cannot upgrade it in place: rename the object in the chart, or delete it so the upgrade creates it afresh)"
	}
	return ""
}

// priorAdopted is the adopted attribute of a release's state: what its
// install took over, kept for as long as the release stays; null when
// there is no state or it adopted nothing.
func priorAdopted(prior cty.Value) cty.Value {
	if prior == cty.NilVal || prior.IsNull() || !prior.IsKnown() || !prior.Type().HasAttribute(builtin.AppAdopted) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if v := prior.GetAttr(builtin.AppAdopted); v.IsWhollyKnown() {
		return v
	}
	return cty.NullVal(cty.DynamicPseudoType)
}
