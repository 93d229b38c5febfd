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
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// defaultTimeout bounds Helm's waits when the release has no wait
// timeout: its hooks (a pre-upgrade Job that never finishes would hold
// the apply forever, and leave the release pending) and the deletions
// their policies wait for. It is the helm CLI's --timeout default. It
// bounds those waits only: without a wait timeout, Helm does not wait for
// the release's resources.
var defaultTimeout = 5 * time.Minute

// helmTimeout is the Timeout of Helm's actions for c: its wait timeout,
// or defaultTimeout without one. Whether Helm waits for the resources is
// their Wait, set by the wait timeout alone.
func helmTimeout(c releaseConfig) time.Duration {
	if c.WaitTimeout > 0 {
		return c.WaitTimeout
	}
	return defaultTimeout
}

// Apply installs, upgrades or uninstalls the release with Helm's actions.
// NewState always describes what is live afterwards: after a failed
// upgrade that was rolled back, the rolled-back release.
func (r *releaseResource) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	ctx, done := r.p.WithStop(ctx)
	defer done()
	cl, err := r.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Helm provider not ready", err.Error())
		return
	}
	if req.PlannedState.IsNull() {
		r.uninstall(cl, req, resp)
		return
	}
	priv := decodePrivate(req.PlannedPrivate)
	// The subcharts' CRDs as planned; once Helm has installed or upgraded
	// the release, those of the chart as Helm loaded it.
	planned := unpackCRDs(priv.CRDs)
	crds := planned
	defer func() {
		// The plan's record (its inputs, the digest of its offline
		// render) is what the release would be had the apply
		// succeeded; recorded with the state of a failed one, an
		// offline plan would take the release as made from them and
		// plan no change.
		if resp.Diagnostics.HasErrors() {
			resp.Private = privateData{Failed: true, CRDs: packCRDs(crds)}.encode()
		} else if crds != planned {
			priv.CRDs = packCRDs(crds)
			resp.Private = priv.encode()
		}
	}()
	c, diags := parseConfig(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return
	}
	// Install what the plan resolved, even if the repository has a newer
	// matching version by now.
	version := ""
	if c.Repository != "" && sdk.IsKnown(req.PlannedState, builtin.HelmChartVersion) {
		version = sdk.GetString(req.PlannedState, builtin.HelmChartVersion)
	}
	ch, vals, ok := cl.chartInputs(c, version, &resp.Diagnostics)
	if !ok {
		return
	}
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
	if priv.Loaded != "" && inputsDigest(ch, vals) != priv.Loaded {
		// The chart or its values are not those the plan rendered (a
		// values file edited, a chart republished under its version):
		// what apply would install is not what the plan showed.
		resp.Diagnostics.AddError("Chart changed since the plan", fmt.Sprintf("The chart %s of release %q or its values are not those the plan rendered: a values file, the chart's directory or the repository's chart changed since. Nothing was installed. Run slipway plan again, review the new plan, and apply it.", ch.Name()+"-"+ch.Metadata.Version, c.Name))
		return
	}
	chartName := ch.Name() + "-" + ch.Metadata.Version
	wait := c.WaitTimeout > 0
	var adopted *adoption
	var putBackErr error
	switch {
	case last == nil:
		if c.Adopt.Tool != "" {
			// Helm's TakeOwnership takes over every object that exists;
			// only those the adopted Application or Kustomization tracks
			// may be, so they are looked at first.
			if adopted, err = r.adoptable(ctx, cl, c, ch, vals); err != nil {
				resp.NewState = cty.NullVal(releaseSchema.ImpliedType())
				resp.Diagnostics.AddError("Install failed", fmt.Sprintf("Helm could not install chart %s as release %q in namespace %s: %v", chartName, c.Name, c.Namespace, err))
				return
			}
		}
		req.Progress("installing chart " + chartName)
		if wait {
			req.Progress("waiting for resources (up to " + c.WaitTimeout.String() + ")")
		}
		in := action.NewInstall(acfg)
		in.ReleaseName = c.Name
		in.Namespace = c.Namespace
		in.CreateNamespace = c.CreateNamespace
		// A release uninstalled with its history kept is installed again
		// as its next revision; without Replace Helm refuses the name.
		in.Replace = uninstalledWithHistory(acfg, c.Name)
		in.Wait = wait
		in.Timeout = helmTimeout(c)
		// An install that takes objects over is never undone by an
		// uninstall: that would delete objects that were there before.
		in.TakeOwnership = adopted != nil && len(adopted.values) > 0
		in.Atomic = c.Atomic && wait && !in.TakeOwnership
		_, ierr := in.RunWithContext(ctx, ch, vals)
		// Helm dropped the disabled subcharts from ch as it rendered it.
		crds = subchartCRDManifest(ch)
		if ierr != nil {
			r.installFailed(cl, acfg, c, chartName, ierr, in.TakeOwnership, crds, req, resp)
			return
		}
	case last.Info.Status == release.StatusDeployed && !priv.Upgrade:
		// Only recorded attributes changed; the release stays as it is.
	default:
		req.Progress(fmt.Sprintf("upgrading release %s (revision %d) to chart %s", c.Name, last.Version, chartName))
		if wait {
			req.Progress("waiting for resources (up to " + c.WaitTimeout.String() + ")")
		}
		deployed := deployedVersion(acfg, c.Name)
		up := action.NewUpgrade(acfg)
		up.Namespace = c.Namespace
		up.ResetValues = true
		up.Wait = wait
		up.Timeout = helmTimeout(c)
		up.Atomic = c.Atomic && wait
		up.MaxHistory = maxHistory
		rel, uerr := up.RunWithContext(ctx, c.Name, ch, vals)
		crds = subchartCRDManifest(ch)
		if uerr != nil {
			r.upgradeFailed(ctx, cl, acfg, c, chartName, last.Version, deployed, uerr, crds, req, resp)
			return
		}
		// Helm's patch of a custom resource does not see a hand edit
		// of an unchanged chart: what it left is put back here.
		var ids []string
		ids, putBackErr = putBack(ctx, cl.Mappings(), rel)
		for _, id := range ids {
			req.Progress(id + " put back as the chart renders it")
		}
	}
	// Adopted objects are Helm's now: the tool's tracking goes.
	var dropErrs []string
	if adopted != nil {
		ms := cl.Mappings()
		for _, key := range slices.Sorted(maps.Keys(adopted.ids)) {
			if _, err := ms.DropMarks(ctx, adopted.ids[key], adopted.marks[key]); err != nil {
				dropErrs = append(dropErrs, err.Error())
				continue
			}
			req.Progress(fmt.Sprintf("%s adopted from %s", key, c.Adopt.Tool))
		}
	}
	base := req.PlannedState
	if adopted != nil {
		base = sdk.With(base, builtin.AppAdopted, adopted.value())
	} else if v := base.GetAttr(builtin.AppAdopted); !v.IsWhollyKnown() {
		base = sdk.With(base, builtin.AppAdopted, priorAdopted(req.PriorState))
	}
	rel, st, err := r.liveState(ctx, cl, acfg, base, c.Name, crds)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the release after applying", err.Error())
		return
	}
	req.Progress(fmt.Sprintf("release %s revision %d %s", c.Name, rel.Version, rel.Info.Status))
	resp.NewState = st
	resp.SensitivePaths = kube.AppSecretPaths(st)
	if putBackErr != nil {
		resp.Diagnostics.AddError("Hand edits not put back",
			fmt.Sprintf("Release %q was upgraded to chart %s (revision %d), but some of its custom resources, which Helm's upgrade leaves as they are when the chart did not change them, could not be given back the fields the chart sets:\n  %v\nFix what the error says and apply again.",
				c.Name, chartName, rel.Version, putBackErr))
	}
	if len(dropErrs) > 0 {
		resp.Diagnostics.AddError("Tracking marks left on adopted objects",
			fmt.Sprintf("Release %q took over the objects of %s, but could not remove the tool's tracking from some of them:\n  %s\nRemove those labels or annotations by hand (kubectl label / kubectl annotate KEY-), or the tool may still see them as its own.",
				c.Name, c.Adopt.Describe(), strings.Join(dropErrs, "\n  ")))
	}
}

// adoptable renders the release as its install will and finds the
// objects the install may take over; an error when some exist that it
// may not.
func (r *releaseResource) adoptable(ctx context.Context, cl *cluster, c releaseConfig, ch *chart.Chart, vals map[string]any) (*adoption, error) {
	ms := cl.Mappings()
	rd, err := cl.render(ctx, c, ch, vals, false)
	if err != nil {
		return nil, err
	}
	objs, err := splitManifest(ms, rd.manifest, c.Namespace)
	if err != nil {
		return nil, err
	}
	return findAdoptions(ctx, ms, c, objs)
}

// installFailed reports a failed install. With atomic, a release that was
// recorded is uninstalled (Helm does it itself when it waited), unless
// the install adopted objects: those existed before and stay.
func (r *releaseResource) installFailed(cl *cluster, acfg *action.Configuration, c releaseConfig, chartName string, ierr error, adopting bool, crds string, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	rel, _ := lastRelease(acfg, c.Name)
	if adopting && rel != nil {
		// The objects it was taking over existed before it (and the tool
		// it adopts from may still track them): an uninstall, Helm's own
		// or a later replace of the failed release, would delete them.
		// Only Helm's record of the install goes; the objects stay as
		// they are, and the next apply installs again and takes them
		// over.
		if err := dropRecords(acfg, c.Name); err != nil {
			ierr = fmt.Errorf("%w; removing Helm's record of the failed install also failed: %v", ierr, err)
		} else {
			resp.NewState = cty.NullVal(releaseSchema.ImpliedType())
			resp.Diagnostics.AddError("Install failed", fmt.Sprintf("Helm could not install chart %s as release %q in namespace %s: %v\nThe objects it was taking over from %s stay in the cluster (with what the install applied to them), and Helm's record of the failed install was removed, so that nothing uninstalls them. Fix the chart, its values or the cluster and apply again: the install takes them over again.", chartName, c.Name, c.Namespace, ierr, c.Adopt.Describe()))
			return
		}
	}
	if c.Atomic && rel != nil && !adopting {
		un := action.NewUninstall(acfg)
		un.IgnoreNotFound = true
		if _, err := un.Run(c.Name); err != nil {
			ierr = fmt.Errorf("%w; uninstalling the failed release also failed: %v", ierr, err)
		}
		rel, _ = lastRelease(acfg, c.Name)
	}
	if rel == nil {
		resp.NewState = cty.NullVal(releaseSchema.ImpliedType())
		summary := "Install failed"
		if c.Atomic {
			summary = "Install failed and was uninstalled"
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Helm could not install chart %s as release %q in namespace %s: %v\nNothing of the release is left in the cluster. Fix the chart or its values and apply again.", chartName, c.Name, c.Namespace, ierr))
		return
	}
	if _, st, err := r.liveState(context.Background(), cl, acfg, req.PlannedState, c.Name, crds); err == nil {
		resp.NewState = st
		resp.SensitivePaths = kube.AppSecretPaths(st)
	}
	resp.Diagnostics.AddError("Install failed", fmt.Sprintf("Helm could not install chart %s as release %q in namespace %s: %v\nThe release is recorded as revision %d, %s. Fix the chart or its values and apply again (an upgrade), or destroy it.", chartName, c.Name, c.Namespace, ierr, rel.Version, rel.Info.Status))
}

// dropRecords removes every record Helm's storage holds of release name,
// leaving its objects in place.
func dropRecords(acfg *action.Configuration, name string) error {
	hist, err := acfg.Releases.History(name)
	if err != nil {
		return err
	}
	for _, r := range hist {
		if _, err := acfg.Releases.Delete(r.Name, r.Version); err != nil {
			return err
		}
	}
	return nil
}

// upgradeFailed reports a failed upgrade. With atomic, the release is
// rolled back to the revision deployed before: by Helm itself when it
// waited, here otherwise. NewState describes the release as it is now.
func (r *releaseResource) upgradeFailed(ctx context.Context, cl *cluster, acfg *action.Configuration, c releaseConfig, chartName string, before, deployed int, uerr error, crds string, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	now, _ := lastRelease(acfg, c.Name)
	failed := now != nil && now.Version > before && now.Info.Status == release.StatusFailed
	if c.Atomic && failed && deployed > 0 {
		req.Progress(fmt.Sprintf("upgrade failed; rolling back to revision %d", deployed))
		rb := action.NewRollback(acfg)
		rb.Version = deployed
		rb.MaxHistory = maxHistory
		rb.Wait = c.WaitTimeout > 0
		rb.Timeout = helmTimeout(c)
		if err := rb.Run(c.Name); err != nil {
			uerr = fmt.Errorf("%w; rolling back to revision %d also failed: %v", uerr, deployed, err)
		}
		now, _ = lastRelease(acfg, c.Name)
	}
	rolledBack := c.Atomic && now != nil && now.Version > before && now.Info.Status == release.StatusDeployed && deployed > 0
	if rel, st, err := r.liveState(ctx, cl, acfg, priorOr(req.PriorState, req.PlannedState), c.Name, crds); err == nil && rel != nil {
		resp.NewState = st
		resp.SensitivePaths = kube.AppSecretPaths(st)
	}
	switch {
	case rolledBack:
		resp.Diagnostics.AddError("Upgrade failed and was rolled back",
			fmt.Sprintf("Helm could not upgrade release %q in namespace %s to chart %s: %v\nBecause atomic is set, the release was rolled back: release revision %d is deployed again (as revision %d). Fix the chart or its values and apply again.",
				c.Name, c.Namespace, chartName, uerr, deployed, now.Version))
	case now != nil && now.Version == before:
		resp.Diagnostics.AddError("Upgrade failed",
			fmt.Sprintf("Helm could not upgrade release %q in namespace %s to chart %s: %v\nNothing was changed: revision %d is still the release's last. Fix the chart or its values and apply again.",
				c.Name, c.Namespace, chartName, uerr, before))
	default:
		status := "gone"
		if now != nil {
			status = fmt.Sprintf("at revision %d, %s", now.Version, now.Info.Status)
		}
		resp.Diagnostics.AddError("Upgrade failed",
			fmt.Sprintf("Helm could not upgrade release %q in namespace %s to chart %s: %v\nThe release is %s; its objects may be partly upgraded. Fix the chart or its values and apply again, or %s.",
				c.Name, c.Namespace, chartName, uerr, status, leavePending(acfg, c)))
	}
}

// leavePending says how to get a release out of a pending or failed
// state by hand: roll back to its last deployed revision, named (a bare
// `helm rollback` goes to the revision before the last, which after an
// interrupted rollback is the failed upgrade); with none (an install that
// never finished), uninstall it, which deletes what it made, or, when it
// was taking objects over from another tool, remove Helm's record alone.
func leavePending(acfg *action.Configuration, c releaseConfig) string {
	if v := deployedVersion(acfg, c.Name); v > 0 {
		return fmt.Sprintf("roll back to its last deployed revision with `helm rollback %s %d -n %s`", c.Name, v, c.Namespace)
	}
	if c.Adopt.Tool != "" {
		return fmt.Sprintf("remove Helm's record of it, which leaves the objects it was taking over in place: `kubectl delete secret -n %s -l owner=helm,name=%s`", c.Namespace, c.Name)
	}
	return fmt.Sprintf("uninstall it, which deletes what it made: `helm uninstall %s -n %s`", c.Name, c.Namespace)
}

// deployedVersion is the revision an atomic upgrade returns to: the
// newest deployed or superseded one, as Helm picks it; 0 when none.
func deployedVersion(acfg *action.Configuration, name string) int {
	hist, err := acfg.Releases.History(name)
	if err != nil {
		return 0
	}
	ok := releaseutil.FilterFunc(func(r *release.Release) bool {
		return r.Info.Status == release.StatusDeployed || r.Info.Status == release.StatusSuperseded
	}).Filter(hist)
	if len(ok) == 0 {
		return 0
	}
	releaseutil.Reverse(ok, releaseutil.SortByRevision)
	return ok[0].Version
}

// uninstall deletes the release and, through Helm, its objects.
func (r *releaseResource) uninstall(cl *cluster, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	name, ns := sdk.GetString(req.PriorState, builtin.AppName), sdk.GetString(req.PriorState, builtin.AppNamespace)
	c, _ := parseConfig(req.PriorState)
	acfg, err := cl.actionConfig(ns)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure Helm", err.Error())
		return
	}
	req.Progress("uninstalling release " + name)
	un := action.NewUninstall(acfg)
	un.IgnoreNotFound = true
	un.Wait = c.WaitTimeout > 0
	un.Timeout = helmTimeout(c)
	if _, err := un.Run(name); err != nil {
		resp.NewState = req.PriorState
		resp.Diagnostics.AddError("Uninstall failed", fmt.Sprintf("Helm could not uninstall release %q in namespace %s: %v", name, ns, err))
		return
	}
	resp.NewState = cty.NullVal(releaseSchema.ImpliedType())
}

// Read refreshes the release from Helm's record and the live objects; a
// release that is gone is a null state, so the core plans a new install.
func (r *releaseResource) Read(ctx context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	ctx, done := r.p.WithStop(ctx)
	defer done()
	if req.State.IsNull() {
		return
	}
	cl, err := r.p.Cluster()
	if err != nil {
		resp.Diagnostics.AddError("Helm provider not ready", err.Error())
		return
	}
	acfg, err := cl.actionConfig(sdk.GetString(req.State, builtin.AppNamespace))
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure Helm", err.Error())
		return
	}
	rel, st, err := r.liveState(ctx, cl, acfg, req.State, sdk.GetString(req.State, builtin.AppName), unpackCRDs(decodePrivate(req.Private).CRDs))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the release", err.Error())
		return
	}
	if rel == nil {
		resp.NewState = cty.NullVal(releaseSchema.ImpliedType())
		return
	}
	resp.NewState = st
	resp.SensitivePaths = kube.AppSecretPaths(st)
}

// liveState is base with its computed attributes read from the release's
// last revision (action.Get) and its objects as they are live, limited to
// the fields of the release's manifest; subchartCRDs is the crds/
// manifest of its chart's subcharts. It returns a nil release when the
// release does not exist.
func (r *releaseResource) liveState(ctx context.Context, cl *cluster, acfg *action.Configuration, base cty.Value, name, subchartCRDs string) (*release.Release, cty.Value, error) {
	ms := cl.Mappings()
	rel, objs, err := releaseObjects(ms, acfg, name, subchartCRDs)
	if err != nil || rel == nil {
		return nil, cty.NilVal, err
	}
	objects := map[string]cty.Value{}
	var inventory []string
	live, err := getAll(ctx, ms, objs)
	if err != nil {
		return nil, cty.NilVal, err
	}
	for i, o := range objs {
		key := o.id.String()
		inventory = append(inventory, key)
		lv := live[i]
		if lv == nil {
			continue
		}
		v, err := kube.ToCty(normalise(lv.Object, o.obj))
		if err != nil {
			return nil, cty.NilVal, fmt.Errorf("%s: %w", key, err)
		}
		objects[key] = v
	}
	sort.Strings(inventory)
	chartVersion, appVersion := "", ""
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		chartVersion, appVersion = rel.Chart.Metadata.Version, rel.Chart.Metadata.AppVersion
	}
	st := kube.WithComputed(base, map[string]cty.Value{
		builtin.AppObjects:          kube.ObjectsVal(objects),
		builtin.AppInventory:        kube.StringListVal(inventory),
		builtin.HelmChartVersion:    cty.StringVal(chartVersion),
		builtin.HelmAppVersion:      cty.StringVal(appVersion),
		builtin.HelmReleaseRevision: cty.NumberIntVal(int64(rel.Version)),
	})
	return rel, st, nil
}

// releaseObjects returns the last revision of release name and the
// objects of its manifest, of its chart's crds/ and of subchartCRDs, the
// crds/ of its subcharts (Helm's record keeps the chart without them); a
// nil release when there is none.
func releaseObjects(ms *kube.Mappings, acfg *action.Configuration, name, subchartCRDs string) (*release.Release, []*manifestObject, error) {
	rel, err := lastRelease(acfg, name)
	if err != nil || rel == nil {
		return nil, nil, err
	}
	objs, err := splitManifest(ms, rel.Manifest, rel.Namespace)
	if err != nil {
		return nil, nil, fmt.Errorf("release %s revision %d: %w", name, rel.Version, err)
	}
	crds, err := splitManifest(ms, crdManifest(rel.Chart)+subchartCRDs, rel.Namespace)
	if err != nil {
		return nil, nil, fmt.Errorf("release %s revision %d: %w", name, rel.Version, err)
	}
	return rel, append(objs, crds...), nil
}

// priorOr is prior when it is a known value, else planned: the inputs a
// rolled-back release was last applied with.
func priorOr(prior, planned cty.Value) cty.Value {
	if prior == cty.NilVal || prior.IsNull() || !prior.IsWhollyKnown() {
		return planned
	}
	return prior
}
