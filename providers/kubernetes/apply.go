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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// applyParallelism bounds the objects of one group applied at once.
const applyParallelism = 8

// Bounds of the waits that have no wait_timeout to go by.
var (
	defaultHookTimeout   = 5 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
	// defaultWaveTimeout bounds each wait for the sync waves before a
	// wave, as defaultHookTimeout bounds each run of a hook.
	defaultWaveTimeout = 5 * time.Minute
	crdTimeout         = time.Minute
)

// syncRun is one apply of one app. It records what it applied as it goes,
// so a failure still reports what exists.
type syncRun struct {
	ms *kube.Mappings
	// inputs is the digest of what the manifests were made from, for
	// state (see privateData.Inputs); "" records none.
	inputs   string
	cfg      appConfig
	progress func(string)
	// waiting tells slipway the run has made its last change and only
	// waits from now on (sdk.ApplyRequest.Waiting).
	waiting func(string)
	// unchanged are the objects the plan found as slipway applied them,
	// with their planned values: they are not applied again.
	unchanged map[string]cty.Value

	mu      sync.Mutex
	applied map[string]*unstructured.Unstructured // by ID: the object as applied
	kept    map[string]bool                       // unchanged objects not applied again
	pruned  map[string]bool
	forgot  map[string]bool // left the manifests and are not the app's any more
	// pruneWaves are the sync waves of the objects to prune, as their
	// live annotations give them (0 left out).
	pruneWaves map[string]int
	// pruneLast are the leftovers annotated PruneLast=true, by ID.
	pruneLast map[string]bool
	// hooks are the IDs of hook runs that may still exist, for destroy;
	// runs are this sync's hook runs; priorRuns the last sync's.
	hooks     []string
	runs      []hookRun
	priorRuns []hookRun
	started   time.Time
	quiet     bool // no object changes: no hook runs
	// adopt are the objects adopted from Argo CD or Flux, with the
	// tracking marks to remove once applied.
	adopt map[string][]string

	// desired is what the manifests ask for.
	desired *desiredSet
	// rollouts are the workloads that roll out instead of being applied,
	// as the plan decided; rolloutStatus is where the last one stands,
	// and paused says what comes next when it stopped at a pause.
	rollouts      map[string]plannedRollout
	rolloutStatus *rolloutspec.Status
	paused        string
	pacedOnce     bool // the run told slipway it goes at its steps' pace
	// plannedState is the plan's value of the app.
	plannedState cty.Value
	// interrupt closes when the user asks slipway to stop
	// (sdk.ApplyRequest.Interrupt): a rollout ends its pause or analysis
	// early, or stops between two steps, and interrupted says where.
	interrupt   <-chan struct{}
	interrupted string
	// analyze runs a rollout's analysis.
	analyze func(ctx context.Context, a *rolloutspec.Analysis, run rolloutspec.AnalysisRun, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error)
}

// Apply syncs an app: server-side apply of every object in order
// (Namespaces, CRDs, then sync waves by kind, each wave once the waves
// before it are healthy), hooks before and after, pruning, and waiting
// for health at the end when wait_timeout is set. A null PlannedState
// deletes the app's objects.
func (a *app) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	ctx, done := a.p.WithStop(ctx)
	defer done()
	if req.PlannedState == cty.NilVal || req.PlannedState.IsNull() {
		a.destroy(ctx, req, resp)
		return
	}
	cl, err := a.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Kubernetes provider not ready", err.Error())
		return
	}
	cfg, diags := parseAppConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return
	}
	prior, err := readPrior(req.PriorState, nil)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the app's state", err.Error())
		return
	}
	planned, err := decodePrivate(req.PlannedPrivate)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the plan", err.Error())
		return
	}
	ms := cl.Mappings()
	var d *desiredSet
	inputs := planned.Inputs
	if len(planned.Manifests) > 0 {
		d, err = desiredFromPrivate(planned)
	} else {
		// Planned while the manifests were not known yet: read them now.
		var src *sources
		var rendered []*unstructured.Unstructured
		if src, err = readSources(cfg.Dir); err == nil {
			now := inputsDigest(req.Config, src, cl.DefaultNamespace)
			if inputs != "" && now != inputs {
				// Planned from the digest alone (see planUnchanged):
				// what apply renders must be what that plan saw.
				resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Manifests changed since the plan",
					fmt.Sprintf("The manifests of app %q in %s are not those the plan was made from; nothing was applied. Run plan again.", cfg.Name, cfg.Dir))
				return
			}
			inputs = now
			if rendered, err = src.render(); err == nil {
				d, err = buildDesired(cfg, rendered, ms, cl.DefaultNamespace)
			}
		}
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppManifestsDir), "Cannot render manifests", err.Error())
		return
	}
	prior.followVersions(d)
	progress, waiting := progressOr(req.Progress), req.Waiting
	if waiting == nil {
		waiting = progress
	}
	r := &syncRun{
		ms: ms, cfg: cfg, progress: progress, waiting: waiting,
		unchanged: unchangedObjects(planned, req.PlannedState),
		applied:   map[string]*unstructured.Unstructured{}, kept: map[string]bool{},
		pruned: map[string]bool{}, forgot: map[string]bool{},
		adopt: planned.Adopt,
		hooks: append([]string(nil), planned.Hooks...), priorRuns: append([]hookRun(nil), planned.HookRuns...),
		started: time.Now(),
		desired: d, rollouts: planned.Rollouts, plannedState: req.PlannedState,
		// Hooks run when the sync changes objects, not when only the
		// revision moved; the plan says the same (planner/app).
		quiet: prior.exists &&
			kube.SameValue(attrOr(req.PriorState, builtin.AppObjects), attrOr(req.PlannedState, builtin.AppObjects)) &&
			kube.SameValue(attrOr(req.PriorState, builtin.AppInventory), attrOr(req.PlannedState, builtin.AppInventory)),
	}
	r.interrupt = req.Interrupt
	r.analyze = a.p.analyzer(cl, cfg, req.Interrupt)
	if cfg.Rollout != nil && len(planned.Manifests) == 0 {
		// Rendered now: the workload is marked as a plan marks it (the
		// plan's manifests already are).
		if _, err := prepareRollout(cfg.Rollout, d); err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Invalid rollout", err.Error())
			return
		}
	}
	syncErr := r.sync(ctx, d, prior)
	if syncErr == nil && cfg.Rollout == nil {
		r.inputs = inputs
	}

	st, priv, err := r.state(req.Config, d, prior, planned)
	if err != nil {
		resp.Diagnostics.AddError("Cannot record the app's objects", err.Error())
		st = req.PriorState
	} else {
		st = sdk.With(st, builtin.AppAdopted, attrOr(req.PlannedState, builtin.AppAdopted))
	}
	switch {
	case cfg.Rollout == nil:
		st = sdk.With(st, builtin.AppRolloutStatus, cty.NullVal(cty.String))
	case r.rolloutStatus != nil:
		st = sdk.With(st, builtin.AppRolloutStatus, statusVal(inState(r.rolloutStatus)))
	default:
		// No rollout ran: the app stands as the plan said.
		st = sdk.With(st, builtin.AppRolloutStatus, knownOr(attrOr(req.PlannedState, builtin.AppRolloutStatus), attrOr(req.PriorState, builtin.AppRolloutStatus)))
	}
	st = sdk.With(st, builtin.AppRolloutPlan, knownOr(attrOr(req.PlannedState, builtin.AppRolloutPlan), cty.NullVal(cty.String)))
	resp.NewState, resp.Private = st, priv
	resp.SensitivePaths = kube.AppSecretPaths(st)
	if syncErr != nil {
		resp.Diagnostics.AddError("Sync failed", fmt.Sprintf("App %q: %v", cfg.Name, syncErr))
	}
	if r.interrupted != "" {
		resp.Diagnostics.AddWarning("Rollout interrupted", fmt.Sprintf("App %q: %s", cfg.Name, r.interrupted))
	}
}

// progressOr is progress, or a function that drops the lines.
func progressOr(progress func(string)) func(string) {
	if progress == nil {
		return func(string) {}
	}
	return progress
}

// plannedObjects are the known planned values of the app's objects.
func plannedObjects(_ privateData, plannedState cty.Value) map[string]cty.Value {
	objs := attrOr(plannedState, builtin.AppObjects)
	if objs.IsNull() || !objs.IsKnown() || !(objs.Type().IsObjectType() || objs.Type().IsMapType()) {
		return nil
	}
	out := map[string]cty.Value{}
	for k, v := range objs.AsValueMap() {
		if v.IsWhollyKnown() {
			out[k] = v
		}
	}
	return out
}

// unchangedObjects returns the planned values of the objects the plan
// found unchanged (privateData.Unchanged). An object whose planned value
// is not known is applied after all.
func unchangedObjects(planned privateData, plannedState cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	if len(planned.Unchanged) == 0 {
		return out
	}
	objs := attrOr(plannedState, builtin.AppObjects)
	if objs.IsNull() || !objs.IsKnown() || !(objs.Type().IsObjectType() || objs.Type().IsMapType()) {
		return out
	}
	all := objs.AsValueMap()
	for _, key := range planned.Unchanged {
		if v, ok := all[key]; ok && !v.IsNull() && v.IsWhollyKnown() {
			out[key] = v
		}
	}
	return out
}

// sync does the work of Apply in order; it stops at the first failure,
// and then runs the SyncFail hooks.
func (r *syncRun) sync(ctx context.Context, d *desiredSet, prior priorApp) error {
	err := r.syncPhases(ctx, d, prior)
	if err == nil || ctx.Err() != nil {
		return err
	}
	if fails := hooksOf(d, builtin.HookSyncFail); len(fails) > 0 {
		r.progress("the sync failed: running its SyncFail hooks")
		if ferr := r.runHooks(ctx, fails); ferr != nil {
			err = fmt.Errorf("%w\n%w", err, ferr)
		}
	}
	return err
}

// syncPhases applies Namespaces and CRDs (a hook may need them), runs
// the PreSync hooks, then applies the objects wave by wave with the Sync
// hooks of each wave after its objects, each wave once the waves before
// it are healthy (with a wait or without one, as in Argo CD), waits for
// health, and runs the PostSync hooks. Pruning comes before the first
// wave, or last. An app of one wave waits only with a wait or PostSync
// hooks.
func (r *syncRun) syncPhases(ctx context.Context, d *desiredSet, prior priorApp) error {
	var deadline time.Time
	if r.cfg.WaitTimeout > 0 {
		deadline = time.Now().Add(r.cfg.WaitTimeout)
	}
	toPrune, err := r.leftovers(ctx, d, prior)
	if err != nil {
		return err
	}
	groups := applyGroups(d.objects)
	for len(groups) > 0 && (isNamespaceID(groups[0].objects[0].id) || groups[0].crds) {
		g := groups[0]
		groups = groups[1:]
		if err := r.applyGroup(ctx, g); err != nil {
			return err
		}
		if g.crds {
			if err := r.waitCRDs(ctx, g.objects); err != nil {
				return err
			}
		}
	}
	if err := r.runHooks(ctx, hooksOf(d, builtin.HookPreSync)); err != nil {
		return err
	}
	// What prunes last: every leftover with the app's prune_last, else
	// those annotated PruneLast=true, as Argo CD prunes them.
	var pruneLast []kube.ObjectID
	if r.cfg.Prune {
		pruneFirst := toPrune
		if r.cfg.PruneLast {
			pruneFirst, pruneLast = nil, toPrune
		} else {
			pruneFirst = slices.DeleteFunc(slices.Clone(toPrune), func(id kube.ObjectID) bool { return r.pruneLast[id.String()] })
			pruneLast = slices.DeleteFunc(slices.Clone(toPrune), func(id kube.ObjectID) bool { return !r.pruneLast[id.String()] })
		}
		if err := r.prune(ctx, pruneFirst, deadline); err != nil {
			return err
		}
	}
	syncHooks := hooksOf(d, builtin.HookSync)
	post := hooksOf(d, builtin.HookPostSync)
	// settling are the objects of the waves synced so far that no wait
	// has found healthy yet.
	var settling []kube.ObjectID
	for i := 0; i < len(groups) || len(syncHooks) > 0; {
		// The next wave is the lowest of the next group's and the next
		// Sync hook's.
		w := 0
		switch {
		case i == len(groups):
			w = syncHooks[0].wave
		case len(syncHooks) == 0:
			w = groups[i].objects[0].wave
		default:
			w = min(groups[i].objects[0].wave, syncHooks[0].wave)
		}
		end := i
		for end < len(groups) && groups[end].objects[0].wave == w {
			end++
		}
		hooks := 0
		for hooks < len(syncHooks) && syncHooks[hooks].wave == w {
			hooks++
		}
		// As in Argo CD, the waves before are healthy before a wave is
		// synced, with a wait or without one. A wave that writes nothing
		// (every object unchanged, no hook to run) has nothing to hold
		// back: the waves before it are waited for with the next wave
		// that writes, or by the wait at the end.
		if len(settling) > 0 && r.writesWave(groups[i:end], syncHooks[:hooks]) {
			if err := r.waitWaves(ctx, settling, w, deadline); err != nil {
				return err
			}
			settling = nil
		}
		for ; i < end; i++ {
			if err := r.applyGroup(ctx, groups[i]); err != nil {
				return err
			}
			for _, o := range groups[i].objects {
				// A workload that rolls out is not applied in its wave:
				// it rolls out after every wave, with waits of its own.
				if _, rolled := r.rollouts[o.id.String()]; !rolled {
					settling = append(settling, o.id)
				}
			}
		}
		for _, h := range syncHooks[:hooks] {
			if err := r.runHook(ctx, h); err != nil {
				return err
			}
		}
		syncHooks = syncHooks[hooks:]
	}
	if n := len(r.kept); n > 0 {
		r.progress(fmt.Sprintf("%s unchanged: not applied again", plural(n, "object is", "objects are")))
	}
	// A workload rolls out after every wave: once they are healthy, as
	// it would have been synced in its own wave. Rolling back (an abort)
	// waits for nothing.
	if len(settling) > 0 && r.rolloutsAdvance() {
		r.progress(fmt.Sprintf("waiting for %s of the waves to be healthy before the rollout", plural(len(settling), "object", "objects")))
		timeout := defaultWaveTimeout
		if !deadline.IsZero() {
			timeout = time.Until(deadline)
		}
		if err := r.waitHealthy(ctx, settling, timeout); err != nil {
			return fmt.Errorf("rollout not started: the waves before it are not healthy: %w", err)
		}
	}
	if err := r.runRollouts(ctx, d); err != nil {
		return err
	}
	if len(r.rollouts) > 0 && r.cfg.WaitTimeout > 0 {
		// Each step of a rollout had its own wait: the health wait after
		// it starts afresh.
		deadline = time.Now().Add(r.cfg.WaitTimeout)
	}
	if len(post) > 0 && deadline.IsZero() {
		// PostSync hooks run once the app is healthy, as in Argo CD.
		deadline = time.Now().Add(defaultHookTimeout)
	}
	if !deadline.IsZero() {
		var ids []kube.ObjectID
		for _, o := range d.objects {
			if _, rolled := r.rollouts[o.id.String()]; rolled && r.paused != "" {
				continue // held at a pause: the rollout waited for its pods
			}
			ids = append(ids, o.id)
		}
		line := fmt.Sprintf("waiting for %s to be healthy", plural(len(ids), "object", "objects"))
		if len(post) == 0 && len(pruneLast) == 0 && len(hooksOf(d, builtin.HookSyncFail)) == 0 {
			// Nothing is left to change, even if the wait fails (no
			// SyncFail hook to run then): slipway may start another
			// app's changes while this one waits.
			r.waiting(line)
		} else {
			r.progress(line)
		}
		if err := r.waitHealthy(ctx, ids, time.Until(deadline)); err != nil {
			return err
		}
	}
	if err := r.runHooks(ctx, post); err != nil {
		return err
	}
	if err := r.prune(ctx, pruneLast, deadline); err != nil {
		return err
	}
	return nil
}

// rolloutsAdvance reports whether a planned rollout moves a revision
// forward: one that starts, goes on or supersedes, not one that rolls
// back or holds.
func (r *syncRun) rolloutsAdvance() bool {
	for _, p := range r.rollouts {
		if p.Action != rolloutspec.ActionAbort && p.Action != rolloutspec.ActionHold {
			return true
		}
	}
	return false
}

// writesWave reports whether syncing a wave of groups and Sync hooks
// changes anything: an object to apply (not unchanged, not a workload
// that rolls out after the waves), or a hook that runs.
func (r *syncRun) writesWave(groups []applyGroup, hooks []*desiredObject) bool {
	if len(hooks) > 0 && !r.quiet {
		return true
	}
	for _, g := range groups {
		for _, o := range g.objects {
			_, kept := r.unchanged[o.id.String()]
			_, rolled := r.rollouts[o.id.String()]
			if !kept && !rolled {
				return true
			}
		}
	}
	return false
}

// waitWaves waits until ids, the objects of the waves before wave, are
// healthy, as the wait at the end judges them (an object unchanged since
// the plan is waited for too). The wait is bounded by what is left of
// the app's wait_timeout, or else by defaultWaveTimeout.
func (r *syncRun) waitWaves(ctx context.Context, ids []kube.ObjectID, wave int, deadline time.Time) error {
	timeout := defaultWaveTimeout
	if !deadline.IsZero() {
		timeout = time.Until(deadline)
	}
	r.progress(fmt.Sprintf("waiting for %s of the waves before wave %d to be healthy", plural(len(ids), "object", "objects"), wave))
	if err := r.waitHealthy(ctx, ids, timeout); err != nil {
		return fmt.Errorf("wave %d not synced: the waves before it are not healthy: %w", wave, err)
	}
	return nil
}

// leftovers sorts the objects that left the manifests: the app's own are
// pruned (or kept when prune is off); objects that no longer carry the
// app's labels — and a namespace create_namespace made — are forgotten,
// never deleted.
func (r *syncRun) leftovers(ctx context.Context, d *desiredSet, prior priorApp) ([]kube.ObjectID, error) {
	desired := d.byID()
	var ids []kube.ObjectID
	for _, key := range prior.inventory {
		if _, ok := desired[key]; ok {
			continue
		}
		id, err := kube.ParseObjectID(key)
		if err != nil {
			r.forgot[key] = true
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	live, err := kube.FetchLive(ctx, r.ms, managedSelector, ids)
	if err != nil {
		return nil, err
	}
	var toPrune []kube.ObjectID
	for _, id := range ids {
		key := id.String()
		lv := live[key]
		switch {
		case lv != nil && !ownedBy(lv, r.cfg.Name):
			r.forgot[key] = true
		case !r.cfg.Prune || leftOptions(lv, prior.objects[key]).NoPrune:
			// Kept: it stays in the inventory and in the cluster.
		case lv == nil:
			r.pruned[key] = true // already gone
		default:
			toPrune = append(toPrune, id)
			if leftOptions(lv, prior.objects[key]).PruneLast {
				if r.pruneLast == nil {
					r.pruneLast = map[string]bool{}
				}
				r.pruneLast[key] = true
			}
			if w := waveOf(lv); w != 0 {
				if r.pruneWaves == nil {
					r.pruneWaves = map[string]int{}
				}
				r.pruneWaves[key] = w
			}
		}
	}
	return toPrune, nil
}

// waveOf is the sync wave a live object's annotations give it, 0 when
// they give none (or none that reads).
func waveOf(u *unstructured.Unstructured) int {
	if u == nil {
		return 0
	}
	a, _ := readAnnotations(u.GetAnnotations())
	return a.wave
}

// applyGroup applies a group's objects in parallel, but for those the
// plan found unchanged.
func (r *syncRun) applyGroup(ctx context.Context, g applyGroup) error {
	var changed []*desiredObject
	for _, o := range g.objects {
		if _, ok := r.rollouts[o.id.String()]; ok {
			continue // it rolls out after the other objects
		}
		if _, ok := r.unchanged[o.id.String()]; ok {
			r.mu.Lock()
			r.kept[o.id.String()] = true
			r.mu.Unlock()
			continue
		}
		changed = append(changed, o)
	}
	if len(changed) == 0 {
		return nil
	}
	g.objects = changed
	if len(g.objects) == 1 {
		r.progress("applying " + g.objects[0].id.String())
	} else {
		r.progress(fmt.Sprintf("applying %d %s objects (wave %d)", len(g.objects), g.objects[0].id.Kind, g.objects[0].wave))
	}
	jobs := make([]func(context.Context) error, len(g.objects))
	for i, o := range g.objects {
		jobs[i] = func(ctx context.Context) error { return r.applyObject(ctx, o) }
	}
	return kube.RunEach(ctx, applyParallelism, jobs)
}

// applyObject applies one object with server-side apply, retrying
// transient errors with the app's retry policy.
func (r *syncRun) applyObject(ctx context.Context, o *desiredObject) error {
	var out *unstructured.Unstructured
	err := r.cfg.Retry.do(ctx, func() error {
		var err error
		if o.opts.Replace {
			out, err = r.replace(ctx, o)
		} else {
			out, err = r.ms.Apply(ctx, o.id, o.obj.Object, false)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("apply %s: %w", o.id, err)
	}
	if marks := r.adopt[o.id.String()]; len(marks) > 0 {
		// Adopted: slipway's labels are on it, so Argo CD's or Flux's
		// tracking goes. The object as that left it is the one applied:
		// where the next plan will find it.
		err := r.cfg.Retry.do(ctx, func() error {
			dropped, err := r.ms.DropMarks(ctx, o.id, marks)
			if dropped != nil {
				out = dropped
			}
			return err
		})
		if err != nil {
			return err
		}
		r.progress(fmt.Sprintf("%s adopted from %s", o.id, r.cfg.Adopt.Tool))
	}
	r.mu.Lock()
	r.applied[o.id.String()] = out
	r.mu.Unlock()
	return nil
}

// replace replaces an object annotated Replace=true with its manifest,
// as kubectl replace does, or creates it.
func (r *syncRun) replace(ctx context.Context, o *desiredObject) (*unstructured.Unstructured, error) {
	ri, _, err := r.ms.Resource(o.id)
	if err != nil {
		return nil, err
	}
	u := o.obj.DeepCopy()
	live, err := ri.Get(ctx, o.id.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return ri.Create(ctx, u, metav1.CreateOptions{FieldManager: kube.FieldManager})
	case err != nil:
		return nil, err
	}
	u.SetResourceVersion(live.GetResourceVersion())
	return ri.Update(ctx, u, metav1.UpdateOptions{FieldManager: kube.FieldManager})
}

// waitCRDs waits until each CRD is established and its kind is served,
// then makes the mapper learn the new kinds.
func (r *syncRun) waitCRDs(ctx context.Context, crds []*desiredObject) error {
	ctx, cancel := context.WithTimeout(ctx, max(crdTimeout, r.cfg.WaitTimeout))
	defer cancel()
	for _, o := range crds {
		r.progress("waiting for " + o.id.String() + " to be established")
		ri, _, err := r.ms.Resource(o.id)
		if err != nil {
			return err
		}
		for {
			u, err := ri.Get(ctx, o.id.Name, metav1.GetOptions{})
			if err == nil && crdEstablished(u) {
				break
			}
			if err := sleepCtx(ctx, pollInterval/4); err != nil {
				return fmt.Errorf("%s is not established: %w", o.id, err)
			}
		}
	}
	r.ms.Forget()
	for _, o := range crds {
		group, _, _ := unstructured.NestedString(o.obj.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.obj.Object, "spec", "names", "kind")
		gk := schema.GroupKind{Group: group, Kind: kind}
		for {
			_, err := r.ms.Cluster().Mapper.RESTMapping(gk)
			if err == nil {
				break
			}
			if !meta.IsNoMatchError(err) {
				return fmt.Errorf("look up kind %s: %w", gk, err)
			}
			if err := sleepCtx(ctx, pollInterval/4); err != nil {
				return fmt.Errorf("the API server does not serve %s yet: %w", gk, err)
			}
			r.ms.Forget()
		}
	}
	return nil
}

func crdEstablished(u *unstructured.Unstructured) bool { return hasTrueCondition(u, "Established") }

// hookState says whether a hook has run to completion or failed. kstatus
// calls a running Job Current (it is reconciled), so Jobs and Pods are
// judged by their outcome; other kinds by kstatus.
func hookState(u *unstructured.Unstructured) (done, failed bool, msg string) {
	health, msg := kube.HealthOf(u)
	switch u.GroupVersionKind().GroupKind().String() {
	case "Job.batch":
		switch {
		case hasTrueCondition(u, "Failed"):
			return false, true, failureMessage(u, msg)
		case hasTrueCondition(u, "Complete"):
			return true, false, msg
		}
		return false, false, msg
	case "Pod":
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		switch phase {
		case "Succeeded":
			return true, false, msg
		case "Failed":
			return false, true, "the Pod failed: " + msg
		}
		return false, false, "Pod " + strings.ToLower(phase)
	}
	return health == sdk.Healthy, health == sdk.Degraded, msg
}

func hasTrueCondition(u *unstructured.Unstructured, typ string) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ && m["status"] == "True" {
			return true
		}
	}
	return false
}

// failureMessage adds the reason and message of a Failed condition (a
// Job's "BackoffLimitExceeded: Job has reached the specified backoff
// limit") to kstatus's summary.
func failureMessage(u *unstructured.Unstructured, summary string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Failed" && m["status"] == "True" {
			reason, _ := m["reason"].(string)
			msg, _ := m["message"].(string)
			parts := []string{summary}
			if reason != "" {
				parts = append(parts, reason)
			}
			if msg != "" {
				parts = append(parts, msg)
			}
			return strings.Join(parts, ": ")
		}
	}
	return summary
}

// prune deletes objects that left the manifests, in reverse apply order,
// with foreground propagation, and when the app waits, until they are gone.
func (r *syncRun) prune(ctx context.Context, ids []kube.ObjectID, deadline time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	timeout := defaultDeleteTimeout
	if !deadline.IsZero() {
		timeout = time.Until(deadline)
	}
	if err := deleteObjects(ctx, r.ms, r.cfg, ids, nil, r.pruneWaves, timeout, r.progress, "pruning "); err != nil {
		return err
	}
	if !deadline.IsZero() {
		if err := waitGone(ctx, r.ms, ids, nil, time.Until(deadline), r.progress); err != nil {
			return err
		}
	}
	r.mu.Lock()
	for _, id := range ids {
		r.pruned[id.String()] = true
	}
	r.mu.Unlock()
	return nil
}

// deleteObjects deletes ids in reverse apply order, with foreground
// propagation: as Argo CD prunes, the objects of the highest sync wave
// (waves, by ID; 0 for an ID not in it) go first, and each wave is gone
// before the next goes, so that an operator in wave 0 is there to
// finalise its custom resources of wave 1. Callers have checked the
// objects carry the app's labels.
// CRDs go only once every other object is gone, and Namespaces last: a
// custom resource being deleted in the foreground waits for the garbage
// collector, which must not lose sight of its kind half-way, and a
// namespace takes everything in it along. known, when not nil, is what a
// FetchLive of ids found before (see waitGone).
func deleteObjects(ctx context.Context, ms *kube.Mappings, cfg appConfig, ids []kube.ObjectID, known map[string]*unstructured.Unstructured, waves map[string]int, timeout time.Duration, progress func(string), verb string) error {
	var others, crds, nss []kube.ObjectID
	for _, id := range deleteOrder(ids) {
		switch {
		case isNamespaceID(id):
			nss = append(nss, id)
		case isCRDID(id):
			crds = append(crds, id)
		default:
			others = append(others, id)
		}
	}
	// The other objects by wave, the highest first, each wave in
	// reverse apply order (a stable sort keeps deleteOrder's).
	slices.SortStableFunc(others, func(a, b kube.ObjectID) int { return waves[b.String()] - waves[a.String()] })
	var phases [][]kube.ObjectID
	for i := 0; i < len(others); {
		j := i + 1
		for j < len(others) && waves[others[j].String()] == waves[others[i].String()] {
			j++
		}
		phases = append(phases, others[i:j])
		i = j
	}
	phases = append(phases, crds, nss)
	fg := metav1.DeletePropagationForeground
	for i, phase := range phases {
		for _, id := range phase {
			ri, _, err := ms.Resource(id)
			if meta.IsNoMatchError(err) {
				continue // its CRD is gone, and the object with it
			}
			if err != nil {
				return err
			}
			progress(verb + id.String())
			err = cfg.Retry.do(ctx, func() error {
				err := ri.Delete(ctx, id.Name, metav1.DeleteOptions{PropagationPolicy: &fg})
				if apierrors.IsNotFound(err) {
					return nil
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("delete %s: %w", id, err)
			}
		}
		if len(phase) > 0 && slices.ContainsFunc(phases[i+1:], func(p []kube.ObjectID) bool { return len(p) > 0 }) {
			if err := waitGone(ctx, ms, phase, known, timeout, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitGone waits until none of ids exists. One FetchLive says which of
// them exist, at which resourceVersion; then the watches of the process
// (kube.Watches, which the waits for health share) say when each is gone:
// its kind's watch saw it deleted, at that version or after. So a thousand
// apps whose objects and namespaces take a while to go cost a watch per
// kind, not a LIST per kind and app every second, and each wait ends as
// soon as the API server says its last object went. What the watches
// cannot tell is polled (kube.Tracker): a kind that cannot be watched, a
// watch that is not current, an object without the label they select
// (someone took it off), which no version of the watch can say is gone.
//
// known, when not nil, is what a FetchLive of ids made before they were
// deleted found (nil for an object that did not exist): the versions the
// watches must pass, without a LIST more.
func waitGone(ctx context.Context, ms *kube.Mappings, ids []kube.ObjectID, known map[string]*unstructured.Unstructured, timeout time.Duration, progress func(string)) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	selector, err := labels.Parse(managedSelector)
	if err != nil {
		return err
	}
	live := known
	for live == nil {
		live, err = kube.FetchLive(ctx, ms, managedSelector, ids)
		if err == nil {
			break
		}
		if sleepCtx(ctx, kube.PollInterval) != nil {
			if parent.Err() != nil {
				return parent.Err()
			}
			return fmt.Errorf("cannot tell whether objects are deleted after %s: %w", timeout, err)
		}
	}
	var targets []kube.Target
	// An object of the same name made since (by a controller, another
	// app) is not the one deleted: by its UID, the one deleted is gone.
	uids := map[string]types.UID{}
	for _, id := range ids {
		u := live[id.String()]
		if u == nil {
			continue
		}
		uids[id.String()] = u.GetUID()
		t := kube.Target{ID: id, Polled: true}
		if selector.Matches(labels.Set(u.GetLabels())) {
			t.ResourceVersion, t.Polled = u.GetResourceVersion(), false
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return nil
	}
	tr := ms.Cluster().Watches(managedSelector).Track(ms, targets)
	defer tr.Close()
	last := ""
	var left []string
	for {
		obs, err := tr.Observe(ctx)
		if err == nil {
			left = left[:0]
			for _, t := range targets {
				key := t.ID.String()
				if u := obs.Objects[key]; u != nil && (uids[key] == "" || u.GetUID() == uids[key]) || obs.Unseen[key] {
					left = append(left, key)
				}
			}
			if len(left) == 0 {
				return nil
			}
			if line := fmt.Sprintf("waiting for %d objects to be deleted: %s", len(left), strings.Join(left, ", ")); line != last {
				progress(line)
				last = line
			}
		}
		if tr.Wait(ctx, obs) != nil {
			if parent.Err() != nil {
				return parent.Err()
			}
			if err != nil {
				return fmt.Errorf("cannot tell whether objects are deleted after %s: %w", timeout, err)
			}
			return fmt.Errorf("objects still exist after %s: %s", timeout, strings.Join(left, ", "))
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// state builds the new state from what the run did: the applied objects
// as the server returned them (normalised to the manifests' fields), the
// prior record of everything else still in the inventory.
func (r *syncRun) state(config cty.Value, d *desiredSet, prior priorApp, planned privateData) (cty.Value, []byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	desired := d.byID()
	inv := map[string]bool{}
	for _, key := range prior.inventory {
		if !r.pruned[key] && !r.forgot[key] {
			inv[key] = true
		}
	}
	objects := map[string]cty.Value{}
	hashes := map[string]string{}
	for key := range inv {
		if v, ok := prior.objects[key]; ok && v.IsWhollyKnown() {
			objects[key] = v
		}
		if _, isDesired := desired[key]; !isDesired {
			if h, ok := planned.Hashes[key]; ok {
				hashes[key] = h
			}
		}
	}
	for key := range r.kept {
		if o := desired[key]; o != nil {
			objects[key] = r.unchanged[key]
			hashes[key] = o.hash
			inv[key] = true
		}
	}
	if r.paused != "" {
		// A rollout under way: state records the template it rolls to,
		// as planned; the status says where it stands.
		for key := range r.rollouts {
			if v, ok := plannedObjects(planned, r.plannedState)[key]; ok {
				objects[key] = v
				hashes[key] = desired[key].hash
				inv[key] = true
			}
		}
	}
	for key, u := range r.applied {
		o := desired[key]
		if o == nil {
			continue
		}
		v, err := liveValue(u.Object, o.obj.Object)
		if err != nil {
			return cty.NilVal, nil, fmt.Errorf("%s: %w", key, err)
		}
		objects[key] = v
		hashes[key] = o.hash
		inv[key] = true
	}
	inventory := make([]string, 0, len(inv))
	for key := range inv {
		inventory = append(inventory, key)
	}
	sort.Strings(inventory)
	st := sdk.With(sdk.With(sdk.With(config, builtin.AppObjects, kube.ObjectsVal(objects)), builtin.AppInventory, kube.StringListVal(inventory)), builtin.AppHooks, hooksVal(d))
	runs := r.runs
	if r.quiet {
		runs = r.priorRuns // no hook ran: status keeps showing the last runs
	}
	// The digest of the inputs is recorded only when the app is exactly
	// its manifests: a later plan that finds it so needs no render.
	inputs := ""
	if r.inputs != "" && r.paused == "" && len(inventory) == len(desired) {
		inputs = r.inputs
		for key := range desired {
			if !inv[key] || objects[key] == cty.NilVal {
				inputs = ""
				break
			}
		}
	}
	var elide *elision
	if inputs != "" && r.cfg.Rollout == nil {
		// Where each recorded object was read: the object this run
		// applied, or the one the plan found unchanged.
		marks := map[string]objectMark{}
		for key := range objects {
			if u := r.applied[key]; u != nil && desired[key] != nil {
				if m, ok := markOf(u); ok {
					marks[key] = m
				}
			} else if m, ok := planned.Marks[key]; ok && r.kept[key] {
				marks[key] = m
			}
		}
		elide = elisionOf(r.cfg.Name, clusterOf(r.ms.Cluster().Config), configDigest(config), objects, hashes, marks)
	}
	priv := privateData{Hashes: hashes, AutoNamespace: d.autoNamespace, Hooks: r.hooks, HookRuns: runs, PostDelete: postDeleteManifests(d), Inputs: inputs, Elide: elide}.encode()
	return st, priv, nil
}

// runPostDelete runs the PostDelete hooks the last apply recorded, once
// every object of the app is gone. What their delete policy keeps stays
// in the cluster, as in Argo CD: the app is gone, and nothing records it.
func runPostDelete(ctx context.Context, ms *kube.Mappings, cfg appConfig, priv privateData, progress func(string)) error {
	d := &desiredSet{}
	if err := addManifests(d, priv.PostDelete); err != nil {
		return fmt.Errorf("read the PostDelete hooks: %w", err)
	}
	r := &syncRun{
		ms: ms, cfg: cfg, progress: progress, waiting: progress,
		applied: map[string]*unstructured.Unstructured{}, kept: map[string]bool{},
		pruned: map[string]bool{}, forgot: map[string]bool{},
		priorRuns: priv.HookRuns, started: time.Now(),
	}
	return r.runHooks(ctx, hooksOf(d, builtin.HookPostDelete))
}

// destroy deletes every object of the app's inventory that still carries
// its labels, in reverse apply order, and waits until they are gone.
func (a *app) destroy(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PriorState
	cl, err := a.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Kubernetes provider not ready", err.Error())
		return
	}
	prior, err := readPrior(req.PriorState, req.PlannedPrivate)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the app's state", err.Error())
		return
	}
	if !prior.exists {
		resp.NewState = cty.NullVal(appSchema.ImpliedType())
		return
	}
	cfg, _ := parseAppConfig(req.PriorState)
	ms := cl.Mappings()
	var ids []kube.ObjectID
	for _, key := range append(append([]string(nil), prior.inventory...), prior.private.Hooks...) {
		if id, err := kube.ParseObjectID(key); err == nil {
			ids = append(ids, id)
		}
	}
	// What a rollout under way made beside the manifests (a canary or
	// preview Deployment, its Service, a canary Ingress) goes with the
	// app: each carries the app's labels.
	ids = append(ids, rolloutObjects(ids)...)
	// A rollout under way may also have changed what is not the app's: a
	// route outside it goes back to its weights, and a Service or
	// Ingress the rollout named goes.
	progress := progressOr(req.Progress)
	ids = append(ids, endRolloutOnDestroy(ctx, ms, cfg, req.PriorState, prior, progress)...)
	live, err := kube.FetchLive(ctx, ms, managedSelector, ids)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		return
	}
	var owned []kube.ObjectID
	keptIn := map[string]bool{}
	for _, id := range ids {
		lv := live[id.String()]
		if lv == nil || !ownedBy(lv, cfg.Name) {
			continue
		}
		if leftOptions(lv, cty.NilVal).NoDelete {
			progress(fmt.Sprintf("leaving %s in place (%s: Delete=false)", id, argoSyncOptions))
			keptIn[id.Namespace] = true
			continue
		}
		owned = append(owned, id)
	}
	// A Namespace that holds an object left in place stays too: deleting
	// it would delete the object with it (the plan says so).
	owned = slices.DeleteFunc(owned, func(id kube.ObjectID) bool {
		if isNamespaceID(id) && keptIn[id.Name] {
			progress(fmt.Sprintf("leaving %s in place: it holds objects left in place", id))
			return true
		}
		return false
	})
	timeout := cfg.WaitTimeout
	if timeout == 0 {
		timeout = defaultDeleteTimeout
	}
	waves := map[string]int{}
	for _, id := range owned {
		waves[id.String()] = waveOf(live[id.String()])
	}
	err = deleteObjects(ctx, ms, cfg, owned, live, waves, timeout, progress, "deleting ")
	if err == nil && len(owned) > 0 {
		// Every delete is made, and no PostDelete hook is left to run
		// once the objects are gone: slipway may start another change
		// while this one waits for them to go.
		if req.Waiting != nil && len(prior.private.PostDelete) == 0 {
			req.Waiting(fmt.Sprintf("waiting for %s to be deleted", plural(len(owned), "object", "objects")))
		}
		err = waitGone(ctx, ms, owned, live, timeout, progress)
	}
	if err == nil && len(prior.private.PostDelete) > 0 {
		err = runPostDelete(ctx, ms, cfg, prior.private, progress)
	}
	if err != nil {
		resp.Diagnostics.AddError("Delete failed", fmt.Sprintf("App %q: %v", cfg.Name, err))
		// Report what is left, so a retry deletes the rest.
		if left, lerr := kube.FetchLive(ctx, ms, managedSelector, owned); lerr == nil {
			objs := map[string]cty.Value{}
			var inv []string
			for _, key := range prior.inventory {
				if left[key] != nil {
					inv = append(inv, key)
					if v, ok := prior.objects[key]; ok {
						objs[key] = v
					}
				}
			}
			resp.NewState = kube.WithComputed(req.PriorState, map[string]cty.Value{builtin.AppObjects: kube.ObjectsVal(objs), builtin.AppInventory: kube.StringListVal(inv)})
		}
		return
	}
	resp.NewState = cty.NullVal(appSchema.ImpliedType())
}
