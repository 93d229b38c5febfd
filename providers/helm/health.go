package helm

import (
	"context"
	"fmt"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// healthOf maps an object's kstatus to Argo CD's health names, as the
// kubernetes provider does. A paused Deployment and a suspended CronJob
// are Suspended; kstatus has no such status.
func healthOf(u *unstructured.Unstructured) (health, message string) {
	if u == nil {
		return sdk.Missing, "the object does not exist"
	}
	switch u.GroupVersionKind().GroupKind().String() {
	case "Deployment.apps":
		if p, _, _ := unstructured.NestedBool(u.Object, "spec", "paused"); p {
			return sdk.Suspended, "the Deployment is paused"
		}
	case "CronJob.batch":
		if s, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); s {
			return sdk.Suspended, "the CronJob is suspended"
		}
	}
	res, err := status.Compute(u)
	if err != nil {
		return sdk.Unknown, err.Error()
	}
	switch res.Status {
	case status.CurrentStatus:
		return sdk.Healthy, res.Message
	case status.InProgressStatus, status.TerminatingStatus:
		return sdk.Progressing, res.Message
	case status.FailedStatus:
		return sdk.Degraded, res.Message
	case status.NotFoundStatus:
		return sdk.Missing, res.Message
	}
	return sdk.Unknown, res.Message
}

// healthRank orders health from best to worst, for a release's overall
// health: the worst of its objects'.
func healthRank(h string) int {
	switch h {
	case sdk.Healthy:
		return 0
	case sdk.Suspended:
		return 1
	case sdk.Unknown:
		return 2
	case sdk.Progressing:
		return 3
	case sdk.Missing:
		return 4
	case sdk.Degraded:
		return 5
	}
	return 2
}

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
	cl, err := r.p.cluster()
	if err != nil {
		resp.Diagnostics.AddError("Helm provider not ready", err.Error())
		return
	}
	name := sdk.GetString(req.State, "name")
	acfg, err := cl.actionConfig(sdk.GetString(req.State, "namespace"))
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure Helm", err.Error())
		return
	}
	rel, objs, err := cl.releaseObjects(acfg, name)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the release", err.Error())
		return
	}
	if rel == nil {
		resp.Health, resp.Sync, resp.Message = sdk.Missing, sdk.OutOfSync, fmt.Sprintf("release %s is not installed", name)
		return
	}
	recorded := req.State.GetAttr("objects")
	resp.Health, resp.Sync = sdk.Healthy, sdk.Synced
	if sdk.GetInt(req.State, "release_revision") != int64(rel.Version) {
		resp.Sync = sdk.OutOfSync
	}
	outOfSync, worst := 0, ""
	live, err := cl.getAll(ctx, objs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		return
	}
	for i, o := range objs {
		key := o.id.String()
		lv := live[i]
		os := sdk.ObjectStatus{ID: key, Sync: sdk.Synced}
		os.Health, os.Message = healthOf(lv)
		rec := cty.NilVal
		if recorded.IsKnown() && !recorded.IsNull() && recorded.Type().IsObjectType() && recorded.Type().HasAttribute(key) {
			rec = recorded.GetAttr(key)
		}
		if lv == nil || rec == cty.NilVal {
			os.Sync = sdk.OutOfSync
		} else if cur, err := toCty(normalise(lv.Object, o.obj)); err != nil || !sameValue(rec, cur) {
			os.Sync = sdk.OutOfSync
		}
		if os.Sync == sdk.OutOfSync {
			outOfSync++
			resp.Sync = sdk.OutOfSync
		}
		if healthRank(os.Health) > healthRank(resp.Health) {
			resp.Health = os.Health
			worst = fmt.Sprintf("%s: %s", key, os.Message)
		}
		resp.Objects = append(resp.Objects, os)
	}
	resp.Message = fmt.Sprintf("release %s revision %d %s; %d objects, %d out of sync", name, rel.Version, rel.Info.Status, len(objs), outOfSync)
	if worst != "" {
		resp.Message += "; " + worst
	}
}
