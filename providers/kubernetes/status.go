package kubernetes

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// Status reports each object's sync status and health, and the app's: an
// object is Synced when the live object, limited to the recorded fields,
// equals what slipway recorded at the last apply; its health is kstatus's,
// in Argo CD's words. The app's health is the worst of its objects'
// (Degraded > Missing > Progressing > Unknown > Suspended > Healthy).
func (a *app) Status(ctx context.Context, req sdk.StatusRequest, resp *sdk.StatusResponse) {
	ctx, done := a.p.WithStop(ctx)
	defer done()
	prior, err := readPrior(req.State, req.Private)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the app's state", err.Error())
		return
	}
	if !prior.exists {
		resp.Health, resp.Sync, resp.Message = sdk.Missing, sdk.OutOfSync, "the app has not been applied"
		return
	}
	cl, err := a.p.cluster()
	if err != nil {
		resp.Diagnostics.AddError("Kubernetes provider not ready", err.Error())
		return
	}
	keys := recordedIDs(prior)
	var ids []objectID
	for _, key := range keys {
		if id, err := parseObjectID(key); err == nil {
			ids = append(ids, id)
		}
	}
	live, err := fetchLive(ctx, cl.mappings(), ids)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the cluster", err.Error())
		return
	}
	resp.Health, resp.Sync = sdk.Healthy, sdk.Synced
	outOfSync := 0
	worst := ""
	for _, id := range ids {
		key := id.String()
		lv := live[key]
		os := sdk.ObjectStatus{ID: key}
		os.Health, os.Message = healthOf(lv)
		os.Sync = sdk.Synced
		if lv == nil {
			os.Sync = sdk.OutOfSync
		} else if rec, ok := prior.objects[key]; ok {
			cur, err := liveValueOf(lv.Object, rec)
			if err != nil || !sameValue(rec, cur) {
				os.Sync = sdk.OutOfSync
			}
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
	resp.Message = fmt.Sprintf("%d objects, %d out of sync", len(ids), outOfSync)
	if worst != "" {
		resp.Message += "; " + worst
	}
}

// sameValue compares two known values by content.
func sameValue(a, b cty.Value) bool {
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	a, _ = a.UnmarkDeep()
	eq := a.Equals(b)
	return eq.IsKnown() && eq.True()
}
