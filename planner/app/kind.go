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
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

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
			p, err := confinePin(v, *in.Pin, roots)
			if err != nil {
				r := rc.DeclRange
				return cty.DynamicVal, append(diags, kind.Errorf("Invalid rollback", &r, "%s cannot be rolled back to revision %s: %v.", in.Addr, shortRev(in.Pin.Revision), err))
			}
			return pin(v, p), diags
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

// confinePin is p with its directory checked, and its links resolved,
// against v, the app's configuration from its source now: p comes from
// the app's history in state, which may be shared and written by others,
// and an app applies to its cluster whatever its directory holds. See
// pinnedDir.
func confinePin(v cty.Value, p kind.Pin, roots *confine.Roots) (kind.Pin, error) {
	attr := func(name string) cty.Value {
		if !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
			return cty.NullVal(cty.String)
		}
		a, _ := v.GetAttr(name).UnmarkDeep()
		return a
	}
	dir, err := pinnedDir(attr(appDirAttr(v)), attr(builtin.AppRevision), p, roots)
	if err != nil {
		return kind.Pin{}, err
	}
	p.Dir = dir
	return p, nil
}

// pinnedDir is the directory a rollback plans an app from, p.Dir, once it
// is known to lead into the checkout of the recorded revision that sits
// beside the app's checkout now: cur is the app's directory from its
// source (sourceDir keeps it inside the source's checkout, a directory
// named by rev, its commit: <cache>/trees/<commit> for a git source), so
// the recorded revision's checkout is that directory with p.Revision in
// the commit's place. Its links are followed, as sourceDir follows them,
// and none may lead out of that checkout. A checkout not there any more
// is not an error here: the provider says what is missing.
func pinnedDir(cur, rev cty.Value, p kind.Pin, roots *confine.Roots) (string, error) {
	if !cur.IsKnown() || !rev.IsKnown() {
		return "", errors.New("the checkout of its source is not known until apply, so slipway cannot check that the recorded directory is a checkout of that source; roll back once the source is read")
	}
	if cur.IsNull() || rev.IsNull() || cur.Type() != cty.String || rev.Type() != cty.String || cur.AsString() == "" || rev.AsString() == "" {
		return "", errors.New("it does not read its manifests from the checkout of a source, so there is no checkout to return to")
	}
	commit := rev.AsString()
	if !plainName(p.Revision) {
		return "", fmt.Errorf("the recorded revision %q is not a commit", p.Revision)
	}
	parts := strings.Split(filepath.ToSlash(filepath.Clean(cur.AsString())), "/")
	at := -1
	for i, part := range parts {
		if part == commit {
			at = i
			break
		}
	}
	if at < 1 {
		return "", fmt.Errorf("its directory %s is not in a checkout named by its commit %s, so slipway cannot tell where the checkout of revision %s is", cur.AsString(), shortRev(commit), shortRev(p.Revision))
	}
	root := filepath.FromSlash(strings.Join(append(parts[:at:at], p.Revision), "/"))
	dir := filepath.Clean(p.Dir)
	rel, err := filepath.Rel(root, dir)
	if !filepath.IsAbs(dir) || err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return "", fmt.Errorf("the recorded directory %q is not inside %s, the checkout of that revision", p.Dir, root)
	}
	got, err := roots.Rel(root, rel)
	var outside *confine.EscapeError
	switch {
	case errors.As(err, &outside):
		return "", fmt.Errorf("the recorded directory %s leads outside %s, the checkout of that revision: %v", p.Dir, root, err)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the recorded directory %s cannot be read: %v", p.Dir, err)
	case err != nil:
		got = rel
	}
	return filepath.Join(root, got), nil
}

// plainName reports whether s names one directory entry: not empty, no
// separator, nothing that climbs, and not hidden (a checkout being
// written is a hidden directory beside the published ones).
func plainName(s string) bool {
	return s != "" && !strings.ContainsAny(s, `/\`) && filepath.IsLocal(s) && !strings.HasPrefix(s, ".")
}

// Pin is what a rollback to rec plans the app from.
func Pin(rec SyncRecord) kind.Pin { return kind.Pin{Revision: rec.Revision, Dir: rec.ManifestsDir} }
