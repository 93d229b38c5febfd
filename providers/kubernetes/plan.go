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
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// dryRunParallelism bounds the dry-run applies in flight at once.
const dryRunParallelism = 8

// planItem is one app of a batch being planned.
type planItem struct {
	resp    *sdk.PlanResponse
	cfg     appConfig
	desired *desiredSet
	prior   priorApp
	// priorAdopted is what the app's first sync adopted, kept in state.
	priorAdopted cty.Value
	// workload is the Deployment the app's rollout rolls, or nil;
	// priorRollout is the rollout status state recorded; finish ends
	// a rollout under way of an app that no longer has one.
	workload     *desiredObject
	priorRollout *rolloutspec.Status
	finish       *plannedRollout
	finishStatus *rolloutspec.Status
	// inputs is the digest of what the manifests were made from.
	inputs string

	// workloadOut is the workload's dry-run (for planRollout); nil until
	// the dry-run is done.
	workloadOut map[string]any
}

// PlanBatch plans every app of a batch together, so the whole batch costs
// one LIST per kind, or per kind and namespace for a few namespaces (see
// kube.FetchLive), plus a dry-run for each object whose
// manifest or live state changed since slipway applied it.
func (a *app) PlanBatch(ctx context.Context, reqs []sdk.PlanRequest, resps []sdk.PlanResponse) {
	// The refresh's watches start once the plan is done with them.
	defer a.p.startWatches()
	if a.p.offline {
		a.planOffline(reqs, resps)
		return
	}
	ctx, done := a.p.WithStop(ctx)
	defer done()
	cl, err := a.p.Cluster()
	if err != nil {
		for i := range resps {
			resps[i].Diagnostics.AddError("Kubernetes provider not ready", err.Error())
		}
		return
	}
	ms := cl.Mappings()
	// The objects of the apps' inventories are fetched while their
	// manifests are read; the objects of the manifests are then fetched
	// from what those LISTs did not decide, which in a plan without
	// changes is nothing.
	var inventory []kube.ObjectID
	for i := range reqs {
		if !kube.AllKnown(reqs[i].Config, renderInputs...) || len(resps[i].RequiresReplace) > 0 {
			continue
		}
		for _, s := range stringList(attrOr(reqs[i].PriorState, builtin.AppInventory)) {
			if id, err := kube.ParseObjectID(s); err == nil {
				inventory = append(inventory, id)
			}
		}
	}
	keys := make([]string, len(reqs))
	for i := range reqs {
		keys[i] = refreshKey(reqs[i].Address, sdk.GetString(reqs[i].PriorState, builtin.AppName))
	}
	fetched, asRecorded := a.p.takeRefreshed(keys)
	prefetch := make(chan error, 1)
	var prefetched map[string]*kube.Live
	go func() {
		var err error
		prefetched, err = fetched.FetchLazy(ctx, ms, inventory)
		prefetch <- err
	}()
	// Each app's manifests are read and built on its own, in parallel;
	// an app whose inputs and objects are as its last apply left them
	// waits for the LISTs instead, and is rendered only if they show
	// otherwise.
	prepared := make([]*planItem, len(reqs))
	candidates := make([]*appSources, len(reqs))
	prepare := func(i int, as *appSources) {
		if rendered, ok := as.render(&resps[i]); ok {
			prepared[i] = a.prepare(ctx, reqs[i], &resps[i], as, rendered, ms, cl.DefaultNamespace)
		}
	}
	par.Each(len(reqs), func(i int) {
		as, ok := readAppSources(reqs[i], &resps[i], cl.DefaultNamespace)
		if !ok {
			return
		}
		if asRecorded[refreshKey(reqs[i].Address, as.cfg.Name)] && as.mayBeUnchanged(reqs[i]) {
			candidates[i] = as
			return
		}
		prepare(i, as)
	})
	err = <-prefetch
	sets := &fieldSets{}
	par.Each(len(reqs), func(i int) {
		// (Without the LISTs, the app is planned in full, which reports
		// their error.)
		if as := candidates[i]; as != nil && (err != nil || !planUnchanged(reqs[i], &resps[i], as, prefetched, sets)) {
			prepare(i, as)
		}
	})
	var items []*planItem
	var ids []kube.ObjectID
	for _, it := range prepared {
		if it == nil {
			continue
		}
		d, prior := it.desired, it.prior
		items = append(items, it)
		for _, o := range d.objects {
			if !o.unknownKind {
				ids = append(ids, o.id)
			}
		}
		for _, s := range prior.inventory {
			if id, err := kube.ParseObjectID(s); err == nil {
				ids = append(ids, id)
			}
		}
		if it.workload != nil {
			ids = append(ids, secondID(it.workload.id, roleOf(it.cfg.Rollout)))
		}
	}
	if len(items) == 0 {
		return
	}
	var live map[string]*unstructured.Unstructured
	if err == nil {
		live, err = fetched.Fetch(ctx, ms, ids)
	}
	if err != nil {
		for _, it := range items {
			it.resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		}
		return
	}

	// Decide per object; dry-runs of all apps run together, bounded.
	type dryRun struct {
		n   int // index of the app in items
		o   *desiredObject
		out map[string]any
		err error
	}
	planned := make([]map[string]cty.Value, len(items))
	unchanged := make([][]string, len(items))
	appRuns := make([][]*dryRun, len(items))
	par.Each(len(items), func(n int) {
		it := items[n]
		planned[n] = map[string]cty.Value{}
		missingNS := map[string]bool{}
		for _, o := range it.desired.objects {
			if o.id.Group == "" && o.id.Kind == "Namespace" && live[o.id.String()] == nil {
				missingNS[o.id.Name] = true
			}
		}
		var going []string
		for _, o := range it.desired.objects {
			key := o.id.String()
			lv := live[key]
			if lv != nil && lv.GetDeletionTimestamp() != nil {
				going = append(going, fmt.Sprintf("%s (since %s)", key, lv.GetDeletionTimestamp().UTC().Format(time.RFC3339)))
			}
			switch {
			case o.unknownKind:
				planned[n][key] = cty.DynamicVal
			case o.id.Namespace != "" && missingNS[o.id.Namespace]:
				// The server cannot dry-run into a namespace that does
				// not exist yet; the manifest is the best prediction.
				v, err := kube.ToCty(kube.Predicted(o.obj.Object, o.id.Group))
				if err != nil {
					it.resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
					continue
				}
				planned[n][key] = v
			case lv != nil && o != it.workload && it.prior.private.Hashes[key] == o.hash && sets.stillApplied(lv, o.obj.Object):
				// (A rollout's workload is always dry-run: the plan
				// compares its template with the live one.)
				v, err := liveValue(lv.Object, o.obj.Object)
				if err != nil {
					it.resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
					continue
				}
				planned[n][key] = v
				unchanged[n] = append(unchanged[n], key)
			default:
				appRuns[n] = append(appRuns[n], &dryRun{n: n, o: o})
			}
		}
		warnDeleting(it.resp, going)
	})
	var runs []*dryRun
	for _, r := range appRuns {
		runs = append(runs, r...)
	}
	jobs := make([]func(context.Context) error, len(runs))
	for i, r := range runs {
		jobs[i] = func(ctx context.Context) error {
			out, err := ms.Apply(ctx, r.o.id, r.o.obj.Object, true)
			if err == nil {
				r.out = out.Object
			}
			r.err = err
			return nil
		}
	}
	_ = kube.RunEach(ctx, dryRunParallelism, jobs) // each job records its own error
	for _, r := range runs {
		it, key := items[r.n], r.o.id.String()
		if r.err != nil {
			it.resp.Diagnostics.AddError("Server-side apply dry-run failed",
				fmt.Sprintf("%s: %v%s", key, r.err, dryRunHint(r.err, it.cfg)))
			continue
		}
		v, err := liveValue(r.out, r.o.obj.Object)
		if err != nil {
			it.resp.Diagnostics.AddError("Cannot plan "+key, err.Error())
			continue
		}
		planned[r.n][key] = v
		if r.o == it.workload {
			it.workloadOut = r.out // for the rollout's decision
		}
	}

	par.Each(len(items), func(n int) { a.finishPlan(items[n], planned[n], unchanged[n], live) })
}

// prepare builds the plan of one app from its rendered manifests, or
// returns nil after adding an error to resp.
func (a *app) prepare(ctx context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse, as *appSources, rendered []*unstructured.Unstructured, ms *kube.Mappings, defaultNS string) *planItem {
	cfg, prior := as.cfg, as.prior
	d, err := buildDesired(cfg, rendered, ms, defaultNS)
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Invalid manifests", err.Error())
		return nil
	}
	prior.followVersions(d)
	it := &planItem{resp: resp, cfg: cfg, desired: d, prior: prior, priorAdopted: attrOr(req.PriorState, builtin.AppAdopted), priorRollout: priorStatus(req.PriorState)}
	if cfg.Rollout != nil {
		if it.workload, err = prepareRollout(cfg.Rollout, d); err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Invalid rollout", err.Error())
			return nil
		}
		if err := checkTraffic(ctx, ms, cfg.Rollout, it.workload.id.Namespace, d.byID()); err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Invalid rollout", err.Error())
			return nil
		}
		if ps, _, err := rolloutConfig(req.PriorState); err == nil && ps != nil && !sameSecond(ps, cfg.Rollout) {
			// The strategy's kind, workload or traffic changed while a
			// rollout was under way: its canary or preview is another
			// object, or its Services and route are pinned and weighted
			// another way, which the old strategy finishes first.
			if it.finish, it.finishStatus = finishRollout(req.PriorState, it.priorRollout, d); it.finish != nil {
				it.workload = nil
			}
		}
	} else {
		it.finish, it.finishStatus = finishRollout(req.PriorState, it.priorRollout, d)
	}
	it.inputs = as.inputs
	return it
}

// finishPlan decides what happens to the objects that left the manifests
// and fills the response. unchanged are the objects that need no apply.
func (a *app) finishPlan(it *planItem, objects map[string]cty.Value, unchanged []string, live map[string]*unstructured.Unstructured) {
	resp := it.resp
	if resp.Diagnostics.HasErrors() {
		return
	}
	desired := it.desired.byID()
	if shared := sharedObjects(it.desired, live, it.cfg.Name); len(shared) > 0 {
		// Argo CD's SharedResourceWarning.
		resp.Diagnostics.AddWarning("Objects shared with another app",
			fmt.Sprintf("These objects of app %q are also another slipway app's (their %s label names it):\n  %s\nBoth apps apply them, each taking them over in turn: the other's next plan shows them changed, and destroying either app deletes them. Keep each object in the manifests of one app.",
				it.cfg.Name, labelApp, strings.Join(shared, "\n  ")))
	}
	inventory := it.desired.ids()
	hashes := hashesOf(it.desired)
	var kept, keptByAnnotation, notOwned, abandoned []string
	for _, key := range it.prior.inventory {
		if _, ok := desired[key]; ok {
			continue
		}
		lv := live[key]
		switch {
		case lv != nil && !ownedBy(lv, it.cfg.Name):
			// Not the app's any more (relabelled by hand, or the namespace
			// create_namespace made, which carries no app label): apply
			// forgets it and never deletes it.
			if key == it.prior.private.AutoNamespace {
				abandoned = append(abandoned, key)
			} else {
				notOwned = append(notOwned, key)
			}
		case !it.cfg.Prune || leftOptions(lv, it.prior.objects[key]).NoPrune:
			opts := leftOptions(lv, it.prior.objects[key])
			switch {
			case opts.IgnoreExtraneous:
			case it.cfg.Prune:
				keptByAnnotation = append(keptByAnnotation, key)
			default:
				kept = append(kept, key)
			}
			inventory = append(inventory, key)
			if h, ok := it.prior.private.Hashes[key]; ok {
				hashes[key] = h
			}
			if v, ok := it.prior.objects[key]; ok && lv != nil {
				objects[key] = v
			}
		}
	}
	if len(kept) > 0 {
		resp.Diagnostics.AddWarning("Objects left the manifests but are not pruned",
			fmt.Sprintf("%s no longer in the manifests of app %q; they stay in the cluster and in its inventory because prune is off:\n  %s\nSet prune = true to delete them.",
				plural(len(kept), "object is", "objects are"), it.cfg.Name, strings.Join(kept, "\n  ")))
	}
	if len(keptByAnnotation) > 0 {
		resp.Diagnostics.AddWarning("Objects left the manifests but are not pruned",
			fmt.Sprintf("%s no longer in the manifests of app %q; they stay in the cluster and in its inventory because they are annotated %s: Prune=false:\n  %s\nRemove the annotation from the live object to let slipway prune it, or annotate it %s: IgnoreExtraneous to keep it without this warning.",
				plural(len(keptByAnnotation), "object is", "objects are"), it.cfg.Name, argoSyncOptions, strings.Join(keptByAnnotation, "\n  "), argoCompareOptions))
	}
	if len(notOwned) > 0 {
		resp.Diagnostics.AddWarning("Objects not pruned",
			fmt.Sprintf("These objects left the manifests of app %q but no longer carry its labels (%s=%s, %s=%s), so slipway leaves them alone and forgets them:\n  %s",
				it.cfg.Name, labelManagedBy, managedBy, labelApp, it.cfg.Name, strings.Join(notOwned, "\n  ")))
	}
	if len(abandoned) > 0 {
		resp.Diagnostics.AddWarning("Namespace left in place",
			fmt.Sprintf("The namespace slipway created for app %q (create_namespace) is no longer wanted; slipway never deletes a namespace it created this way, since it may hold objects of others:\n  %s",
				it.cfg.Name, strings.Join(abandoned, "\n  ")))
	}
	sort.Strings(inventory)
	var rollouts map[string]plannedRollout
	rolloutStatus, rolloutPlan := cty.NullVal(cty.String), cty.NullVal(cty.String)
	if it.cfg.Rollout != nil {
		// Offline, nothing live is known: the rollout stands as recorded.
		rolloutStatus = statusVal(inState(it.priorRollout))
	}
	if w := it.workload; w != nil {
		key := w.id.String()
		st, pr, hold, err := planRollout(it.cfg.Rollout, it.cfg.RolloutRequest, w, it.workloadOut, live, it.priorRollout)
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Cannot plan the rollout", err.Error())
			return
		}
		if hold || (pr != nil && pr.Action == rolloutspec.ActionAbort) {
			// The aborted revision stays out, or the rollout goes back
			// to stable: the workload is planned as it is live, at the
			// manifests' replicas.
			if lv := live[key]; lv != nil {
				stable := lv.DeepCopy()
				_ = unstructured.SetNestedField(stable.Object, int64(replicasOf(w.obj.Object)), "spec", "replicas")
				if v, err := liveValue(stable.Object, w.obj.Object); err == nil {
					objects[key] = v
					if hold {
						unchanged = append(unchanged, key)
					}
				}
			}
		}
		rolloutStatus = statusVal(inState(st))
		if st.Action != rolloutspec.ActionNone {
			rolloutPlan = statusVal(st)
		}
		if pr != nil {
			// Where the rollout will stand is known once apply has
			// carried it out.
			rollouts = map[string]plannedRollout{key: *pr}
			rolloutStatus = cty.UnknownVal(cty.String)
		}
	}
	if it.finish != nil {
		rollouts = map[string]plannedRollout{it.finish.Workload: *it.finish}
		rolloutPlan = statusVal(it.finishStatus)
		if it.cfg.Rollout != nil {
			rolloutStatus = cty.UnknownVal(cty.String)
		}
	}
	// Where the plan read the objects it found unchanged, for apply to
	// record (see elision).
	var objectMarks map[string]objectMark
	if it.cfg.Rollout == nil {
		for _, key := range unchanged {
			if lv := live[key]; lv != nil {
				if m, ok := markOf(lv); ok {
					if objectMarks == nil {
						objectMarks = map[string]objectMark{}
					}
					objectMarks[key] = m
				}
			}
		}
	}
	objs := kube.ObjectsVal(objects)
	adopted, marks := it.adoptions(live)
	hooks := hooksVal(it.desired)
	resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{builtin.AppObjects: objs, builtin.AppInventory: kube.StringListVal(inventory), builtin.AppAdopted: adopted, builtin.AppHooks: hooks, builtin.AppRolloutStatus: rolloutStatus, builtin.AppRolloutPlan: rolloutPlan})
	resp.SensitivePaths = append(kube.SecretPaths(objs), kube.SecretPathsIn(builtin.AppAdopted, adopted)...)
	resp.SensitivePaths = append(resp.SensitivePaths, kube.HookSecretPaths(hooks)...)
	resp.PlannedPrivate = privateData{
		Hashes:        hashes,
		AutoNamespace: it.desired.autoNamespace,
		Hooks:         it.prior.private.Hooks,
		HookRuns:      it.prior.private.HookRuns,
		Manifests:     manifestsOf(it.desired),
		Unchanged:     unchanged,
		Adopt:         marks,
		Rollouts:      rollouts,
		Inputs:        it.inputs,
		Marks:         objectMarks,
	}.encode()
}

// adoptions finds the objects of the manifests this plan takes over from
// Argo CD or Flux (sync.adopt): they exist, are not slipway's, and carry
// the tool's tracking for the adopted Application or Kustomization. It
// returns their live values (with slipway's labels, which adoption adds),
// and the tracking marks apply removes. With nothing to adopt, the value
// recorded at the first sync is kept.
func (it *planItem) adoptions(live map[string]*unstructured.Unstructured) (cty.Value, map[string][]string) {
	keep := it.priorAdopted
	if keep == cty.NilVal || !keep.IsKnown() {
		keep = cty.NullVal(cty.DynamicPseudoType)
	}
	if it.cfg.Adopt.Tool == "" {
		return keep, nil
	}
	owned := map[string]bool{}
	for _, key := range it.prior.inventory {
		owned[key] = true
	}
	values := map[string]cty.Value{}
	marks := map[string][]string{}
	var tracked []string // adopted, still carrying a mark the manifest sets
	for _, o := range it.desired.objects {
		key := o.id.String()
		lv := live[key]
		if lv == nil || owned[key] || ownedBy(lv, it.cfg.Name) {
			continue
		}
		m := it.cfg.Adopt.Marks(lv, o.id)
		if len(m) == 0 {
			continue
		}
		v, err := liveValue(withSlipwayLabels(lv, it.cfg.Name), o.obj.Object)
		if err != nil {
			continue // planned as a plain apply, which keeps the object too
		}
		values[key] = v
		marks[key] = kube.MarksToDrop(m, o.obj.Object)
		if len(marks[key]) < len(m) {
			tracked = append(tracked, key)
		}
	}
	if len(tracked) > 0 && it.resp != nil {
		sort.Strings(tracked)
		it.resp.Diagnostics.AddWarning(kube.TrackingKept(it.cfg.Adopt, tracked))
	}
	if len(values) == 0 {
		return keep, nil
	}
	return kube.ObjectsVal(values), marks
}

// leftOptions are the sync options of an object that left the
// manifests: those of its live annotations, or offline (no live
// object) of the object as state recorded it.
func leftOptions(lv *unstructured.Unstructured, recorded cty.Value) syncOptions {
	var ann map[string]string
	if lv != nil {
		ann = lv.GetAnnotations()
	}
	if ann == nil {
		if m := recordedShape(recorded); m != nil {
			ann = (&unstructured.Unstructured{Object: m}).GetAnnotations()
		}
	}
	a, _ := readAnnotations(ann) // a bad value of a departed object is no reason to fail
	return a.opts
}

// dryRunHint adds advice for the errors users can fix.
func dryRunHint(err error, cfg appConfig) string {
	switch {
	case apierrors.IsNotFound(err) && strings.Contains(err.Error(), "namespaces"):
		if cfg.CreateNamespace {
			return " (the namespace does not exist and is not in the manifests; add it to the manifests)"
		}
		return " (the namespace does not exist; set create_namespace = true or add the Namespace to the manifests)"
	case apierrors.IsInvalid(err) && strings.Contains(err.Error(), "immutable"):
		return " (the change touches an immutable field; delete the object or give it a new name so it is created afresh)"
	}
	return ""
}

// sharedObjects lists the objects of d that live carries as another
// slipway app's, with that app's name.
func sharedObjects(d *desiredSet, live map[string]*unstructured.Unstructured, app string) []string {
	var out []string
	for _, o := range d.objects {
		key := o.id.String()
		lv := live[key]
		if lv == nil {
			continue
		}
		l := lv.GetLabels()
		if other := l[labelApp]; l[labelManagedBy] == managedBy && other != "" && other != app {
			out = append(out, fmt.Sprintf("%s (app %q)", key, other))
		}
	}
	sort.Strings(out)
	return out
}

// ownedBy reports whether a live object carries app's labels, the only
// objects slipway ever deletes.
func ownedBy(u *unstructured.Unstructured, app string) bool {
	l := u.GetLabels()
	return l[labelManagedBy] == managedBy && l[labelApp] == app
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// readApp reads what planning one app needs, online or offline: its
// configuration, what its last apply recorded, and its rendered
// manifests. It returns false when the app is planned no further: its
// manifests cannot be read yet (their directory is known after apply) or
// the app is replaced, so everything it holds is known after apply; or an
// error, which it adds to resp.
func readApp(req sdk.PlanRequest, resp *sdk.PlanResponse, defaultNS string) (appConfig, priorApp, []*unstructured.Unstructured, bool) {
	as, ok := readAppSources(req, resp, defaultNS)
	if !ok {
		return as.cfg, as.prior, nil, false
	}
	rendered, ok := as.render(resp)
	return as.cfg, as.prior, rendered, ok
}

// render decodes the app's manifests, or adds the error to resp.
func (as *appSources) render(resp *sdk.PlanResponse) ([]*unstructured.Unstructured, bool) {
	rendered, err := as.src.render()
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Cannot render manifests", err.Error())
		return nil, false
	}
	return rendered, true
}

// appSources is what readAppSources reads of one app.
type appSources struct {
	cfg   appConfig
	prior priorApp
	src   *sources
	// inputs is the digest of what its manifests are made from.
	inputs string
}

// readAppSources is readApp up to reading the manifests' files, which it
// does not decode.
func readAppSources(req sdk.PlanRequest, resp *sdk.PlanResponse, defaultNS string) (*appSources, bool) {
	as := &appSources{}
	if !kube.AllKnown(req.Config, renderInputs...) || len(resp.RequiresReplace) > 0 {
		resp.PlannedState = kube.WithComputed(resp.PlannedState, map[string]cty.Value{builtin.AppObjects: cty.DynamicVal, builtin.AppInventory: cty.UnknownVal(cty.List(cty.String)), builtin.AppHooks: cty.UnknownVal(cty.List(builtin.HookType)), builtin.AppRolloutStatus: cty.UnknownVal(cty.String)})
		return as, false
	}
	var diags sdk.Diagnostics
	as.cfg, diags = parseAppConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return as, false
	}
	var err error
	if as.prior, err = readPrior(req.PriorState, req.PriorPrivate); err != nil {
		resp.Diagnostics.AddError("Cannot read the app's state", err.Error())
		return as, false
	}
	if as.src, err = readSources(as.cfg.Dir); err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Cannot render manifests", err.Error())
		return as, false
	}
	as.inputs = inputsDigest(req.Config, as.src, defaultNS)
	return as, true
}

// mayBeUnchanged reports whether the app may need nothing, before the live
// objects are looked at: its inputs are those its last apply recorded
// (which it records only when it left the app exactly as its manifests
// say), and no rollout is under way or asked for.
func (as *appSources) mayBeUnchanged(req sdk.PlanRequest) bool {
	p := as.prior
	return p.exists && as.inputs != "" && as.inputs == p.private.Inputs &&
		as.cfg.Rollout == nil && as.cfg.RolloutRequest == "" &&
		attrOr(req.PriorState, builtin.AppRolloutStatus).IsNull() &&
		len(p.inventory) == len(p.private.Hashes) && len(p.objects) == len(p.inventory)
}

// unchangedComputed are the attributes planUnchanged takes from state;
// the others come from the configuration.
var unchangedComputed = map[string]bool{builtin.AppObjects: true, builtin.AppInventory: true, builtin.AppAdopted: true, builtin.AppHooks: true, builtin.AppRolloutStatus: true, builtin.AppRolloutPlan: true}

// planUnchanged plans an app whose inputs are those its last apply
// recorded, without rendering it: every object of its inventory is live
// with the value recorded (the refresh said so), so the manifests, the
// same as that apply's, would plan every object unchanged. When the
// configuration changed too (a new revision), apply will send none of the
// objects, so each must also still have its every recorded field owned by
// slipway, as the full plan checks. It returns false, having changed
// nothing, when it cannot tell, and the app is planned in full.
//
// The refresh before it found each recorded object as recorded, so the
// prior state here is what that apply recorded.
func planUnchanged(req sdk.PlanRequest, resp *sdk.PlanResponse, as *appSources, live map[string]*kube.Live, sets *fieldSets) bool {
	p := as.prior
	proposed := resp.PlannedState
	if proposed == cty.NilVal || proposed.IsNull() || !proposed.Type().IsObjectType() {
		return false
	}
	same := true
	var marks map[string]objectMark
	for name := range proposed.Type().AttributeTypes() {
		// A new commit or checkout alone changes nothing (the inputs
		// are the same files): the host records them.
		if !unchangedComputed[name] && !sourceOnly(name) && !proposed.GetAttr(name).RawEquals(attrOr(req.PriorState, name)) {
			same = false
			break
		}
	}
	var going []string
	for _, key := range p.inventory {
		lv := live[key]
		if lv == nil {
			return false
		}
		if _, ok := p.private.Hashes[key]; !ok {
			return false
		}
		if since := lv.Meta().Deleting; since != "" {
			going = append(going, fmt.Sprintf("%s (since %s)", key, since))
		}
		if same {
			// Every field the manifests set holds the value slipway
			// applied, so a dry-run of them would give back these
			// values whoever owns the fields: the plan is a no-op.
			continue
		}
		// Apply will not send the object again: slipway must still own
		// what it applied, as the full plan checks.
		m := recordedShape(p.objects[key])
		if m == nil {
			return false
		}
		u, err := lv.Object()
		if err != nil || !sets.stillApplied(u, m) {
			return false
		}
		// The refresh found it as recorded: its value is the one state
		// records, read here (see elision).
		if mark, ok := markOf(u); ok {
			if marks == nil {
				marks = map[string]objectMark{}
			}
			marks[key] = mark
		}
	}
	warnDeleting(resp, going)
	if same {
		resp.PlannedState, resp.Unchanged = req.PriorState, true
	} else {
		resp.PlannedState = kube.WithComputed(proposed, map[string]cty.Value{
			builtin.AppObjects:       attrOr(req.PriorState, builtin.AppObjects),
			builtin.AppInventory:     attrOr(req.PriorState, builtin.AppInventory),
			builtin.AppAdopted:       attrOr(req.PriorState, builtin.AppAdopted),
			builtin.AppHooks:         attrOr(req.PriorState, builtin.AppHooks),
			builtin.AppRolloutStatus: cty.NullVal(cty.String),
			builtin.AppRolloutPlan:   cty.NullVal(cty.String),
		})
	}
	resp.SensitivePaths = kube.AppSecretPaths(req.PriorState)
	// Apply renders the manifests again, and checks they are still the
	// ones of this digest; every object is unchanged.
	resp.PlannedPrivate = privateData{
		Hashes:        p.private.Hashes,
		AutoNamespace: p.private.AutoNamespace,
		Hooks:         p.private.Hooks,
		HookRuns:      p.private.HookRuns,
		Unchanged:     p.inventory,
		Inputs:        as.inputs,
		Marks:         marks,
	}.encode()
	return true
}

// warnDeleting says which of an app's objects are being deleted (going:
// each ID and since when). The API server keeps such an object, as it
// was, until its finalizers are done or its grace period ends: the plan
// finds it there, yet it is going, and the plan after it has gone creates
// it again. Argo CD shows such an object as being deleted; slipway says
// so rather than plan without a word of it.
func warnDeleting(resp *sdk.PlanResponse, going []string) {
	if len(going) == 0 {
		return
	}
	sort.Strings(going)
	detail := fmt.Sprintf("1 object of the app is being deleted: %s. The API server removes it once its finalizers are done (or its grace period ends), whatever this plan does, and the plan after that creates it again; kubectl get -o yaml shows what holds it (metadata.finalizers).", going[0])
	if len(going) > 1 {
		detail = fmt.Sprintf("%d objects of the app are being deleted: %s. The API server removes them once their finalizers are done (or their grace periods end), whatever this plan does, and the plan after that creates them again; kubectl get -o yaml shows what holds them (metadata.finalizers).", len(going), strings.Join(going, ", "))
	}
	resp.Diagnostics.AddWarning("Objects being deleted", detail)
}
