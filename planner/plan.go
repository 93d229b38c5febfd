package planner

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/graph"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// PlanOpts are the options of one plan.
type PlanOpts struct {
	Mode    plans.Mode
	Refresh bool
	// Targets limits the plan to these resources and what they depend on.
	Targets []addrs.ResourceInstance
	// Excludes leaves these resources and what depends on them out.
	Excludes []addrs.ResourceInstance
	// Replace forces these instances to be replaced.
	Replace []addrs.ResourceInstance
	// HardRefresh asks sources to drop their caches.
	HardRefresh bool
	// Rollback plans apps from recorded syncs instead of their sources'
	// current revisions (slipway rollback), by app instance address.
	Rollback map[string]SyncRecord
}

// planWalk is the state of one plan.
type planWalk struct {
	*walker
	opts     PlanOpts
	included map[string]bool // resource nodes in scope of -target/-exclude; nil = all

	mu      sync.Mutex
	changes []*plans.ResourceChange
	drift   []*plans.ResourceChange
	outputs []*plans.OutputChange
	// changed holds the resources with a change other than no-op or
	// read, for replace_triggered_by.
	changed map[addrs.Resource]bool
	// pending holds the sources pipelines of this plan will commit to.
	pending map[addrs.Resource][]pendingWrite
}

// Plan makes a plan. The plan is returned even when it has errors (with
// Errored set) so that views can show what was planned.
func (c *Context) Plan(ctx context.Context, opts PlanOpts) (*plans.Plan, hcl.Diagnostics) {
	p := &plans.Plan{
		Mode:           opts.Mode,
		SlipwayVersion: c.Version,
		Timestamp:      time.Now().UTC(),
		PriorLineage:   c.State.Lineage,
		PriorSerial:    c.State.Serial,
		ConfigHash:     ConfigHash(c.Config),
		Variables:      c.Variables,
		Refresh:        opts.Refresh,
	}
	for _, name := range sortedKeys(c.Config.Variables) {
		if c.Config.Variables[name].Sensitive {
			p.SensitiveVariables = append(p.SensitiveVariables, name)
		}
	}
	for _, t := range opts.Targets {
		p.Targets = append(p.Targets, t.String())
	}
	for _, t := range opts.Excludes {
		p.Excludes = append(p.Excludes, t.String())
	}
	for _, t := range opts.Replace {
		p.Replace = append(p.Replace, t.String())
	}

	diags := c.Config.CheckReferences()
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	if opts.Mode == plans.DestroyMode {
		d := c.planDestroy(ctx, p, opts)
		diags = append(diags, d...)
		p.Errored = diags.HasErrors()
		return p, diags
	}

	w := &planWalk{walker: newWalker(c), opts: opts}
	w.rollback = opts.Rollback
	diags = append(diags, w.start(ctx, true)...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	g, d := w.buildGraph(true)
	diags = append(diags, d...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	w.included, d = scopeOf(g, c.Config, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}

	orphans := w.orphans()
	for _, name := range sortedKeys(orphans) {
		g.Add(orphanPrefix + name)
		if pa := orphans[name][0].Provider.String(); g.Has(pa) {
			g.Connect(orphanPrefix+name, pa)
		}
	}
	g.Walk(ctx, 0, func(ctx context.Context, name string) error {
		return w.node(ctx, name, orphans)
	})
	diags = append(diags, w.diags...)

	for _, ch := range append(append([]*plans.ResourceChange(nil), w.changes...), w.drift...) {
		// An app that does not change has no object that changes.
		if isAppType(ch.Type) && ch.Action != plans.NoOp {
			ch.Nested, ch.NestedFrom = nestedChanges(ch), appNestedFrom
		}
	}
	sort.Slice(w.changes, func(i, j int) bool { return w.changes[i].Addr.Less(w.changes[j].Addr) })
	sort.Slice(w.drift, func(i, j int) bool { return w.drift[i].Addr.Less(w.drift[j].Addr) })
	sort.Slice(w.outputs, func(i, j int) bool { return w.outputs[i].Name < w.outputs[j].Name })
	p.Changes, p.Drift, p.Outputs = w.changes, w.drift, w.outputs
	p.Errored = diags.HasErrors()
	return p, diags
}

// scopeOf works out which resource nodes -target and -exclude leave in
// the plan: targets and everything they depend on, minus excluded
// resources and everything that depends on them. nil means all.
func scopeOf(g *graph.Graph, cfg *lang.Config, opts PlanOpts) (map[string]bool, hcl.Diagnostics) {
	if len(opts.Targets) == 0 && len(opts.Excludes) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	in := map[string]bool{}
	if len(opts.Targets) == 0 {
		for _, n := range g.Nodes() {
			in[n] = true
		}
	}
	var addDeps func(n string)
	addDeps = func(n string) {
		if in[n] {
			return
		}
		in[n] = true
		for _, d := range g.DependsOn(n) {
			addDeps(d)
		}
	}
	for _, t := range opts.Targets {
		n := t.Resource.String()
		if !g.Has(n) {
			diags = append(diags, errorf("Target not found", nil, "-target %s names nothing in the configuration.", t))
			continue
		}
		addDeps(n)
	}
	if len(opts.Excludes) > 0 {
		rev := g.Reverse()
		var drop func(n string)
		drop = func(n string) {
			if !in[n] {
				return
			}
			delete(in, n)
			for _, d := range rev.DependsOn(n) {
				drop(d)
			}
		}
		for _, x := range opts.Excludes {
			if x.Key == nil {
				drop(x.Resource.String())
			}
			// An excluded instance (file.a[1]) leaves its block in
			// scope; targeted() leaves the instance out.
		}
	}
	return in, diags
}

// targeted reports whether an instance is in scope. A target naming one
// instance (file.a[1]) limits its block to that instance.
func (w *planWalk) targeted(addr addrs.ResourceInstance) bool {
	if w.included == nil {
		return true
	}
	if !w.included[addr.Resource.String()] {
		return false
	}
	for _, x := range w.opts.Excludes {
		if x == addr {
			return false
		}
	}
	narrowed := false
	for _, t := range w.opts.Targets {
		if t.Resource == addr.Resource && t.Key != nil {
			narrowed = true
			if t == addr {
				return true
			}
		}
		if t.Resource == addr.Resource && t.Key == nil {
			return true
		}
	}
	return !narrowed
}

// orphans groups state instances whose block is gone from configuration,
// by resource address.
func (w *planWalk) orphans() map[string][]*state.ResourceInstance {
	out := map[string][]*state.ResourceInstance{}
	for _, ri := range w.c.State.Resources {
		k := ri.Addr.Resource.String()
		if w.cfg.Resources[k] == nil {
			out[k] = append(out[k], ri)
		}
	}
	return out
}

func (w *planWalk) addChange(ch *plans.ResourceChange) {
	w.mu.Lock()
	w.changes = append(w.changes, ch)
	if ch.Action != plans.NoOp && ch.Action != plans.Read {
		if w.changed == nil {
			w.changed = map[addrs.Resource]bool{}
		}
		w.changed[ch.Addr.Resource] = true
	}
	w.mu.Unlock()
}

// triggered names the first resource in rc's replace_triggered_by that
// this plan changes, or "". Those resources are planned before rc, since
// the expressions are among its references.
func (w *planWalk) triggered(rc *lang.Resource) string {
	for _, e := range rc.Lifecycle.ReplaceTriggeredBy {
		refs, _ := lang.ReferencesInExpr(e)
		for _, ref := range refs {
			r, ok := refResource(ref)
			if !ok {
				continue
			}
			w.mu.Lock()
			hit := w.changed[r]
			w.mu.Unlock()
			if hit {
				return r.String()
			}
		}
	}
	return ""
}

func (w *planWalk) node(ctx context.Context, name string, orphans map[string][]*state.ResourceInstance) error {
	switch {
	case strings.HasPrefix(name, localPrefix):
		l := w.cfg.Locals[strings.TrimPrefix(name, localPrefix)]
		v, d := w.scope.evalExpr(l.Expr, nil)
		w.vals.setLocal(l.Name, v)
		return w.nodeErr(d)
	case strings.HasPrefix(name, providerPrefix):
		return w.nodeErr(w.configureProvider(ctx, providerAddr(name)))
	case strings.HasPrefix(name, outputPrefix):
		return w.nodeErr(w.planOutput(w.cfg.Outputs[strings.TrimPrefix(name, outputPrefix)]))
	case strings.HasPrefix(name, orphanPrefix):
		return w.nodeErr(w.planOrphans(ctx, orphans[strings.TrimPrefix(name, orphanPrefix)]))
	}
	rc := w.cfg.Resources[name]
	switch rc.Addr.Kind {
	case addrs.Managed, addrs.App:
		return w.nodeErr(w.planManaged(ctx, rc))
	case addrs.Source:
		return w.nodeErr(w.planSource(ctx, rc))
	case addrs.Pipeline:
		return w.nodeErr(w.planPipeline(ctx, rc))
	default:
		return w.nodeErr(w.planLowered(rc))
	}
}

// providerAddr parses a provider node name.
func providerAddr(name string) addrs.Provider {
	parts := strings.SplitN(strings.TrimPrefix(name, providerPrefix), ".", 2)
	pa := addrs.Provider{Name: parts[0]}
	if len(parts) == 2 {
		pa.Alias = parts[1]
	}
	return pa
}

// planLowered handles rollout blocks: their references are checked and
// they take part in ordering, but this version has no planner for them,
// so they propose nothing and say so.
func (w *planWalk) planLowered(rc *lang.Resource) hcl.Diagnostics {
	_, diags := w.resourceRefs(rc)
	w.vals.setResource(rc.Addr, cty.DynamicVal)
	r := rc.DeclRange
	return append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("%s blocks are not planned yet", rc.Addr.Kind),
		Detail:   fmt.Sprintf("%s is parsed and ordered in the graph, but this version of slipway proposes no changes for %s blocks; its effects are not in this plan.", rc.Addr, rc.Addr.Kind),
		Subject:  &r,
	})
}

// planOutput evaluates an output and compares it with state.
func (w *planWalk) planOutput(o *lang.Output) hcl.Diagnostics {
	v, diags := w.scope.evalExpr(o.Expr, nil)
	if diags.HasErrors() {
		return diags
	}
	if w.readsPending(o) {
		// It reads a source a pipeline of this plan commits to: its value
		// is the one after the promote.
		v = cty.UnknownVal(v.Type())
	}
	v, paths := unmarkSensitive(v)
	sensitive := o.Sensitive
	if len(paths) > 0 && !o.Sensitive {
		r := o.DeclRange
		return append(diags, errorDiag("Output refers to sensitive values",
			"The value of output \""+o.Name+"\" includes values from sensitive variables. Add sensitive = true to the output block to show it is intended.", &r))
	}
	oc := &plans.OutputChange{Name: o.Name, After: v, Sensitive: sensitive, Before: cty.NullVal(cty.DynamicPseudoType)}
	prior, ok := w.c.State.Outputs[o.Name]
	switch {
	case !ok:
		oc.Action = plans.Create
	case sameValue(prior.Value, v):
		oc.Action, oc.Before = plans.NoOp, prior.Value
	default:
		oc.Action, oc.Before = plans.Update, prior.Value
	}
	w.mu.Lock()
	w.outputs = append(w.outputs, oc)
	w.mu.Unlock()
	return diags
}

// planSource resolves a source through its provider. The change is a
// read: it shows what moved since the last apply, and never counts as a
// change to apply.
func (w *planWalk) planSource(ctx context.Context, rc *lang.Resource) hcl.Diagnostics {
	schema, _ := w.schemaOf(rc.Addr, rc.Provider)
	addr := rc.Addr.Instance(addrs.NoKey)
	prior := w.c.State.Resources[addr.String()]
	if !w.targeted(addr) {
		if prior != nil {
			w.vals.setResource(rc.Addr, prior.Value)
		}
		return nil
	}
	cfgVal, sens, diags := w.evalResourceConfig(rc, schema, instance{addr: addr})
	if diags.HasErrors() {
		return diags
	}
	priorVal := cty.NullVal(schema.ImpliedType())
	if prior != nil {
		priorVal = prior.Value
	}
	conn := w.conns[rc.Provider]
	resps, err := conn.sources.Do(ctx, []sdk.SourceReadRequest{{
		Address: addr.String(), TypeName: typeOf(rc), Config: cfgVal, PriorState: priorVal, Hard: w.opts.HardRefresh,
	}})
	r := rc.DeclRange
	if err != nil {
		return append(diags, errorf("Source read failed", &r, "Reading %s through provider %q: %v", addr, rc.Provider.Name, err))
	}
	resp := resps[0]
	diags = append(diags, providerDiags(resp.Diagnostics, addr.String(), &r)...)
	if diags.HasErrors() {
		return diags
	}
	after := fillObject(schema, resp.State)
	ch := &plans.ResourceChange{
		Addr: addr, Provider: rc.Provider, Type: typeOf(rc),
		Before: priorVal, After: after, BeforeSensitive: sens, AfterSensitive: sens,
	}
	if prior == nil || !sameValue(priorVal, after) {
		ch.Action = plans.Read
		if prior != nil {
			ch.ReasonDetail = sourceMoved(addr, priorVal, after)
		}
	}
	w.addChange(ch)
	w.vals.setResource(rc.Addr, after)
	return diags
}

// planManaged plans every instance of a resource block in one batch.
func (w *planWalk) planManaged(ctx context.Context, rc *lang.Resource) hcl.Diagnostics {
	schema, _ := w.schemaOf(rc.Addr, rc.Provider)
	conn := w.conns[rc.Provider]
	insts, diags := w.expand(rc)
	if diags.HasErrors() {
		return diags
	}
	current := map[string]bool{}
	for _, in := range insts {
		current[in.addr.String()] = true
	}
	// Instances in state that count or for_each no longer produce.
	var gone []*state.ResourceInstance
	for _, ri := range w.prior[rc.Addr] {
		if !current[ri.Addr.String()] {
			gone = append(gone, ri)
		}
	}

	type pending struct {
		in         instance
		prior      *state.ResourceInstance
		before     cty.Value // refreshed prior, or null
		beforeSens []cty.Path
		config     cty.Value
		sens       []cty.Path
		skipped    bool
		// refreshed: before is what the provider's refresh returned, and
		// the provider still holds it for the plan.
		refreshed bool
	}
	items := make([]*pending, 0, len(insts))
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		it := &pending{in: in, prior: w.c.State.Resources[in.addr.String()], before: cty.NullVal(schema.ImpliedType())}
		if it.prior != nil {
			it.before, it.beforeSens = it.prior.Value, it.prior.Sensitive
		}
		items = append(items, it)
		if !w.targeted(in.addr) {
			it.skipped = true
			vals[i] = it.before
			continue
		}
		cfgVal, sens, d := w.evalResourceConfig(rc, schema, in)
		diags = append(diags, d...)
		it.config, it.sens = cfgVal, sens
	}
	if diags.HasErrors() {
		return diags
	}
	r := rc.DeclRange

	// Refresh what exists, in one batch.
	if w.opts.Refresh {
		var reqs []sdk.ReadRequest
		var idx []int
		for i, it := range items {
			if it.prior != nil && !it.skipped {
				reqs = append(reqs, sdk.ReadRequest{Address: it.in.addr.String(), TypeName: typeOf(rc), State: it.prior.Value, Private: it.prior.Private})
				idx = append(idx, i)
			}
		}
		resps, err := conn.read.Do(ctx, reqs)
		if err != nil {
			return append(diags, errorf("Refresh failed", &r, "Reading %s through provider %q: %v", rc.Addr, rc.Provider.Name, err))
		}
		for j, resp := range resps {
			it := items[idx[j]]
			diags = append(diags, providerDiags(resp.Diagnostics, it.in.addr.String(), &r)...)
			it.beforeSens = append(append([]cty.Path(nil), it.prior.Sensitive...), resp.SensitivePaths...)
			if resp.Unchanged {
				// Nothing changed outside: the prior value stands, and the
				// provider keeps it for the plan.
				it.before, it.refreshed = it.prior.Value, !resp.Diagnostics.HasErrors()
				continue
			}
			it.before = fillObject(schema, resp.NewState)
			it.refreshed = !resp.Diagnostics.HasErrors() && !resp.NewState.IsNull()
			if resp.NewState.IsNull() {
				it.before = cty.NullVal(schema.ImpliedType())
			}
			if !sameValue(it.prior.Value, it.before) {
				d := &plans.ResourceChange{
					Addr: it.in.addr, Provider: rc.Provider, Type: typeOf(rc),
					Action: plans.Update, Before: it.prior.Value, After: it.before,
					BeforeSensitive: it.prior.Sensitive, AfterSensitive: it.beforeSens,
				}
				if it.before.IsNull() {
					d.Action = plans.Delete
				}
				w.mu.Lock()
				w.drift = append(w.drift, d)
				w.mu.Unlock()
			}
		}
		if diags.HasErrors() {
			return diags
		}
	}

	// Plan every instance in scope, in one batch.
	var reqs []sdk.PlanRequest
	var idx []int
	for i, it := range items {
		if it.skipped {
			continue
		}
		cfg := ignoreChanges(it.config, it.before, ignoredNames(rc, schema))
		it.config = cfg
		var priv []byte
		if it.prior != nil {
			priv = it.prior.Private
		}
		// The provider computes the proposed new state itself, and keeps
		// the prior state from its refresh: neither crosses again.
		reqs = append(reqs, sdk.PlanRequest{
			Address: it.in.addr.String(), TypeName: typeOf(rc), Config: cfg,
			PriorState: it.before, PriorPrivate: priv, PriorFromRefresh: it.refreshed,
		})
		idx = append(idx, i)
	}
	resps, err := conn.plan.Do(ctx, reqs)
	if err != nil {
		return append(diags, errorf("Plan failed", &r, "Planning %s through provider %q: %v", rc.Addr, rc.Provider.Name, err))
	}
	var replaceReqs []sdk.PlanRequest
	var replaceIdx []int
	changes := make([]*plans.ResourceChange, len(items))
	trigger := w.triggered(rc)
	for j, resp := range resps {
		i := idx[j]
		it := items[i]
		addr := it.in.addr
		diags = append(diags, providerDiags(resp.Diagnostics, addr.String(), &r)...)
		if resp.Diagnostics.HasErrors() {
			continue
		}
		planned := resp.PlannedState
		if err := checkPlanned(schema, it.config, planned); err != nil {
			diags = append(diags, errorf("Provider produced an invalid plan", &r, "Provider %q planned %s wrongly: %v. This is a bug in the provider.", rc.Provider.Name, addr, err))
			continue
		}
		ch := &plans.ResourceChange{
			Addr: addr, Provider: rc.Provider, Type: typeOf(rc),
			Before: it.before, After: planned, Private: resp.PlannedPrivate,
			BeforeSensitive: it.beforeSens, AfterSensitive: append(append([]cty.Path(nil), it.sens...), resp.SensitivePaths...),
			RequiresReplace: resp.RequiresReplace,
		}
		replace := false
		switch {
		case it.before.IsNull():
			ch.Action, ch.Reason = plans.Create, plans.ReasonNew
			if it.prior != nil {
				ch.Reason, ch.ReasonDetail = plans.ReasonDeletedOutside, "it was deleted outside slipway"
			}
		case slices.Contains(w.opts.Replace, addr):
			replace, ch.Reason = true, plans.ReasonReplaceRequested
		case it.prior != nil && it.prior.Tainted:
			replace, ch.Reason = true, plans.ReasonTainted
		case trigger != "":
			replace, ch.Reason, ch.ReasonDetail = true, plans.ReasonReplaceTriggered, trigger+" changes (lifecycle.replace_triggered_by)"
		case len(resp.RequiresReplace) > 0:
			replace, ch.Reason = true, plans.ReasonReplaceAttrs
		case resp.Unchanged || sameValue(it.before, planned):
			ch.Action = plans.NoOp
		default:
			ch.Action, ch.Reason = plans.Update, plans.ReasonConfigChanged
			if it.prior != nil && sameValue(it.prior.Value, planned) {
				ch.Reason, ch.ReasonDetail = plans.ReasonDrift, "it was changed outside slipway"
			}
		}
		if replace {
			ch.Action = plans.DeleteThenCreate
			if rc.Lifecycle.CreateBeforeDestroy {
				ch.Action = plans.CreateThenDelete
			}
			replaceReqs = append(replaceReqs, sdk.PlanRequest{
				Address: addr.String(), TypeName: typeOf(rc), Config: it.config,
				PriorState: cty.NullVal(schema.ImpliedType()), ProposedNewState: it.config,
			})
			replaceIdx = append(replaceIdx, i)
		}
		if (ch.Action == plans.Delete || ch.Action.IsReplace()) && rc.Lifecycle.PreventDestroy {
			diags = append(diags, errorf("Instance cannot be destroyed", &r,
				"%s has lifecycle.prevent_destroy set, but the plan would %s it. Remove prevent_destroy or change the plan so it keeps the object.", addr, ch.Action))
		}
		changes[i] = ch
	}
	// A replaced object is created anew: plan it as such, so that values
	// the provider computes show as known after apply.
	if len(replaceReqs) > 0 {
		resps, err := conn.plan.Do(ctx, replaceReqs)
		if err != nil {
			return append(diags, errorf("Plan failed", &r, "Planning the replacement of %s: %v", rc.Addr, err))
		}
		for j, resp := range resps {
			diags = append(diags, providerDiags(resp.Diagnostics, replaceReqs[j].Address, &r)...)
			ch := changes[replaceIdx[j]]
			ch.After, ch.Private = resp.PlannedState, resp.PlannedPrivate
			ch.AfterSensitive = append(append([]cty.Path(nil), items[replaceIdx[j]].sens...), resp.SensitivePaths...)
		}
	}
	promoted := w.pendingFor(rc)
	for i, ch := range changes {
		if ch == nil {
			if !items[i].skipped {
				vals[i] = cty.DynamicVal
			}
			continue
		}
		for _, src := range sortedResources(promoted) {
			afterPromote(ch, src, promoted[src])
		}
		vals[i] = ch.After
		w.addChange(ch)
	}
	for _, ri := range gone {
		if !w.targeted(ri.Addr) {
			continue
		}
		reason := plans.ReasonCountIndex
		if _, ok := ri.Addr.Key.(addrs.StringKey); ok {
			reason = plans.ReasonEachKey
		}
		if rc.Lifecycle.PreventDestroy {
			diags = append(diags, errorf("Instance cannot be destroyed", &r, "%s has lifecycle.prevent_destroy set, but its instance %s is no longer declared.", rc.Addr, ri.Addr))
		}
		w.addChange(deleteChange(ri, reason))
	}
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
	return diags
}

// ignoredNames lists the top-level attributes whose changes lifecycle
// ignore_changes tells slipway to ignore once the object exists: all the
// attributes the user may set for ignore_changes = all. A path into an
// attribute (labels["x"]) ignores the whole attribute.
func ignoredNames(rc *lang.Resource, schema sdk.Schema) []string {
	if rc.Lifecycle.IgnoreAllChanges {
		var out []string
		for name, a := range schema.Attributes {
			if a.Required || a.Optional {
				out = append(out, name)
			}
		}
		return out
	}
	var out []string
	for _, t := range rc.Lifecycle.IgnoreChanges {
		out = append(out, t.RootName())
	}
	return out
}

// planOrphans plans the deletion of resources gone from configuration.
func (w *planWalk) planOrphans(ctx context.Context, insts []*state.ResourceInstance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, ri := range insts {
		if !w.targeted(ri.Addr) {
			continue
		}
		if ri.Addr.Resource.Kind == addrs.Pipeline {
			// A pipeline's runs left images and commits that stay; state
			// forgets the pipeline.
			w.addChange(deleteChange(ri, plans.ReasonRemoved))
			continue
		}
		if !managedByProvider(ri.Addr.Resource) {
			continue
		}
		if ri.Addr.Resource.Kind == addrs.Source {
			// Sources are only read; forgetting one deletes nothing.
			w.addChange(&plans.ResourceChange{Addr: ri.Addr, Provider: ri.Provider, Type: ri.Type, Action: plans.Delete, Reason: plans.ReasonRemoved, Before: ri.Value, After: cty.NullVal(ri.Value.Type())})
			continue
		}
		before := ri.Value
		if w.opts.Refresh {
			conn := w.conns[ri.Provider]
			resps, err := conn.read.Do(ctx, []sdk.ReadRequest{{Address: ri.Addr.String(), TypeName: ri.Type, State: ri.Value, Private: ri.Private}})
			if err != nil {
				diags = append(diags, errorf("Refresh failed", nil, "Reading %s: %v", ri.Addr, err))
				continue
			}
			diags = append(diags, providerDiags(resps[0].Diagnostics, ri.Addr.String(), nil)...)
			before = resps[0].NewState
		}
		ch := deleteChange(ri, plans.ReasonRemoved)
		if before.IsNull() {
			// Already gone: nothing to delete, but state must forget it.
			ch.Action, ch.Before = plans.Delete, ri.Value
		} else {
			ch.Before = before
		}
		w.addChange(ch)
	}
	return diags
}

func deleteChange(ri *state.ResourceInstance, reason plans.Reason) *plans.ResourceChange {
	return &plans.ResourceChange{
		Addr: ri.Addr, Provider: ri.Provider, Type: ri.Type, Action: plans.Delete, Reason: reason,
		Before: ri.Value, After: cty.NullVal(ri.Value.Type()), BeforeSensitive: ri.Sensitive,
	}
}

// planDestroy plans the deletion of everything in state.
func (c *Context) planDestroy(ctx context.Context, p *plans.Plan, opts PlanOpts) hcl.Diagnostics {
	w := &planWalk{walker: newWalker(c), opts: opts}
	diags := w.start(ctx, false)
	if diags.HasErrors() {
		return diags
	}
	matches := func(t addrs.ResourceInstance, ri *state.ResourceInstance) bool {
		return t == ri.Addr || (t.Key == nil && t.Resource == ri.Addr.Resource)
	}
	for _, ri := range c.State.Resources {
		if len(opts.Targets) > 0 && !slices.ContainsFunc(opts.Targets, func(t addrs.ResourceInstance) bool { return matches(t, ri) }) {
			continue
		}
		if slices.ContainsFunc(opts.Excludes, func(t addrs.ResourceInstance) bool { return matches(t, ri) }) {
			continue
		}
		reason := plans.ReasonDestroy
		if rc := c.Config.Resources[ri.Addr.Resource.String()]; rc != nil && rc.Lifecycle.PreventDestroy {
			r := rc.DeclRange
			diags = append(diags, errorf("Instance cannot be destroyed", &r, "%s has lifecycle.prevent_destroy set. Remove it to destroy this object.", ri.Addr))
		}
		p.Changes = append(p.Changes, deleteChange(ri, reason))
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Addr.Less(p.Changes[j].Addr) })
	for _, ch := range p.Changes {
		if isAppType(ch.Type) {
			ch.Nested, ch.NestedFrom = nestedChanges(ch), appNestedFrom
		}
	}
	for name, o := range c.State.Outputs {
		p.Outputs = append(p.Outputs, &plans.OutputChange{Name: name, Action: plans.Delete, Before: o.Value, After: cty.NullVal(o.Value.Type()), Sensitive: o.Sensitive})
	}
	sort.Slice(p.Outputs, func(i, j int) bool { return p.Outputs[i].Name < p.Outputs[j].Name })
	return diags
}

// readsPending reports whether an output reads a source that a pipeline
// of this plan will commit to.
func (w *planWalk) readsPending(o *lang.Output) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return false
	}
	refs, _ := o.References()
	for _, ref := range refs {
		if r, ok := refResource(ref); ok && len(w.pending[r]) > 0 {
			return true
		}
	}
	return false
}

// pendingFor returns the pending writes to sources an app reads.
func (w *planWalk) pendingFor(rc *lang.Resource) map[addrs.Resource][]pendingWrite {
	if rc.Addr.Kind != addrs.App {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	refs, _ := w.resourceRefs(rc)
	out := map[addrs.Resource][]pendingWrite{}
	for _, ref := range refs {
		r, ok := refResource(ref)
		if !ok {
			continue
		}
		if pws, ok := w.pending[r]; ok {
			out[r] = pws
		}
	}
	return out
}

func sortedResources[V any](m map[addrs.Resource]V) []addrs.Resource {
	out := make([]addrs.Resource, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sourceMoved says how a source changed since the last apply: for
// sources that resolve to a commit or digest, from which to which.
func sourceMoved(addr addrs.ResourceInstance, before, after cty.Value) string {
	for _, name := range []string{"short_commit", "digest", "version"} {
		if before.Type().IsObjectType() && before.Type().HasAttribute(name) && after.Type().HasAttribute(name) {
			b, a := before.GetAttr(name), after.GetAttr(name)
			if b.IsKnown() && a.IsKnown() && !b.IsNull() && !a.IsNull() && b.Type() == cty.String && a.Type() == cty.String && !b.RawEquals(a) {
				return fmt.Sprintf("%s moved %s -> %s", addr, b.AsString(), a.AsString())
			}
		}
	}
	return fmt.Sprintf("%s changed since the last apply", addr)
}
