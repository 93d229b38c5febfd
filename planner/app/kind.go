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

package app

import (
	"context"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// Kind is the app block kind.
type Kind struct{}

var (
	_ kind.Kind            = Kind{}
	_ kind.Nester          = Kind{}
	_ kind.EngineRefreshed = Kind{}
)

// Kind is addrs.App.
func (Kind) Kind() addrs.Kind { return addrs.App }

// Providers is the provider the app syncs through, and the default helm
// provider too for an app whose directory may turn out to be a chart
// (its tool is found when it is planned). An aliased helm provider must
// be declared, so it is started only for an app that says it syncs a
// chart (lang chose it then).
func (Kind) Providers(rc *lang.Resource) []addrs.Provider {
	if detects(rc) && rc.Provider.Alias == "" {
		return []addrs.Provider{rc.Provider, helmTwin(rc.Provider)}
	}
	return []addrs.Provider{rc.Provider}
}

// ProvidersOnDemand: the helm provider that Providers lists for an app
// that finds its tool serves only the apps whose directories hold a
// chart (chooseLowering asks for it then), or that state records as
// helm releases (which the engine starts providers for anyway).
func (Kind) ProvidersOnDemand(rc *lang.Resource) []addrs.Provider {
	if detects(rc) && rc.Provider.Alias == "" {
		return []addrs.Provider{helmTwin(rc.Provider)}
	}
	return nil
}

// RefreshedByEngine: an app is planned as the resource it is lowered
// to, and state records that resource's type (kind.EngineRefreshed).
func (Kind) RefreshedByEngine() {}

// Writes is empty: an app writes to a cluster, never to a source.
func (Kind) Writes(*lang.Resource) []addrs.Resource { return nil }

// InstanceSections implements kind.InstanceSections: an app's sync
// history is keyed by its address.
func (Kind) InstanceSections() []string { return []string{historyKey} }

// Check reports an app whose provider has no resource type for it.
func (Kind) Check(h kind.Host, rc *lang.Resource) hcl.Diagnostics {
	p, ok := h.Provider(rc.Provider)
	if !ok {
		return nil
	}
	if _, ok := p.Schemas().Resources[typeOf(rc)]; ok {
		return nil
	}
	r := rc.DeclRange
	return hcl.Diagnostics{kind.Errorf("Apps are not supported by this provider", &r,
		"%s syncs through provider %q, which has no %q resource type. Apps of manifests need the kubernetes provider, apps of helm charts the helm provider.", rc.Addr, rc.Provider.Name, typeOf(rc))}
}

// Validate validates the app as the resource it is lowered to.
func (Kind) Validate(ctx context.Context, h kind.ValidateHost, rc *lang.Resource) hcl.Diagnostics {
	return h.ValidateResource(ctx, rc, lowering(rc, typeOf(rc)))
}

// Plan plans the app as the resource it is lowered to, chosen by the
// tool its directory holds.
func (Kind) Plan(ctx context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	lrc, l, diags := chooseLowering(h, rc)
	if diags.HasErrors() {
		return diags
	}
	l.Config = withRolloutRequest(h, l.Config)
	// For an app with a rollout, -replace retries the rollout of an
	// aborted revision: deleting and creating every object of the app
	// would be an outage, not a retry.
	l.Retries = func(addr addrs.ResourceInstance) bool { return heldRollout(h, addr) }
	return append(diags, h.PlanResource(ctx, lrc, l)...)
}

// Apply syncs the app as the resource it is lowered to, recording each
// sync in the app's history.
func (Kind) Apply(ctx context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	lrc, l := appliedLowering(h, rc)
	hold := l.Hold
	l.Hold = func(config, planned cty.Value) cty.Value {
		if hold != nil {
			config = hold(config, planned)
		}
		return holdRolloutRequest(config, planned)
	}
	return h.ApplyResource(ctx, lrc, l)
}

// Nested breaks a change of an app into one change per Kubernetes object.
func (Kind) Nested(ch *plans.ResourceChange) ([]*plans.NestedChange, []string, bool) {
	if !isAppType(ch.Type) {
		return nil, nil, false
	}
	return nestedChanges(ch), appNestedFrom, true
}

// lowering is how an app becomes a resource of type typ, a
// kubernetes_app or a helm_release.
func lowering(rc *lang.Resource, typ string) kind.Lowering {
	return loweringIn(rc, typ, new(confine.Roots), nil)
}

// loweringIn is lowering with the checkout roots its instances' paths are
// resolved in remembered in roots, and, with h, the configurations of its
// instances recalled from earlier plans (h.Recall).
func loweringIn(rc *lang.Resource, typ string, roots *confine.Roots, h kind.Host) kind.Lowering {
	return kind.Lowering{
		Type: typ,
		Config: func(rc *lang.Resource, schema sdk.Schema, ectx *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics) {
			v, diags := recalledApp(h, rc, in, typ, schema, ectx, roots)
			if diags.HasErrors() || in.Pin == nil || !v.IsKnown() || v.IsNull() {
				return v, diags
			}
			return pin(v, *in.Pin), diags
		},
		AfterWrites: func(ch *plans.ResourceChange, writes map[addrs.Resource][]kind.Write) {
			srcs := make([]addrs.Resource, 0, len(writes))
			for s := range writes {
				srcs = append(srcs, s)
			}
			sort.Slice(srcs, func(i, j int) bool { return srcs[i].String() < srcs[j].String() })
			for _, s := range srcs {
				afterPromote(ch, s, writes[s])
			}
		},
		Hold:     pinAppInputs,
		Applied:  recordSync,
		Describe: describe,
	}
}

// withRolloutRequest adds to an instance's configuration the request of
// `slipway rollout` for its rollout (builtin.AppRolloutAction), which no
// configuration sets. The provider plans what the request does.
func withRolloutRequest(h kind.PlanHost, config func(*lang.Resource, sdk.Schema, *hcl.EvalContext, kind.Instance) (cty.Value, hcl.Diagnostics)) func(*lang.Resource, sdk.Schema, *hcl.EvalContext, kind.Instance) (cty.Value, hcl.Diagnostics) {
	return func(rc *lang.Resource, schema sdk.Schema, ectx *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics) {
		v, diags := config(rc, schema, ectx, in)
		req := h.RolloutRequest(in.Addr)
		if req == "" && h.ReplaceRequested(in.Addr) && heldRollout(h, in.Addr) {
			req = builtin.RolloutRetry
		}
		if req == "" || diags.HasErrors() {
			return v, diags
		}
		return withAction(v, cty.StringVal(req)), diags
	}
}

// heldRollout reports whether state records the rollout of an app
// instance as aborted (Degraded): -replace then retries it.
func heldRollout(h kind.Host, addr addrs.ResourceInstance) bool {
	ri := h.Prior(addr)
	if ri == nil {
		return false
	}
	st := statusOf(ri.Value, builtin.AppRolloutStatus)
	return st != nil && st.Phase == rolloutspec.PhaseDegraded
}

// holdRolloutRequest makes the configuration at apply time carry the
// request of `slipway rollout` the plan was made with.
func holdRolloutRequest(config, planned cty.Value) cty.Value {
	if planned.IsNull() || !planned.IsKnown() || !planned.Type().IsObjectType() || !planned.Type().HasAttribute(builtin.AppRolloutAction) {
		return config
	}
	if req := planned.GetAttr(builtin.AppRolloutAction); req.IsKnown() && !req.IsNull() {
		return withAction(config, req)
	}
	return config
}

// withAction sets an app's rollout_action, when its type has one.
func withAction(v, req cty.Value) cty.Value {
	v, marks := v.Unmark()
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppRolloutAction) {
		return v.WithMarks(marks)
	}
	m := v.AsValueMap()
	m[builtin.AppRolloutAction] = req
	return cty.ObjectVal(m).WithMarks(marks)
}

// pin makes an app read a recorded sync's manifests (slipway rollback).
func pin(v cty.Value, p kind.Pin) cty.Value {
	m := v.AsValueMap()
	m[appDirAttr(v)], m[builtin.AppRevision] = cty.StringVal(p.Dir), cty.StringVal(p.Revision)
	return cty.ObjectVal(m)
}

// Pin is what a rollback to rec plans the app from.
func Pin(rec SyncRecord) kind.Pin { return kind.Pin{Revision: rec.Revision, Dir: rec.ManifestsDir} }
