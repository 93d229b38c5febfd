package planner

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
)

// AppStatus is what `slipway status` shows of one app instance, as
// `argocd app get` does: whether the cluster matches what the
// configuration and its sources say now (sync), and how healthy it is.
type AppStatus struct {
	Addr     addrs.ResourceInstance
	Sync     string
	Health   string
	Message  string
	Revision string
	Objects  []sdk.ObjectStatus
	History  []SyncRecord
}

// Status reports every app instance (or only those named): sync comes
// from a refreshed plan of the apps (a no-op means Synced), health and
// per-object detail from the provider's live status.
func (c *Context) Status(ctx context.Context, only []addrs.ResourceInstance) ([]AppStatus, hcl.Diagnostics) {
	targets := only
	if len(targets) == 0 {
		for _, rc := range c.Config.Resources {
			if rc.Addr.Kind == addrs.App {
				targets = append(targets, rc.Addr.Instance(addrs.NoKey))
			}
		}
	}
	if len(targets) == 0 {
		return nil, nil
	}
	p, diags := c.Plan(ctx, PlanOpts{Refresh: true, Targets: targets})
	if diags.HasErrors() {
		return nil, diags
	}
	history, err := History(c.State)
	if err != nil {
		diags = append(diags, errorDiag("Unreadable history", err.Error(), nil))
	}
	var out []AppStatus
	for _, ch := range p.Changes {
		if ch.Addr.Resource.Kind != addrs.App {
			continue
		}
		st := AppStatus{Addr: ch.Addr, Sync: sdk.Synced, Health: sdk.Unknown, History: history[ch.Addr.String()]}
		if ch.Action != plans.NoOp {
			st.Sync = sdk.OutOfSync
		}
		if v := ch.After; v.IsKnown() && !v.IsNull() && v.Type().HasAttribute("revision") {
			if r := v.GetAttr("revision"); r.IsKnown() && !r.IsNull() {
				st.Revision = r.AsString()
			}
		}
		objSync := map[string]string{}
		for _, nc := range ch.Nested {
			switch nc.Action {
			case plans.NoOp:
				objSync[nc.Address] = sdk.Synced
			default:
				objSync[nc.Address] = sdk.OutOfSync
			}
		}
		ri := c.State.Resources[ch.Addr.String()]
		if ri == nil {
			st.Health, st.Message = sdk.Missing, "never synced"
			for _, nc := range ch.Nested {
				st.Objects = append(st.Objects, sdk.ObjectStatus{ID: nc.Address, Sync: sdk.OutOfSync, Health: sdk.Missing})
			}
			out = append(out, st)
			continue
		}
		cl, err := c.Providers.Get(ctx, ri.Provider.String(), ri.Provider.Name)
		if err != nil {
			diags = append(diags, errorDiag("Provider failed to start", err.Error(), nil))
			continue
		}
		resps, err := cl.Status(ctx, []sdk.StatusRequest{{Address: ri.Addr.String(), TypeName: ri.Type, State: ri.Value, Private: ri.Private}})
		if err != nil {
			diags = append(diags, errorf("Status failed", nil, "Reading the status of %s: %v", ri.Addr, err))
			continue
		}
		r := resps[0]
		diags = append(diags, providerDiags(r.Diagnostics, ri.Addr.String(), nil)...)
		st.Health, st.Message = r.Health, r.Message
		seen := map[string]bool{}
		for _, o := range r.Objects {
			if s, ok := objSync[o.ID]; ok {
				o.Sync = s
			}
			seen[o.ID] = true
			st.Objects = append(st.Objects, o)
		}
		for id, s := range objSync {
			if !seen[id] {
				st.Objects = append(st.Objects, sdk.ObjectStatus{ID: id, Sync: s, Health: sdk.Missing, Message: "not in the cluster yet"})
			}
		}
		sort.Slice(st.Objects, func(i, j int) bool { return st.Objects[i].ID < st.Objects[j].ID })
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	return out, diags
}

// RollbackRecord finds the sync an app should roll back to: the given
// history id, or the last successful sync before the current one.
func RollbackRecord(hist []SyncRecord, id int) (SyncRecord, error) {
	if len(hist) == 0 {
		return SyncRecord{}, fmt.Errorf("no syncs are recorded for this app")
	}
	if id > 0 {
		for _, r := range hist {
			if r.ID == id {
				if r.ManifestsDir == "" {
					return SyncRecord{}, fmt.Errorf("sync %d recorded no manifests to return to", id)
				}
				return r, nil
			}
		}
		return SyncRecord{}, fmt.Errorf("no sync %d in the history (recorded: %s)", id, historyIDs(hist))
	}
	last := hist[len(hist)-1]
	for i := len(hist) - 2; i >= 0; i-- {
		if hist[i].Result == "succeeded" && hist[i].Revision != last.Revision && hist[i].ManifestsDir != "" {
			return hist[i], nil
		}
	}
	return SyncRecord{}, fmt.Errorf("no earlier successful sync of another revision is recorded (recorded: %s)", historyIDs(hist))
}

func historyIDs(hist []SyncRecord) string {
	s := ""
	for i, r := range hist {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d (%s, %s)", r.ID, shortRev(r.Revision), r.Result)
	}
	return s
}

func shortRev(r string) string {
	if len(r) > 7 {
		return r[:7]
	}
	return r
}
