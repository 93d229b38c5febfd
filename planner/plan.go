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

package planner

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/graph"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
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
	// Pins plan instances from recorded revisions instead of their
	// sources' current ones (slipway rollback), by instance address.
	Pins map[string]kind.Pin
	// Offline plans without reaching the cluster (plan -offline): nothing
	// is refreshed, providers are configured offline, and the instances
	// of providers that cannot plan so are left as state has them and
	// listed in Plan.NotPlanned. The plan is a preview: never applied.
	Offline bool
	// LocalSources reads sources from local checkouts instead of their
	// remotes (plan -source NAME=DIR): by the name the user gave (NAME,
	// TYPE.NAME or source.TYPE.NAME), the directory. The plan is a
	// preview: never applied.
	LocalSources map[string]string
	// RolloutRequests are the one-off requests of `slipway rollout`
	// (builtin.RolloutPromote, ...) for the rollouts of these app
	// instances; kinds read them through kind.PlanHost.RolloutRequest.
	RolloutRequests map[addrs.ResourceInstance]string
	// HoldDrift plans these instances as no change when their only
	// change is drift (the refresh found them changed outside slipway,
	// their configuration unchanged): the drift is shown and left as it
	// is, as slipway reconcile leaves apps that do not self-heal. Unlike
	// Excludes, what depends on them is planned as usual.
	HoldDrift []addrs.ResourceInstance
}

// planWalk is the state of one plan.
type planWalk struct {
	*walker
	opts     PlanOpts
	included map[node]bool // resource nodes in scope of -target/-exclude; nil = all

	mu      sync.Mutex
	changes []*plans.ResourceChange
	drift   []*plans.ResourceChange
	outputs []*plans.OutputChange
	// changedOf and changedInst hold the changes other than no-op or
	// read, by resource and by instance address, for
	// replace_triggered_by.
	changedOf   map[addrs.Resource][]*plans.ResourceChange
	changedInst map[string]*plans.ResourceChange
	// writes holds the sources blocks of this plan will commit to.
	writes map[addrs.Resource][]kind.Write
	// localDirs are the checkouts sources are read from, by address;
	// local and notPlanned are what the plan reports of them and of what
	// an offline plan could not plan.
	localDirs  map[string]string
	local      []plans.LocalSource
	notPlanned []string
	// early are the refreshes begun as their providers were configured
	// (earlyread.go).
	early earlyReads
}

// Plan makes a plan. The plan is returned even when it has errors (with
// Errored set) so that views can show what was planned.
func (c *Context) Plan(ctx context.Context, opts PlanOpts) (*plans.Plan, hcl.Diagnostics) {
	p := &plans.Plan{
		Mode:           opts.Mode,
		SlipwayVersion: c.Version,
		Timestamp:      time.Now().UTC(),
		Workspace:      c.workspace(),
		PriorLineage:   c.State.Lineage,
		PriorSerial:    c.State.Serial,
		PriorJournal:   c.JournalMark,
		ConfigHash:     ConfigHash(c.Config),
		Variables:      c.Variables,
		Refresh:        opts.Refresh,
		Offline:        opts.Offline,
	}
	if opts.Offline {
		// A refresh reads the live objects: offline, state stands for them.
		opts.Refresh, p.Refresh = false, false
	}
	for _, name := range kind.SortedKeys(c.Config.Variables) {
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
	localDirs, d := resolveLocalSources(c.Config, opts.LocalSources)
	diags = append(diags, d...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	// Changes an interrupted apply left unfinished are read back first:
	// what they made is planned as existing, never made a second time.
	if len(c.Pending) > 0 && opts.Offline {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Interrupted changes not read back",
			Detail: fmt.Sprintf("An interrupted apply left %d changes unfinished. They are read back through their providers, which an offline plan does not reach: this plan compares with the state as it was recorded. Run slipway plan with cluster access to resolve them.", len(c.Pending))})
	} else if len(c.Pending) > 0 {
		st, interrupted, d := c.recoverPending(ctx, c.State)
		diags = append(diags, d...)
		if diags.HasErrors() {
			p.Errored = true
			return p, diags
		}
		p.Interrupted = interrupted
		cc := *c
		cc.State = st
		c = &cc
	}
	// Terraform's implied moves (count added to a block, or taken off):
	// the plan is made from state with them done, and applying it does
	// them first.
	var moves map[string]addrs.ResourceInstance
	if opts.Mode != plans.DestroyMode {
		if moves = impliedMoves(c.Config, c.State); len(moves) > 0 {
			st := c.State.DeepCopy()
			if err := moveInstances(st, c.Kinds, moves); err != nil {
				p.Errored = true
				return p, append(diags, kind.ErrorDiag("Cannot move instances", err.Error(), nil))
			}
			cc := *c
			cc.State = st
			c = &cc
		}
	}
	if opts.Mode == plans.DestroyMode {
		d := c.planDestroy(ctx, p, opts)
		diags = append(diags, d...)
		p.Errored = diags.HasErrors()
		return p, diags
	}

	w := &planWalk{walker: newWalker(c), opts: opts, localDirs: localDirs}
	if c.Memo != nil {
		c.Memo.nextPlan()
		w.memo = c.Memo
	}
	w.pins = opts.Pins
	w.offline = opts.Offline
	diags = append(diags, w.start(ctx, true)...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}
	p.Upgraded, d = w.upgradeStates(ctx)
	diags = append(diags, d...)
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
	w.included, d = scopeOf(g, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		p.Errored = true
		return p, diags
	}

	orphans := w.orphans()
	for _, name := range kind.SortedKeys(orphans) {
		g.Add(deleteKey(name))
		if pa := providerKey(orphans[name][0].Provider); g.Has(pa) {
			g.Connect(deleteKey(name), pa)
		}
	}
	results := g.Walk(ctx, 0, func(ctx context.Context, n node) error {
		return w.guarded(n, func() error { return w.node(ctx, n, orphans) })
	})
	w.stopEarly()
	diags = append(diags, w.diags...)
	diags = append(diags, notRun(results)...)
	// An output gone from the configuration goes from state, as in
	// Terraform; a plan limited by -target or -exclude leaves it.
	if len(opts.Targets) == 0 && len(opts.Excludes) == 0 {
		for _, name := range kind.SortedKeys(c.State.Outputs) {
			if _, declared := c.Config.Outputs[name]; !declared {
				o := c.State.Outputs[name]
				w.outputs = append(w.outputs, &plans.OutputChange{Name: name, Action: plans.Delete, Before: o.Value, After: cty.NullVal(o.Value.Type()), Sensitive: o.Sensitive})
			}
		}
	}

	for _, ch := range append(append([]*plans.ResourceChange(nil), w.changes...), w.drift...) {
		// A change that changes nothing holds no change of its own.
		if ch.Action != plans.NoOp {
			w.nest(ch)
		}
	}
	w.markLocal(w.changes)
	w.markLocal(w.drift)
	for _, ch := range w.changes {
		if from, ok := moves[ch.Addr.String()]; ok {
			ch.PreviousAddr = &from
		}
	}
	sort.Slice(w.changes, func(i, j int) bool { return w.changes[i].Addr.Less(w.changes[j].Addr) })
	sort.Slice(w.drift, func(i, j int) bool { return w.drift[i].Addr.Less(w.drift[j].Addr) })
	sort.Slice(w.outputs, func(i, j int) bool { return w.outputs[i].Name < w.outputs[j].Name })
	p.Changes, p.Drift, p.Outputs = w.changes, w.drift, w.outputs
	sort.Slice(w.local, func(i, j int) bool { return w.local[i].Addr < w.local[j].Addr })
	sort.Strings(w.notPlanned)
	p.LocalSources, p.NotPlanned = w.local, w.notPlanned
	if len(p.NotPlanned) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Not planned offline",
			Detail: fmt.Sprintf("These instances belong to providers that cannot plan without reaching what they manage, so this offline plan leaves them as state recorded them:\n  %s", strings.Join(p.NotPlanned, "\n  "))})
	}
	p.Errored = diags.HasErrors()
	return p, diags
}

// scopeOf works out which resource nodes -target and -exclude leave in
// the plan: targets and everything they depend on, minus excluded
// resources and everything that depends on them. nil means all.
func scopeOf(g *graph.Graph[node], opts PlanOpts) (map[node]bool, hcl.Diagnostics) {
	if len(opts.Targets) == 0 && len(opts.Excludes) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	in := map[node]bool{}
	if len(opts.Targets) == 0 {
		for _, n := range g.Nodes() {
			in[n] = true
		}
	}
	var addDeps func(n node)
	addDeps = func(n node) {
		if in[n] {
			return
		}
		in[n] = true
		for _, d := range g.DependsOn(n) {
			addDeps(d)
		}
	}
	for _, t := range opts.Targets {
		n := resourceKey(t.Resource)
		if !g.Has(n) {
			diags = append(diags, kind.Errorf("Target not found", nil, "-target %s names nothing in the configuration.", t))
			continue
		}
		addDeps(n)
	}
	if len(opts.Excludes) > 0 {
		rev := g.Reverse()
		var drop func(n node)
		drop = func(n node) {
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
				drop(resourceKey(x.Resource))
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
	if !w.included[resourceKey(addr.Resource)] {
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
	if ch.Action != plans.Delete {
		// Expressions that refer to it see its sensitive values marked.
		w.vals.setSensitive(ch.Addr, ch.AfterSensitive)
	}
	w.mu.Lock()
	w.changes = append(w.changes, ch)
	if ch.Action != plans.NoOp && ch.Action != plans.Read {
		if w.changedOf == nil {
			w.changedOf, w.changedInst = map[addrs.Resource][]*plans.ResourceChange{}, map[string]*plans.ResourceChange{}
		}
		w.changedOf[ch.Addr.Resource] = append(w.changedOf[ch.Addr.Resource], ch)
		w.changedInst[ch.Addr.String()] = ch
	}
	w.mu.Unlock()
}

func (w *planWalk) node(ctx context.Context, n node, orphans map[string][]*state.ResourceInstance) error {
	switch n.kind {
	case localNode:
		return w.evalLocal(n)
	case providerNode:
		d := w.configureProvider(ctx, n.provider)
		if !d.HasErrors() {
			w.readEarly(ctx, n.provider)
		}
		return w.nodeErr(d)
	case outputNode:
		return w.nodeErr(w.planOutput(w.cfg.Outputs[n.name]))
	case deleteNode:
		return w.nodeErr(w.planOrphans(ctx, orphans[n.name]))
	}
	rc := w.cfg.Resources[n.resource.String()]
	switch rc.Addr.Kind {
	case addrs.Managed:
		return w.nodeErr(w.planManaged(ctx, rc, resourceLowering(rc)))
	case addrs.Source:
		return w.nodeErr(w.planSource(ctx, rc))
	}
	if k := w.kinds[rc.Addr.Kind]; k != nil {
		return w.nodeErr(k.Plan(ctx, w, rc))
	}
	w.vals.setResource(rc.Addr, cty.DynamicVal)
	return nil
}

// markLocal names in each change the Local attributes of its type's
// schema, for the views to leave out.
func (w *walker) markLocal(chs []*plans.ResourceChange) {
	for _, ch := range chs {
		if ch.Type == "" {
			continue
		}
		if s, ok := w.typeSchema(ch.Addr.Resource.Kind == addrs.Source, ch.Provider, ch.Type); ok {
			ch.Local = s.LocalAttributes()
		}
	}
}

// nest breaks a change into the changes of what it holds, when a kind
// says it holds some.
func (w *walker) nest(ch *plans.ResourceChange) {
	for _, k := range w.kinds {
		if n, ok := k.(kind.Nester); ok {
			if nested, from, ok := n.Nested(ch); ok {
				ch.Nested, ch.NestedFrom = nested, from
				return
			}
		}
	}
}

// resourceLowering is how the engine plans a resource block: as its own
// type, from its body.
func resourceLowering(rc *lang.Resource) kind.Lowering {
	return kind.Lowering{Type: rc.Addr.Type}
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
		return append(diags, kind.ErrorDiag("Output refers to sensitive values",
			"The value of output \""+o.Name+"\" includes values from sensitive variables. Add sensitive = true to the output block to show it is intended.", &r))
	}
	oc := &plans.OutputChange{Name: o.Name, After: v, Sensitive: sensitive, Before: cty.NullVal(cty.DynamicPseudoType)}
	prior, ok := w.c.State.Outputs[o.Name]
	if ok && prior.Sensitive {
		// Its value before was sensitive: the change shows neither side,
		// as Terraform's shows an attribute that is sensitive on either.
		// State takes the sensitivity the configuration gives.
		oc.Sensitive = true
	}
	switch {
	case !ok:
		oc.Action = plans.Create
	case kind.SameValue(prior.Value, v):
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
	localDir := w.localDirs[addr.String()]
	notPlanned := w.notOffline(rc.Provider) && localDir == ""
	if !w.targeted(addr) || notPlanned {
		if notPlanned && w.targeted(addr) {
			w.addNotPlanned(addr.String())
		}
		if prior != nil {
			w.vals.setResource(rc.Addr, prior.Value)
		}
		return nil
	}
	cfgVal, sens, diags := w.evalResourceConfig(rc, schema, kind.Instance{Addr: addr}, bodyConfig)
	if diags.HasErrors() {
		return diags
	}
	priorVal := cty.NullVal(schema.ImpliedType())
	if prior != nil {
		priorVal = prior.Value
	}
	conn := w.conn(rc.Provider)
	resps, err := conn.sources.Do(ctx, []sdk.SourceReadRequest{{
		Address: addr.String(), TypeName: rc.Addr.Type, Config: cfgVal, PriorState: priorVal, Hard: w.opts.HardRefresh && localDir == "",
		LocalDir: localDir,
	}})
	r := rc.DeclRange
	if err != nil {
		return append(diags, kind.Errorf("Source read failed", &r, "Reading %s through provider %q: %v", addr, rc.Provider.Name, err))
	}
	resp := resps[0]
	diags = append(diags, providerDiagsIn(resp.Diagnostics, addr.String(), &r, rc.Config)...)
	if diags.HasErrors() {
		return diags
	}
	after := fillObject(schema, resp.State)
	ch := &plans.ResourceChange{
		Addr: addr, Provider: rc.Provider, Type: rc.Addr.Type,
		Before: priorVal, After: after, BeforeSensitive: sens, AfterSensitive: sens,
	}
	// A checkout at another path (another machine, or a fresh cache) of
	// the same commit is no read: only Local attributes moved.
	if prior == nil || !sameButLocal(schema, priorVal, after) {
		ch.Action = plans.Read
		if prior != nil {
			ch.ReasonDetail = sourceMoved(addr, priorVal, after)
		}
	}
	if localDir != "" {
		rev := resp.LocalRevision
		if rev == "" {
			rev = "(the provider did not say)"
		}
		ch.ReasonDetail = fmt.Sprintf("read from the local checkout %s at %s, not from its remote", localDir, rev)
		w.mu.Lock()
		w.local = append(w.local, plans.LocalSource{Addr: addr.String(), Dir: localDir, Revision: rev})
		w.mu.Unlock()
	}
	w.addChange(ch)
	w.vals.setResource(rc.Addr, after)
	return diags
}

// PlanResource plans a block lowered to a provider resource.
func (w *planWalk) PlanResource(ctx context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	return w.planManaged(ctx, rc, l)
}

// planManaged plans every instance of a block lowered to a provider
// resource (a resource block is lowered to itself), in one batch.
func (w *planWalk) planManaged(ctx context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	schema, ok := w.typeSchema(false, rc.Provider, l.Type)
	conn := w.conn(rc.Provider)
	if !ok || conn == nil {
		// start reported it already.
		return nil
	}
	config := configFunc(bodyConfig)
	body := rc.Config
	if l.Config != nil {
		// A kind's lowering: its body is not the resource's.
		config, body = l.Config, nil
	}
	typeName := l.Type
	insts, diags := w.takeExpanded(rc)
	if diags.HasErrors() {
		return diags
	}
	current := map[string]bool{}
	for _, in := range insts {
		current[in.Addr.String()] = true
	}
	// Instances in state that count or for_each no longer produce.
	var gone []*state.ResourceInstance
	for _, ri := range w.prior[rc.Addr] {
		if !current[ri.Addr.String()] {
			gone = append(gone, ri)
		}
	}

	type pending struct {
		in         kind.Instance
		prior      *state.ResourceInstance
		before     cty.Value // refreshed prior, or null
		beforeSens []cty.Path
		config     cty.Value
		sens       []cty.Path
		skipped    bool
		// refreshed: before is what the provider's refresh returned, and
		// the provider still holds it for the plan.
		refreshed bool
		// private is the private data the refresh returned, when it
		// differs from what state records.
		private []byte
	}
	items := make([]*pending, 0, len(insts))
	vals := make([]cty.Value, len(insts))
	notPlanned := w.notOffline(rc.Provider)
	// The schema's type is built anew at each ImpliedType.
	null := cty.NullVal(schema.ImpliedType())
	for i, in := range insts {
		it := &pending{in: in, prior: w.c.State.Resources[in.Addr.String()], before: null}
		if it.prior != nil {
			it.before, it.beforeSens = it.prior.Value, it.prior.Sensitive
		}
		items = append(items, it)
		if notPlanned && w.targeted(in.Addr) {
			w.addNotPlanned(in.Addr.String())
		}
		if !w.targeted(in.Addr) || notPlanned {
			it.skipped = true
			vals[i] = it.before
		}
	}
	// The instances' configurations are evaluated on every core: at 1,000
	// instances, evaluating them one after another was the longest part
	// of the plan's wall clock. Their diagnostics keep the instances'
	// order.
	instDiags := make([]hcl.Diagnostics, len(items))
	par.Each(len(items), func(i int) {
		it := items[i]
		if it.skipped {
			return
		}
		it.config, it.sens, instDiags[i] = w.evalResourceConfig(rc, schema, it.in, config)
	})
	for _, d := range instDiags {
		diags = append(diags, d...)
	}
	if diags.HasErrors() {
		return diags
	}
	r := rc.DeclRange

	// Refresh what exists, in one batch.
	if w.opts.Refresh {
		var reqs []sdk.ReadRequest
		var idx []int
		var early []sdk.ReadResponse
		var earlyIdx []int
		for i, it := range items {
			if it.prior == nil || it.skipped {
				continue
			}
			if resp, ok := w.takeEarly(it.prior, rc.Provider, typeName); ok {
				early = append(early, resp)
				earlyIdx = append(earlyIdx, i)
				continue
			}
			reqs = append(reqs, sdk.ReadRequest{Address: it.in.Addr.String(), TypeName: typeName, State: it.prior.Value, Private: it.prior.Private})
			idx = append(idx, i)
		}
		resps, err := conn.read.Do(ctx, reqs)
		if err != nil {
			return append(diags, kind.Errorf("Refresh failed", &r, "Reading %s through provider %q: %v", rc.Addr, rc.Provider.Name, err))
		}
		resps, idx = append(early, resps...), append(earlyIdx, idx...)
		for j, resp := range resps {
			it := items[idx[j]]
			diags = append(diags, kind.ProviderDiags(resp.Diagnostics, it.in.Addr.String(), &r)...)
			it.beforeSens = append(append([]cty.Path(nil), it.prior.Sensitive...), resp.SensitivePaths...)
			if !resp.Diagnostics.HasErrors() && resp.Private != nil && !bytes.Equal(resp.Private, it.prior.Private) {
				it.private = resp.Private
			}
			if resp.Unchanged {
				// Nothing changed outside: the prior value stands, and the
				// provider keeps it for the plan.
				it.before, it.refreshed = it.prior.Value, !resp.Diagnostics.HasErrors()
				continue
			}
			it.before = fillObject(schema, resp.NewState)
			it.refreshed = !resp.Diagnostics.HasErrors() && !resp.NewState.IsNull()
			if resp.NewState.IsNull() {
				it.before = null
			}
			if !sameButLocal(schema, it.prior.Value, it.before) {
				d := &plans.ResourceChange{
					Addr: it.in.Addr, Provider: rc.Provider, Type: typeName,
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

	if d := checkIgnoreChanges(rc, schema); d.HasErrors() {
		return append(diags, d...)
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
		if it.private != nil {
			// As Terraform does, the plan starts from what the refresh
			// read, private data included.
			priv = it.private
		}
		// The provider computes the proposed new state itself, and keeps
		// the prior state from its refresh: neither crosses again. With
		// the refresh off, the prior state is as recorded with its
		// private state, and crosses only if the provider asks.
		reqs = append(reqs, sdk.PlanRequest{
			Address: it.in.Addr.String(), TypeName: typeName, Config: cfg,
			PriorState: it.before, PriorPrivate: priv, PriorFromRefresh: it.refreshed,
			PriorAsRecorded: !w.opts.Refresh && it.prior != nil && !it.prior.Tainted,
		})
		idx = append(idx, i)
	}
	resps, err := conn.plan.Do(ctx, reqs)
	if err != nil {
		return append(diags, kind.Errorf("Plan failed", &r, "Planning %s through provider %q: %v", rc.Addr, rc.Provider.Name, err))
	}
	var replaceReqs []sdk.PlanRequest
	var replaceIdx []int
	changes := make([]*plans.ResourceChange, len(items))
	// Each planned value, with this run's inputs, and its check against
	// the configuration, on every core: pure functions of the response
	// and the configuration, which a plan of 1,000 unchanged apps spent
	// a tenth of its time on, one after the other.
	type checkedPlan struct {
		planned cty.Value
		err     error
	}
	checked := make([]checkedPlan, len(resps))
	par.Each(len(resps), func(j int) {
		resp, it := resps[j], items[idx[j]]
		if resp.Diagnostics.HasErrors() {
			return
		}
		planned := resp.PlannedState
		if resp.Unchanged {
			planned = withRunInputs(schema, planned, it.config)
		}
		checked[j] = checkedPlan{planned, checkPlanned(schema, it.config, planned)}
	})
	for j, resp := range resps {
		i := idx[j]
		it := items[i]
		addr := it.in.Addr
		diags = append(diags, providerDiagsIn(resp.Diagnostics, addr.String(), &r, body)...)
		if resp.Diagnostics.HasErrors() {
			continue
		}
		planned := checked[j].planned
		if err := checked[j].err; err != nil {
			diags = append(diags, kind.Errorf("Provider produced an invalid plan", &r, "Provider %q planned %s wrongly: %v. This is a bug in the provider.", rc.Provider.Name, addr, err))
			continue
		}
		ch := &plans.ResourceChange{
			Addr: addr, Provider: rc.Provider, Type: typeName,
			Before: it.before, After: planned, Private: resp.PlannedPrivate,
			BeforeSensitive: it.beforeSens, AfterSensitive: append(append([]cty.Path(nil), it.sens...), resp.SensitivePaths...),
			RequiresReplace: resp.RequiresReplace, ReplaceReasons: resp.ReplaceReasons,
		}
		if resp.Unchanged {
			// The planned state is the prior state: what was masked in
			// it stays masked, whether or not the provider says so again
			// (a plan from private state alone cannot).
			ch.AfterSensitive = append(ch.AfterSensitive, it.beforeSens...)
		}
		trigger := w.triggeredFor(rc, it.in)
		replace := false
		switch {
		case it.before.IsNull():
			ch.Action, ch.Reason = plans.Create, plans.ReasonNew
			if it.prior != nil {
				ch.Reason, ch.ReasonDetail = plans.ReasonDeletedOutside, "it was deleted outside slipway"
			}
		case slices.Contains(w.opts.Replace, addr) && (l.Retries == nil || !l.Retries(addr)):
			replace, ch.Reason = true, plans.ReasonReplaceRequested
		case it.prior != nil && it.prior.Tainted:
			replace, ch.Reason = true, plans.ReasonTainted
		case trigger != "":
			replace, ch.Reason, ch.ReasonDetail = true, plans.ReasonReplaceTriggered, trigger+" changes (lifecycle.replace_triggered_by)"
		case len(resp.RequiresReplace) > 0:
			replace, ch.Reason = true, plans.ReasonReplaceAttrs
		case resp.Unchanged || sameInEffect(schema, it.before, planned):
			// Planned keeps this machine's Local values (the manifests'
			// directory in this run's cache) and the configuration's
			// Provenance values (the commit read): what apply records
			// and the expressions that refer to it use.
			ch.Action = plans.NoOp
			ch.RefreshedPrivate = it.private
		default:
			ch.Action, ch.Reason = plans.Update, plans.ReasonConfigChanged
			if it.prior != nil && sameInEffect(schema, it.prior.Value, planned) {
				ch.Reason, ch.ReasonDetail = plans.ReasonDrift, "it was changed outside slipway"
				if slices.Contains(w.opts.HoldDrift, addr) {
					ch.Action, ch.Reason, ch.ReasonDetail = plans.NoOp, "", ""
				}
			}
		}
		if replace {
			ch.Action = plans.DeleteThenCreate
			if rc.Lifecycle.CreateBeforeDestroy {
				ch.Action = plans.CreateThenDelete
			}
			replaceReqs = append(replaceReqs, sdk.PlanRequest{
				Address: addr.String(), TypeName: typeName, Config: it.config,
				PriorState: null, ProposedNewState: it.config,
			})
			replaceIdx = append(replaceIdx, i)
		}
		if (ch.Action == plans.Delete || ch.Action.IsReplace()) && rc.Lifecycle.PreventDestroy {
			diags = append(diags, kind.Errorf("Instance cannot be destroyed", &r,
				"%s has lifecycle.prevent_destroy set, but the plan would %s it. Remove prevent_destroy or change the plan so it keeps the object.", addr, ch.Action))
		}
		changes[i] = ch
	}
	// A replaced object is created anew: plan it as such, so that values
	// the provider computes show as known after apply.
	if len(replaceReqs) > 0 {
		resps, err := conn.plan.Do(ctx, replaceReqs)
		if err != nil {
			return append(diags, kind.Errorf("Plan failed", &r, "Planning the replacement of %s: %v", rc.Addr, err))
		}
		for j, resp := range resps {
			diags = append(diags, providerDiagsIn(resp.Diagnostics, replaceReqs[j].Address, &r, body)...)
			ch := changes[replaceIdx[j]]
			ch.After, ch.Private = resp.PlannedState, resp.PlannedPrivate
			ch.AfterSensitive = append(append([]cty.Path(nil), items[replaceIdx[j]].sens...), resp.SensitivePaths...)
		}
	}
	var writes map[addrs.Resource][]kind.Write
	if l.AfterWrites != nil {
		writes = w.Writes(rc)
	}
	for i, ch := range changes {
		if ch == nil {
			if !items[i].skipped {
				vals[i] = cty.DynamicVal
			}
			continue
		}
		if len(writes) > 0 {
			l.AfterWrites(ch, writes)
		}
		if l.Describe != nil {
			l.Describe(rc, ch)
		}
		vals[i] = ch.After
		w.addChange(ch)
	}
	for _, ri := range gone {
		if !w.targeted(ri.Addr) {
			continue
		}
		if rc.Lifecycle.PreventDestroy {
			diags = append(diags, kind.Errorf("Instance cannot be destroyed", &r, "%s has lifecycle.prevent_destroy set, but its instance %s is no longer declared.", rc.Addr, ri.Addr))
		}
		w.addChange(kind.DeleteChange(ri, kind.GoneReason(ri.Addr)))
	}
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
	return diags
}

// checkIgnoreChanges refuses a name in lifecycle ignore_changes that is
// not an argument of the block's type, as Terraform does: a mistyped name
// (contnet) would ignore nothing, and the next apply would undo the very
// change it was written to keep.
func checkIgnoreChanges(rc *lang.Resource, schema sdk.Schema) hcl.Diagnostics {
	if !engineKind(rc.Addr.Kind) {
		return nil // a kind's schema is its lowering's, not its body's
	}
	var diags hcl.Diagnostics
	names := settableNames(schema)
	sort.Strings(names) // Suggest takes the first of equals
	for _, t := range rc.Lifecycle.IgnoreChanges {
		name := ignoredName(t)
		if slices.Contains(names, name) {
			continue
		}
		r := t.SourceRange()
		why := fmt.Sprintf("%s has no argument %q to ignore changes of.", rc.Addr, name)
		if a, ok := schema.Attributes[name]; ok && a.Computed {
			why = fmt.Sprintf("%q of %s is set by its provider, not by the configuration: it has no changes to ignore.", name, rc.Addr)
		} else if s := lang.Suggest(name, names); s != "" {
			why += fmt.Sprintf(" Did you mean %q?", s)
		}
		diags = append(diags, kind.ErrorDiag("Unsupported attribute in ignore_changes", why, &r))
	}
	return diags
}

// settableNames lists the top-level attributes and blocks of schema that
// a configuration may set.
func settableNames(schema sdk.Schema) []string {
	var out []string
	for name, a := range schema.Attributes {
		if a.Required || a.Optional {
			out = append(out, name)
		}
	}
	for name := range schema.Blocks {
		out = append(out, name)
	}
	return out
}

// ignoredNames lists the top-level attributes whose changes lifecycle
// ignore_changes tells slipway to ignore once the object exists: all the
// attributes the user may set for ignore_changes = all. A path into an
// attribute (labels["x"]) ignores the whole attribute.
func ignoredNames(rc *lang.Resource, schema sdk.Schema) []string {
	if rc.Lifecycle.IgnoreAllChanges {
		return settableNames(schema)
	}
	var out []string
	for _, t := range rc.Lifecycle.IgnoreChanges {
		out = append(out, ignoredName(t))
	}
	return out
}

// ignoredName is the attribute an ignore_changes entry names: the first
// step of a relative traversal (hcl.RelTraversalForExpr makes it an
// attribute step, on which Traversal.RootName panics).
func ignoredName(t hcl.Traversal) string {
	if len(t) == 0 {
		return ""
	}
	switch s := t[0].(type) {
	case hcl.TraverseRoot:
		return s.Name
	case hcl.TraverseAttr:
		return s.Name
	}
	return ""
}

// planOrphans plans the deletion of resources gone from configuration.
func (w *planWalk) planOrphans(ctx context.Context, insts []*state.ResourceInstance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, ri := range insts {
		if !w.targeted(ri.Addr) {
			continue
		}
		if ri.Provider.Name == "" {
			// No provider holds it (a pipeline's runs left images and
			// commits that stay): state forgets it.
			w.addChange(kind.DeleteChange(ri, plans.ReasonRemoved))
			continue
		}
		if ri.Addr.Resource.Kind == addrs.Source {
			// Sources are only read; forgetting one deletes nothing.
			w.addChange(&plans.ResourceChange{Addr: ri.Addr, Provider: ri.Provider, Type: ri.Type, Action: plans.Delete, Reason: plans.ReasonRemoved, Before: ri.Value, After: cty.NullVal(ri.Value.Type()), Private: ri.Private})
			continue
		}
		before := ri.Value
		if w.opts.Refresh {
			conn := w.conn(ri.Provider)
			var resps []sdk.ReadResponse
			var err error
			if resp, ok := w.takeEarly(ri, ri.Provider, ri.Type); ok {
				resps = []sdk.ReadResponse{resp}
			} else {
				resps, err = conn.read.Do(ctx, []sdk.ReadRequest{{Address: ri.Addr.String(), TypeName: ri.Type, State: ri.Value, Private: ri.Private}})
			}
			if err != nil {
				diags = append(diags, kind.Errorf("Refresh failed", nil, "Reading %s: %v", ri.Addr, err))
				continue
			}
			diags = append(diags, kind.ProviderDiags(resps[0].Diagnostics, ri.Addr.String(), nil)...)
			before = resps[0].NewState
		}
		ch := kind.DeleteChange(ri, plans.ReasonRemoved)
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

// planDestroy plans the deletion of everything in state.
func (c *Context) planDestroy(ctx context.Context, p *plans.Plan, opts PlanOpts) hcl.Diagnostics {
	w := &planWalk{walker: newWalker(c), opts: opts}
	diags := w.start(ctx, false)
	if diags.HasErrors() {
		return diags
	}
	upgraded, d := w.upgradeStates(ctx)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return diags
	}
	p.Upgraded = upgraded
	// The deletes start from the upgraded state.
	c = w.c
	destroying, also, kept := w.destroyScope(opts)
	if len(also) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Dependents destroyed too",
			Detail: fmt.Sprintf("These instances depend on what -target destroys, and are destroyed with it, as Terraform does: what they refer to would be gone from under them.\n  %s", strings.Join(also, "\n  "))})
	}
	if len(kept) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Dependencies kept too",
			Detail: fmt.Sprintf("What -exclude keeps depends on these instances, and they are kept with it: destroying them would pull them from under it.\n  %s", strings.Join(kept, "\n  "))})
	}
	for _, ri := range c.State.Resources {
		if !destroying[ri.Addr.String()] {
			continue
		}
		reason := plans.ReasonDestroy
		if rc := c.Config.Resources[ri.Addr.Resource.String()]; rc != nil && rc.Lifecycle.PreventDestroy {
			r := rc.DeclRange
			diags = append(diags, kind.Errorf("Instance cannot be destroyed", &r, "%s has lifecycle.prevent_destroy set. Remove it to destroy this object.", ri.Addr))
		}
		p.Changes = append(p.Changes, kind.DeleteChange(ri, reason))
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Addr.Less(p.Changes[j].Addr) })
	w.markLocal(p.Changes)
	for _, ch := range p.Changes {
		w.nest(ch)
	}
	// A whole destroy removes the outputs; one limited by -target or
	// -exclude leaves them, as what they read may stay.
	if len(opts.Targets) == 0 && len(opts.Excludes) == 0 {
		for name, o := range c.State.Outputs {
			p.Outputs = append(p.Outputs, &plans.OutputChange{Name: name, Action: plans.Delete, Before: o.Value, After: cty.NullVal(o.Value.Type()), Sensitive: o.Sensitive})
		}
	}
	sort.Slice(p.Outputs, func(i, j int) bool { return p.Outputs[i].Name < p.Outputs[j].Name })
	return diags
}

// destroyScope says which instances of state a destroy plan deletes: all
// of them; with -target, the targets and, as in Terraform, every instance
// that depends on one of them (transitively: what they refer to would be
// gone from under them); with -exclude, all but the excluded and what
// they depend on, transitively. also lists the dependents -target added,
// kept the dependencies -exclude kept, by address. A block still declared
// depends on what its configuration refers to; one that is not, on what
// state recorded.
func (w *planWalk) destroyScope(opts PlanOpts) (destroying map[string]bool, also, kept []string) {
	st := w.c.State
	matches := func(ts []addrs.ResourceInstance, ri *state.ResourceInstance) bool {
		return slices.ContainsFunc(ts, func(t addrs.ResourceInstance) bool {
			return t == ri.Addr || (t.Key == nil && t.Resource == ri.Addr.Resource)
		})
	}
	// A resource's dependencies: its block's, or those its instances
	// recorded, all of them.
	depsOf, memo := map[addrs.Resource][]addrs.Resource{}, map[addrs.Resource][]addrs.Resource{}
	for _, ri := range st.Resources {
		r := ri.Addr.Resource
		if w.cfg.Resources[r.String()] != nil {
			depsOf[r] = w.dependenciesNow(ri, memo)
		} else {
			depsOf[r] = append(depsOf[r], ri.Dependencies...)
		}
	}
	destroying = map[string]bool{}
	if len(opts.Targets) == 0 {
		for _, ri := range st.Resources {
			destroying[ri.Addr.String()] = true
		}
	} else {
		// The targets, then whatever depends on a resource being
		// destroyed, until nothing more does.
		hit := map[addrs.Resource]bool{}
		for _, ri := range st.Resources {
			if matches(opts.Targets, ri) {
				destroying[ri.Addr.String()] = true
				hit[ri.Addr.Resource] = true
			}
		}
		for grew := true; grew; {
			grew = false
			for _, ri := range st.Resources {
				if destroying[ri.Addr.String()] || !slices.ContainsFunc(depsOf[ri.Addr.Resource], func(d addrs.Resource) bool { return hit[d] }) {
					continue
				}
				destroying[ri.Addr.String()], hit[ri.Addr.Resource], grew = true, true, true
				also = append(also, ri.Addr.String())
			}
		}
	}
	if len(opts.Excludes) > 0 {
		// The excluded, then whatever they depend on, transitively.
		keep := map[addrs.Resource]bool{}
		var frontier []addrs.Resource
		for _, ri := range st.Resources {
			if matches(opts.Excludes, ri) && destroying[ri.Addr.String()] {
				delete(destroying, ri.Addr.String())
				frontier = append(frontier, ri.Addr.Resource)
			}
		}
		for len(frontier) > 0 {
			r := frontier[len(frontier)-1]
			frontier = frontier[:len(frontier)-1]
			for _, d := range depsOf[r] {
				if !keep[d] {
					keep[d] = true
					frontier = append(frontier, d)
				}
			}
		}
		for _, ri := range st.Resources {
			if keep[ri.Addr.Resource] && destroying[ri.Addr.String()] {
				delete(destroying, ri.Addr.String())
				kept = append(kept, ri.Addr.String())
			}
		}
	}
	sort.Strings(also)
	sort.Strings(kept)
	return destroying, also, kept
}

// readsPending reports whether an output reads a source that a block of
// this plan will commit to.
func (w *planWalk) readsPending(o *lang.Output) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.writes) == 0 {
		return false
	}
	refs, _ := o.References()
	for _, ref := range refs {
		if r, ok := ref.Resource(); ok && len(w.writes[r]) > 0 {
			return true
		}
	}
	return false
}

// sourceMoved says how a source changed since the last apply: for
// sources that resolve to a commit or digest, from which to which.
func sourceMoved(addr addrs.ResourceInstance, before, after cty.Value) string {
	for _, name := range []string{builtin.SourceShortCommit, builtin.ImageSourceDigest, builtin.ImageSourceVersion} {
		if before.Type().IsObjectType() && before.Type().HasAttribute(name) && after.Type().HasAttribute(name) {
			b, a := before.GetAttr(name), after.GetAttr(name)
			if b.IsKnown() && a.IsKnown() && !b.IsNull() && !a.IsNull() && b.Type() == cty.String && a.Type() == cty.String && !b.RawEquals(a) {
				return fmt.Sprintf("%s moved %s -> %s", addr, b.AsString(), a.AsString())
			}
		}
	}
	return fmt.Sprintf("%s changed since the last apply", addr)
}

// notOffline reports whether this is an offline plan and provider p
// cannot plan offline: its instances are then left as state has them.
func (w *planWalk) notOffline(p addrs.Provider) bool {
	if !w.offline {
		return false
	}
	conn := w.conn(p)
	return conn == nil || !conn.schemas.Metadata.Offline
}

// addNotPlanned records an instance an offline plan could not plan.
func (w *planWalk) addNotPlanned(addr string) {
	w.mu.Lock()
	w.notPlanned = append(w.notPlanned, addr)
	w.mu.Unlock()
}

// resolveLocalSources maps the sources named by plan -source to their
// addresses: NAME, TYPE.NAME or source.TYPE.NAME, naming a source block.
func resolveLocalSources(cfg *lang.Config, given map[string]string) (map[string]string, hcl.Diagnostics) {
	if len(given) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	var sources []string
	byName := map[string][]string{}
	for _, k := range kind.SortedKeys(cfg.Resources) {
		rc := cfg.Resources[k]
		if rc.Addr.Kind != addrs.Source {
			continue
		}
		sources = append(sources, k)
		byName[rc.Addr.Name] = append(byName[rc.Addr.Name], k)
		byName[rc.Addr.Type+"."+rc.Addr.Name] = append(byName[rc.Addr.Type+"."+rc.Addr.Name], k)
		byName[k] = append(byName[k], k)
	}
	out := map[string]string{}
	for _, name := range kind.SortedKeys(given) {
		dir := given[name]
		switch m := byName[name]; len(m) {
		case 1:
			if prev, ok := out[m[0]]; ok && prev != dir {
				diags = append(diags, kind.Errorf("Source given twice", nil, "-source names %s twice, with %s and %s. Give one checkout per source.", m[0], prev, dir))
				continue
			}
			out[m[0]] = dir
		case 0:
			known := "The configuration declares no source."
			if len(sources) > 0 {
				known = "The sources of the configuration are: " + strings.Join(sources, ", ") + "."
			}
			diags = append(diags, kind.Errorf("Unknown source", nil, "-source %s=%s names no source block. %s Write -source NAME=DIR with a source's name.", name, dir, known))
		default:
			diags = append(diags, kind.Errorf("Ambiguous source", nil, "-source %s=%s could be any of %s. Write the source's full address, such as %s=%s.", name, dir, strings.Join(m, ", "), m[0], dir))
		}
	}
	return out, diags
}
