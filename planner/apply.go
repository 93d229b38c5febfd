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
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/graph"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// Applier holds the state an apply builds up. Snapshot is what a
// state.Recorder persists after every finished resource.
type Applier struct {
	mu sync.Mutex
	st *state.State
	// members are the sections updated member by member, each decoded
	// once; dirty are those whose st.Extra is behind, encoded again when
	// a snapshot is taken. Decoding and encoding a section at every
	// update made recording 1,000 apps' syncs quadratic.
	members map[string]map[string]json.RawMessage
	dirty   map[string]bool
}

// NewApplier starts from a copy of the context's prior state.
func (c *Context) NewApplier() *Applier {
	st := c.State.DeepCopy()
	if c.Version != "" {
		st.SlipwayVersion = c.Version
	}
	return &Applier{st: st}
}

// Snapshot returns a copy of the state as it stands.
func (a *Applier) Snapshot() *state.State {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name := range a.dirty {
		// Every member is valid JSON (updateMember): this cannot fail.
		b, _ := json.Marshal(a.members[name])
		if a.st.Extra == nil {
			a.st.Extra = map[string]json.RawMessage{}
		}
		a.st.Extra[name] = b
	}
	clear(a.dirty)
	return a.st.DeepCopy()
}

// updateMember replaces member of state section name with what fn returns
// for its current value (see kind.ApplyHost.UpdateSectionMember).
func (a *Applier) updateMember(name, member string, fn func(json.RawMessage) json.RawMessage) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m, ok := a.members[name]
	if !ok {
		if err := json.Unmarshal(a.st.Extra[name], &m); err != nil || m == nil {
			m = map[string]json.RawMessage{}
		}
		if a.members == nil {
			a.members, a.dirty = map[string]map[string]json.RawMessage{}, map[string]bool{}
		}
		a.members[name] = m
	}
	next := fn(m[member])
	switch {
	case next == nil:
		delete(m, member)
	case json.Valid(next):
		m[member] = next
	default:
		return
	}
	a.dirty[name] = true
}

func (a *Applier) set(ri *state.ResourceInstance) {
	a.mu.Lock()
	a.st.Resources[ri.Addr.String()] = ri
	a.mu.Unlock()
}

// get returns the instance at addr as the apply has it so far, or nil.
func (a *Applier) get(addr addrs.ResourceInstance) *state.ResourceInstance {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.Resources[addr.String()]
}

func (a *Applier) remove(addr addrs.ResourceInstance) {
	a.mu.Lock()
	delete(a.st.Resources, addr.String())
	a.mu.Unlock()
}

func (a *Applier) setOutput(name string, o *state.Output) {
	a.mu.Lock()
	if o == nil {
		delete(a.st.Outputs, name)
	} else {
		a.st.Outputs[name] = o
	}
	a.mu.Unlock()
}

// StateStoppedSummary is the summary of the diagnostic of an apply that
// stopped because it could not write its state or journal.
const StateStoppedSummary = "Apply stopped: state cannot be written"

// stop records why no new change may start; the first reason wins.
func (w *applyWalk) stop(err error) {
	w.stopMu.Lock()
	if w.stopErr == nil {
		w.stopErr = err
	}
	w.stopMu.Unlock()
}

// stopped is why no new change may start, or nil.
func (w *applyWalk) stopped() error {
	w.stopMu.Lock()
	defer w.stopMu.Unlock()
	return w.stopErr
}

// interruptedOrStopped reports whether no new change may start: state
// cannot be written, or the user asked to stop.
func (w *applyWalk) interruptedOrStopped() bool {
	return w.stopped() != nil || (w.c.Stop != nil && w.c.Stop.Err() != nil)
}

// ErrStalePlan is returned when a saved plan no longer matches state or
// configuration.
var ErrStalePlan = fmt.Errorf("saved plan is stale")

// CheckPlanApplicable refuses a plan that cannot be applied as it stands:
// one with errors, one made against another state, or one made from other
// configuration files.
func (c *Context) CheckPlanApplicable(p *plans.Plan) error {
	if p.Errored {
		return fmt.Errorf("the plan has errors and cannot be applied")
	}
	if p.Preview() {
		return fmt.Errorf("%w: %s", ErrPreviewPlan, previewWhy(p))
	}
	if p.WorkspaceName() != c.workspace() {
		return fmt.Errorf("%w: it was made in workspace %q, and workspace %q is selected; select %q (slipway workspace select %s) to apply it, or run slipway plan again",
			ErrStalePlan, p.WorkspaceName(), c.workspace(), p.WorkspaceName(), p.WorkspaceName())
	}
	// A state never written has a fresh random lineage each time it is
	// read; a plan made against nothing applies to nothing.
	neverWritten := c.State.Serial == 0 && p.PriorSerial == 0 && c.State.Empty()
	if !neverWritten && (p.PriorLineage != c.State.Lineage || p.PriorSerial != c.State.Serial) {
		return fmt.Errorf("%w: it was made against state serial %d (lineage %s), but the state is now at serial %d (lineage %s); run slipway plan again",
			ErrStalePlan, p.PriorSerial, p.PriorLineage, c.State.Serial, c.State.Lineage)
	}
	if p.PriorJournal != c.JournalMark {
		return fmt.Errorf("%w: the state's journal changed since the plan was made (an apply ran since, or was interrupted, and its changes are not in the plan); run slipway plan again", ErrStalePlan)
	}
	if h := ConfigHash(c.Config); h != p.ConfigHash {
		return fmt.Errorf("%w: the configuration files changed since the plan was made; run slipway plan again", ErrStalePlan)
	}
	return nil
}

// ErrPreviewPlan is why a preview plan (plan -offline or -source) is
// never applied.
var ErrPreviewPlan = errors.New("the plan is a preview and cannot be applied")

// previewWhy says what made p a preview, and what to do instead.
func previewWhy(p *plans.Plan) string {
	var what []string
	if p.Offline {
		what = append(what, "it was made offline, against the state of the last apply instead of the cluster")
	}
	if len(p.LocalSources) > 0 {
		var addrs []string
		for _, l := range p.LocalSources {
			addrs = append(addrs, l.Addr)
		}
		what = append(what, "it read "+strings.Join(addrs, ", ")+" from local checkouts instead of their remotes")
	}
	return strings.Join(what, ", and ") + ". Run slipway plan -out without -offline and -source once the change is merged, and apply that plan"
}

// applyWalk is the state of one apply.
type applyWalk struct {
	*walker
	plan    *plans.Plan
	changes map[string]*plans.ResourceChange
	// deletes holds the planned deletes of instances whose block is still
	// declared (count or for_each dropped them), by resource.
	deletes map[addrs.Resource][]*plans.ResourceChange
	a       *Applier
	record  func(done func(error))
	hooks   Hooks

	// stopErr is why no new change may start: the journal or the state
	// could not be written. Once set it stays.
	stopMu  sync.Mutex
	stopErr error
	// notStarted counts the changes not started because of stopErr or
	// an interrupt.
	notStarted atomic.Int64
}

// Apply carries out p, recording into a every finished resource and
// calling record after each so the state is persisted as it goes. It
// returns the diagnostics of everything that failed; what finished is in
// a either way. Apply spends p: each applied instance's change keeps its
// address and action but not its values (ResourceChange.ReleaseValues).
func (c *Context) Apply(ctx context.Context, p *plans.Plan, a *Applier, record func(done func(error))) hcl.Diagnostics {
	if err := c.CheckPlanApplicable(p); err != nil {
		return hcl.Diagnostics{kind.ErrorDiag("Cannot apply the plan", err.Error(), nil)}
	}
	if c.State.Serial == 0 && c.State.Empty() {
		a.mu.Lock()
		a.st.Lineage = p.PriorLineage
		a.mu.Unlock()
	}
	// The moves the plan was made with are done first, in the state the
	// walk reads and in the one the apply records.
	moves := map[string]addrs.ResourceInstance{}
	for _, ch := range p.Changes {
		if ch.PreviousAddr != nil {
			moves[ch.Addr.String()] = *ch.PreviousAddr
		}
	}
	if len(moves) > 0 {
		st := c.State.DeepCopy()
		err := moveInstances(st, c.Kinds, moves)
		if err == nil {
			a.mu.Lock()
			err = moveInstances(a.st, c.Kinds, moves)
			a.mu.Unlock()
		}
		if err != nil {
			return hcl.Diagnostics{kind.ErrorDiag("Cannot move instances", err.Error(), nil)}
		}
		cc := *c
		cc.State = st
		c = &cc
	}
	w := &applyWalk{
		walker: newWalker(c), plan: p, a: a, record: record, hooks: c.hooks(),
		changes: make(map[string]*plans.ResourceChange, len(p.Changes)),
		deletes: map[addrs.Resource][]*plans.ResourceChange{},
	}
	for _, ch := range p.Changes {
		w.changes[ch.Addr.String()] = ch
		if ch.Action == plans.Delete && c.Config.Resources[ch.Addr.Resource.String()] != nil {
			w.deletes[ch.Addr.Resource] = append(w.deletes[ch.Addr.Resource], ch)
		}
	}
	if h, ok := w.hooks.(HooksWithTotal); ok {
		h.Total(Steps(p))
	}
	destroy := p.Mode == plans.DestroyMode
	// Starting providers stops at the first Ctrl-C; what is then in
	// flight keeps ctx.
	startCtx := ctx
	if c.Stop != nil {
		startCtx = c.Stop
	}
	diags := w.start(startCtx, !destroy)
	if diags.HasErrors() {
		return diags
	}
	g, d := w.buildGraph(!destroy)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return diags
	}
	if destroy {
		// Only locals and provider configurations take part: every
		// resource node is replaced by the delete nodes below.
		g = filter(g, func(n node) bool { return n.kind != resourceNode })
	}
	w.addDeleteNodes(g, destroy)
	// The walk stops scheduling nodes when the user asks to stop (the
	// first Ctrl-C); what runs keeps ctx, so changes in flight finish.
	stop := c.Stop
	if stop == nil {
		stop = ctx
	}
	results := g.Walk(stop, 0, func(_ context.Context, n node) error {
		return w.guarded(n, func() error { return w.node(ctx, n) })
	})
	diags = append(diags, w.diags...)
	diags = append(diags, notRun(results)...)
	w.resolveInterrupted(ctx)
	if err := w.stopped(); err != nil {
		diags = append(diags, kind.Errorf(StateStoppedSummary, nil,
			"%v. No change started after that, and the %d not started are still to do. What finished is recorded in the state that could still be written, or in the fallback file named below; fix the cause and run slipway apply again.",
			err, w.notStarted.Load()))
	}
	if destroy {
		for _, oc := range p.Outputs {
			if oc.Action == plans.Delete {
				a.setOutput(oc.Name, nil)
			}
		}
		w.persist(nil)
	} else if !diags.HasErrors() {
		// Outputs gone from the configuration go once the rest is done.
		removed := false
		for _, oc := range p.Outputs {
			if oc.Action == plans.Delete {
				a.setOutput(oc.Name, nil)
				removed = true
			}
		}
		if removed {
			w.persist(nil)
		}
	}
	return diags
}

// Steps counts the changes applying p reports through Hooks, each with a
// PreApply and a PostApply: one per create, update, pipeline run and
// delete carried out by a provider, two per replace (its delete and its
// create are reported apart). No-ops, source reads, and deletes of what
// only state knows (a source, a pipeline's record) are not reported and
// count nothing; neither do the object-level changes inside an app, which
// its provider reports as progress messages of the app's one change.
func Steps(p *plans.Plan) int {
	n := 0
	for _, ch := range p.Changes {
		switch ch.Action {
		case plans.Create, plans.Update, plans.Run:
			n++
		case plans.DeleteThenCreate, plans.CreateThenDelete:
			n += 2
		case plans.Delete:
			if !forgetOnly(ch) {
				n++
			}
		}
	}
	return n
}

// forgetOnly reports whether deleting ch only removes it from state, with
// no provider asked.
func forgetOnly(ch *plans.ResourceChange) bool {
	return ch.Addr.Resource.Kind == addrs.Source || ch.Provider.Name == "" || ch.Before.IsNull()
}

// filter returns the subgraph of the nodes keep accepts.
func filter(g *graph.Graph[node], keep func(node) bool) *graph.Graph[node] {
	out := graph.New[node]()
	for _, n := range g.Nodes() {
		if keep(n) {
			out.Add(n)
		}
	}
	for _, n := range g.Nodes() {
		if !keep(n) {
			continue
		}
		for _, d := range g.DependsOn(n) {
			if keep(d) {
				out.Connect(n, d)
			}
		}
	}
	return out
}

// addDeleteNodes adds a node for every planned delete of an instance
// whose block is gone (or every instance, when destroying), ordered so
// that an object is deleted before the objects it depended on.
func (w *applyWalk) addDeleteNodes(g *graph.Graph[node], destroy bool) {
	deleting := map[addrs.Resource][]node{}
	for _, ch := range w.plan.Changes {
		if ch.Action != plans.Delete {
			continue
		}
		if !destroy && w.cfg.Resources[ch.Addr.Resource.String()] != nil {
			continue // count/for_each leftovers are handled by their block's node
		}
		n := deleteKey(ch.Addr.String())
		g.Add(n)
		if pa := providerKey(ch.Provider); g.Has(pa) {
			g.Connect(n, pa)
		}
		deleting[ch.Addr.Resource] = append(deleting[ch.Addr.Resource], n)
	}
	depsMemo := map[addrs.Resource][]addrs.Resource{}
	for _, ch := range w.plan.Changes {
		if ch.Action != plans.Delete || !g.Has(deleteKey(ch.Addr.String())) {
			// A count/for_each leftover is deleted in its block's own
			// node, which already comes after what the block depends on.
			continue
		}
		ri := w.c.State.Resources[ch.Addr.String()]
		if ri == nil {
			continue
		}
		for _, dep := range w.dependenciesNow(ri, depsMemo) {
			for _, dn := range deleting[dep] {
				// dep is deleted after this instance.
				g.Connect(dn, deleteKey(ch.Addr.String()))
			}
			if !destroy && g.Has(resourceKey(dep)) {
				// dep is still declared: its update waits for this delete.
				g.Connect(resourceKey(dep), deleteKey(ch.Addr.String()))
			}
		}
	}
}

func (w *applyWalk) node(ctx context.Context, n node) error {
	switch n.kind {
	case localNode:
		return w.evalLocal(n)
	case providerNode:
		return w.nodeErr(w.configureProvider(ctx, n.provider))
	case outputNode:
		return w.nodeErr(w.applyOutput(w.cfg.Outputs[n.name]))
	case deleteNode:
		return w.nodeErr(w.applyDelete(ctx, w.changes[n.name]))
	}
	rc := w.cfg.Resources[n.resource.String()]
	switch rc.Addr.Kind {
	case addrs.Managed:
		return w.nodeErr(w.applyManaged(ctx, rc, resourceLowering(rc)))
	case addrs.Source:
		return w.nodeErr(w.applySource(rc))
	}
	if k := w.kinds[rc.Addr.Kind]; k != nil {
		return w.nodeErr(k.Apply(ctx, w, rc))
	}
	w.vals.setResource(rc.Addr, cty.DynamicVal)
	return nil
}

func (w *applyWalk) applyOutput(o *lang.Output) hcl.Diagnostics {
	v, diags := w.scope.evalExpr(o.Expr, nil)
	if diags.HasErrors() {
		return diags
	}
	v, _ = unmarkSensitive(v)
	if !v.IsWhollyKnown() {
		r := o.DeclRange
		return append(diags, kind.ErrorDiag("Output value is not known", "Output \""+o.Name+"\" is still unknown after apply; this is a bug in a provider that left a value unknown.", &r))
	}
	w.a.setOutput(o.Name, &state.Output{Value: v, Sensitive: o.Sensitive})
	return diags
}

// applySource records the value the plan resolved the source to, so that
// the apply uses exactly what the plan showed.
func (w *applyWalk) applySource(rc *lang.Resource) hcl.Diagnostics {
	addr := rc.Addr.Instance(addrs.NoKey)
	ch := w.changes[addr.String()]
	if ch == nil {
		if ri := w.c.State.Resources[addr.String()]; ri != nil {
			w.vals.setResource(rc.Addr, ri.Value)
		}
		return nil
	}
	w.vals.setResource(rc.Addr, ch.After)
	w.a.set(&state.ResourceInstance{Addr: addr, Provider: rc.Provider, Type: rc.Addr.Type, Value: ch.After, Sensitive: ch.AfterSensitive})
	return nil
}

// dependenciesNow is what state instance ri depends on now: what its
// block refers to while it is declared (a depends_on added since the
// instance's last change is not in state yet), once per block through
// memo; what state recorded otherwise.
func (w *walker) dependenciesNow(ri *state.ResourceInstance, memo map[addrs.Resource][]addrs.Resource) []addrs.Resource {
	r := ri.Addr.Resource
	rc := w.cfg.Resources[r.String()]
	if rc == nil {
		return ri.Dependencies
	}
	deps, ok := memo[r]
	if !ok {
		deps = w.dependencies(rc)
		memo[r] = deps
	}
	return deps
}

// dependencies lists the resources a block refers to, for state.
func (w *walker) dependencies(rc *lang.Resource) []addrs.Resource {
	refs, _ := w.resourceRefs(rc)
	seen := map[addrs.Resource]bool{}
	var out []addrs.Resource
	for _, ref := range refs {
		r, ok := ref.Resource()
		if !ok {
			continue
		}
		if !seen[r] && r != rc.Addr {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// ApplyResource applies a block lowered to a provider resource.
func (w *applyWalk) ApplyResource(ctx context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	return w.applyManaged(ctx, rc, l)
}

// applyManaged applies every instance of a block lowered to a provider
// resource (a resource block is lowered to itself) concurrently.
func (w *applyWalk) applyManaged(ctx context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	schema, _ := w.typeSchema(false, rc.Provider, l.Type)
	conn := w.conn(rc.Provider)
	insts, diags := w.takeExpanded(rc)
	if diags.HasErrors() {
		return diags
	}
	deps := w.dependencies(rc)
	// Instances that count or for_each dropped are deleted first: one may
	// hold what a new instance takes over (the same path, the same
	// Kubernetes objects when count is added to an app), and a delete
	// running beside that create could delete what it just made.
	diags = append(diags, w.ApplyDeletes(ctx, rc)...)
	vals := make([]cty.Value, len(insts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, in := range insts {
		ch := w.changes[in.Addr.String()]
		if ch == nil {
			vals[i] = cty.DynamicVal
			if ri := w.c.State.Resources[in.Addr.String()]; ri != nil {
				vals[i] = ri.Value
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, d := w.applyInstance(ctx, rc, l, schema, conn, in, ch, deps)
			// What the plan said of the instance is spent: of 1,000 new
			// apps, its values were half of what the apply held at its
			// end, beside the state built from the applied ones.
			ch.ReleaseValues()
			mu.Lock()
			vals[i] = v
			diags = append(diags, d...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
	return diags
}

// applyInstance carries out one instance's change and returns its new value.
func (w *applyWalk) applyInstance(ctx context.Context, rc *lang.Resource, l kind.Lowering, schema sdk.Schema, conn *providerConn, in kind.Instance, ch *plans.ResourceChange, deps []addrs.Resource) (cty.Value, hcl.Diagnostics) {
	r := rc.DeclRange
	if ch.Action == plans.NoOp || ch.Action == plans.Read {
		prior := w.c.State.Resources[in.Addr.String()]
		switch {
		case prior != nil && (!kind.SameValue(prior.Value, ch.After) || prior.SchemaVersion != schema.Version ||
			ch.RefreshedPrivate != nil && !bytes.Equal(prior.Private, ch.RefreshedPrivate)):
			// Refresh saw a change the configuration agrees with, or
			// read private data anew, the plan moved a Provenance value
			// (an app's commit) and nothing else, or it upgraded the
			// stored state: keep it, without asking the provider.
			nr := *prior
			nr.Value, nr.Dependencies, nr.Sensitive = ch.After, deps, ch.AfterSensitive
			nr.SchemaVersion = schema.Version
			if ch.RefreshedPrivate != nil {
				nr.Private = ch.RefreshedPrivate
			}
			w.a.set(&nr)
		case prior == nil && !ch.Before.IsNull():
			// The plan adopted what an interrupted apply made: record it.
			w.a.set(&state.ResourceInstance{Addr: in.Addr, Provider: rc.Provider, Type: l.Type, SchemaVersion: schema.Version,
				Value: ch.After, Sensitive: ch.AfterSensitive, Private: ch.Private, Dependencies: deps})
		}
		return ch.After, nil
	}
	config := configFunc(bodyConfig)
	if l.Config != nil {
		config = l.Config
	}
	cfgVal, sens, diags := w.evalResourceConfig(rc, schema, in, config)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	cfgVal = ignoreChanges(cfgVal, ch.Before, ignoredNames(rc, schema))
	if l.Hold != nil {
		cfgVal = l.Hold(cfgVal, ch.After)
	}
	addr := in.Addr
	planned, private := ch.After, ch.Private
	createPrior := ch.Before
	if ch.Action.IsReplace() {
		createPrior = cty.NullVal(schema.ImpliedType())
	}
	if !planned.IsWhollyKnown() {
		// Values that were unknown at plan time may be known now: plan
		// again and hold the result to what the plan promised.
		resps, err := conn.plan.Do(ctx, []sdk.PlanRequest{{
			Address: addr.String(), TypeName: l.Type, Config: cfgVal,
			PriorState: createPrior, ProposedNewState: proposedNew(schema, createPrior, cfgVal), PriorPrivate: private,
		}})
		if err != nil {
			return cty.DynamicVal, append(diags, kind.Errorf("Plan failed", &r, "Planning %s again with the values now known: %v", addr, err))
		}
		diags = append(diags, kind.ProviderDiags(resps[0].Diagnostics, addr.String(), &r)...)
		if resps[0].Diagnostics.HasErrors() {
			return cty.DynamicVal, diags
		}
		// A Local attribute holds this machine's value, or a proposal
		// (an app's rollout_plan), never a promise: it may change.
		if err := checkConforms(withoutLocal(schema, ch.After), withoutLocal(schema, resps[0].PlannedState)); err != nil {
			return cty.DynamicVal, append(diags, kind.Errorf("Provider produced inconsistent final plan", &r,
				"When planning %s again during apply, provider %q changed a value the plan had shown: %v. This is a bug in the provider.", addr, rc.Provider.Name, err))
		}
		planned, private = resps[0].PlannedState, resps[0].PlannedPrivate
	}

	entry := func(v cty.Value, priv []byte, tainted bool) *state.ResourceInstance {
		return &state.ResourceInstance{Addr: addr, Provider: rc.Provider, Type: l.Type, SchemaVersion: schema.Version,
			Value: v, Sensitive: sens, Private: priv, Dependencies: deps, Tainted: tainted}
	}
	v, d := w.applySteps(ctx, rc, l.Type, schema, conn, addr, ch, cfgVal, createPrior, planned, private, entry)
	if l.Applied != nil {
		// The kind hears of the outcome (an app records the sync in its
		// history) before the state is next persisted.
		l.Applied(w, addr, cfgVal, kind.DiagsErr(d))
	}
	return v, append(diags, d...)
}

// applySteps carries out the provider calls of one instance's change.
func (w *applyWalk) applySteps(ctx context.Context, rc *lang.Resource, typeName string, schema sdk.Schema, conn *providerConn, addr addrs.ResourceInstance, ch *plans.ResourceChange,
	cfgVal, createPrior, planned cty.Value, private []byte, entry func(cty.Value, []byte, bool) *state.ResourceInstance) (cty.Value, hcl.Diagnostics) {
	r := rc.DeclRange
	var diags hcl.Diagnostics
	switch ch.Action {
	case plans.Create, plans.Update:
		return w.applyOne(ctx, conn, ch.Action, addr, rc, typeName, cfgVal, ch.Before, planned, private, entry, nil)
	case plans.DeleteThenCreate:
		if _, d := w.applyOne(ctx, conn, plans.Delete, addr, rc, typeName, cty.NullVal(schema.ImpliedType()), ch.Before, cty.NullVal(schema.ImpliedType()), nil, entry, nil); d.HasErrors() {
			return cty.DynamicVal, append(diags, d...)
		}
		return w.applyOne(ctx, conn, plans.Create, addr, rc, typeName, cfgVal, createPrior, planned, private, entry, nil)
	case plans.CreateThenDelete:
		// A create that fails and makes nothing leaves the old object
		// where it was, in state too: it still exists, and no delete
		// was asked of it.
		old := entry(ch.Before, ch.Private, false)
		v, d := w.applyOne(ctx, conn, plans.Create, addr, rc, typeName, cfgVal, createPrior, planned, private, entry, old)
		if d.HasErrors() {
			return v, append(diags, d...)
		}
		// The new object is in state already; the old one is deleted
		// without touching the state entry.
		start := time.Now()
		_, o, d2 := w.applyRaw(ctx, conn, plans.Delete, addr, typeName, rc.Provider, cty.NullVal(schema.ImpliedType()), ch.Before, cty.NullVal(schema.ImpliedType()), ch.Private, old, true)
		w.end(ctx, o, nil)
		if o != nil {
			w.finished(addr, plans.Delete, o.since(start), d2)
		}
		return v, append(append(diags, d...), d2...)
	}
	return cty.DynamicVal, append(diags, kind.Errorf("Unexpected action", &r, "%s has action %s, which a resource block cannot carry out.", addr, ch.Action))
}

// applyOne applies one step and records the outcome in state. keep, when
// not nil, is what state records when the step fails having made nothing
// (the old object of a create_before_destroy replacement), instead of
// nothing.
func (w *applyWalk) applyOne(ctx context.Context, conn *providerConn, action plans.Action, addr addrs.ResourceInstance, rc *lang.Resource, typeName string,
	cfgVal, prior, planned cty.Value, private []byte, entry func(cty.Value, []byte, bool) *state.ResourceInstance, keep *state.ResourceInstance) (cty.Value, hcl.Diagnostics) {
	r := rc.DeclRange
	start := time.Now()
	intent := entry(planned, private, false)
	if action == plans.Delete {
		intent = entry(prior, private, false)
	}
	resp, o, diags := w.applyRaw(ctx, conn, action, addr, typeName, rc.Provider, cfgVal, prior, planned, private, intent, false)
	if o == nil {
		// Not started: apply is stopping.
		return cty.DynamicVal, diags
	}
	if resp == nil {
		// The outcome is unknown: the journal keeps the intent, and the
		// next plan reads it back.
		o.release()
		w.finished(addr, action, o.since(start), diags)
		return cty.DynamicVal, diags
	}
	newVal := resp.NewState
	failed := diags.HasErrors()
	if !failed && !newVal.IsNull() {
		schema, _ := w.typeSchema(false, rc.Provider, typeName)
		if err := checkConforms(withoutLocal(schema, planned), withoutLocal(schema, newVal)); err != nil {
			diags = append(diags, kind.Errorf("Provider produced inconsistent result after apply", &r,
				"Provider %q applied %s but the result differs from the plan: %v. The object is recorded as it is now; this is a bug in the provider.", rc.Provider.Name, addr, err))
		}
	}
	switch {
	case newVal.IsNull() && failed && keep != nil:
		w.end(ctx, o, keep)
		w.a.set(keep)
	case newVal.IsNull():
		w.end(ctx, o, nil)
		w.a.remove(addr)
	default:
		// An object left behind by a failed create is tainted: the next
		// plan replaces it.
		e := entry(newVal, resp.Private, failed && action == plans.Create)
		e.Sensitive = append(append([]cty.Path(nil), e.Sensitive...), resp.SensitivePaths...)
		w.end(ctx, o, e)
		w.a.set(e)
	}
	w.finished(addr, action, o.since(start), diags)
	return newVal, diags
}

// errNotStarted keeps a change from its provider when apply is stopping.
var errNotStarted = errors.New("not started: apply is stopping")

// change is one change a provider was asked for: its ID in the intent
// journal, and its slot in the provider's apply queue.
type change struct {
	id      string
	addr    addrs.ResourceInstance
	release func()
	// started is when the change left the provider's queue (PreApply);
	// zero when it never did.
	started time.Time
}

// since is when the change's time counts from: when the provider started
// it, else (it never left the queue) queued.
func (o *change) since(queued time.Time) time.Time {
	if o == nil || o.started.IsZero() {
		return queued
	}
	return o.started
}

// applyRaw makes the change's intent durable in the journal, then asks
// the provider for it, reporting progress through the hooks. It returns a
// nil change, and starts nothing, when apply is stopping. It records
// nothing in state: the caller records the outcome with end, updates
// state and then calls finished.
func (w *applyWalk) applyRaw(ctx context.Context, conn *providerConn, action plans.Action, addr addrs.ResourceInstance, typeName string, provider addrs.Provider,
	cfgVal, prior, planned cty.Value, private []byte, intent *state.ResourceInstance, deposed bool) (*sdk.ApplyResponse, *change, hcl.Diagnostics) {
	if w.interruptedOrStopped() {
		w.notStarted.Add(1)
		return nil, nil, nil
	}
	o := &change{id: state.NewOperationID(), addr: addr, release: func() {}}
	// The intent is made durable when the change leaves the provider's
	// queue, just before the provider hears of it: never for a change
	// still waiting for a slot.
	notStarted := false
	begin := func() error {
		if w.interruptedOrStopped() {
			notStarted = true
			return errNotStarted
		}
		if w.c.Journal != nil {
			err := w.c.Journal.Begin(ctx, state.Operation{ID: o.id, Addr: addr, Action: action.String(), Planned: intent, Deposed: deposed})
			if err != nil {
				w.stop(err)
				notStarted = true
				return err
			}
		}
		o.started = time.Now()
		w.hooks.PreApply(addr, action)
		return nil
	}
	resp, release, err := conn.apply.Do(ctx, sdk.ApplyRequest{
		Address: addr.String(), TypeName: typeName, Config: cfgVal, PriorState: prior,
		PlannedState: planned, PlannedPrivate: private, OperationID: o.id,
	}, begin, func(msg string) { w.hooks.Progress(addr, msg) })
	o.release = release
	if notStarted {
		release()
		w.notStarted.Add(1)
		return nil, nil, nil
	}
	if err != nil {
		return nil, o, hcl.Diagnostics{kind.Errorf("Apply failed", nil, "Applying %s through provider %q failed: %v", addr, conn.addr.Name, err)}
	}
	return &resp, o, kind.ProviderDiags(resp.Diagnostics, addr.String(), nil)
}

// end makes a change's outcome durable in the journal (now is the
// instance as it is, or nil when gone) and frees its provider slot, if
// the change still holds it, so that the provider never makes more
// changes ahead of what is durable than the parallelism allows. A journal
// that cannot be written stops the apply.
//
// What holds, with changes that free their slot when they only wait
// (see applyQueue):
//
//   - every change a provider hears of has its intent durable in the
//     journal first (begin, in applyRaw), so after a crash at any point
//     the next plan reads back each change whose outcome is not durable:
//     nothing the provider did is untracked;
//   - at most -parallelism changes are being made at once: asked of the
//     provider, and neither recorded here nor waiting (for health, say);
//   - any number of changes may be waiting, each with its intent durable
//     and its outcome recorded by end, then state, in the order they
//     finish, as any other change's.
func (w *applyWalk) end(ctx context.Context, o *change, now *state.ResourceInstance) {
	if o == nil {
		return
	}
	if w.c.Journal != nil {
		if err := w.c.Journal.End(ctx, o.id, o.addr, now); err != nil {
			w.stop(err)
		}
	}
	o.release()
}

// resolveInterrupted records in the journal that the changes an earlier
// apply left unfinished are resolved: the plan read each back, and this
// apply recorded what it found. Each is ended with the instance this
// apply holds at its address (nil when none), not merely marked
// resolved: until the state is written, what the plan adopted (an
// object the interrupted create made) is in no durable record but this
// one, and a crash before the state's write would otherwise make the
// next plan create it again.
func (w *applyWalk) resolveInterrupted(ctx context.Context) {
	if w.c.Journal == nil {
		return
	}
	for _, in := range w.plan.Interrupted {
		if err := w.c.Journal.End(ctx, in.ID, in.Addr, w.a.get(in.Addr)); err != nil {
			w.stop(err)
			return
		}
	}
}

// finished persists the state, which already holds the step's outcome,
// and tells the hooks once that is durable.
func (w *applyWalk) finished(addr addrs.ResourceInstance, action plans.Action, start time.Time, diags hcl.Diagnostics) {
	var err error
	if diags.HasErrors() {
		err = kind.DiagsErr(diags)
	}
	elapsed := time.Since(start)
	journaled := w.c.Journal != nil
	if journaled {
		// The outcome is durable in the journal already; the state is a
		// checkpoint written in the background.
		w.hooks.PostApply(addr, action, err, elapsed)
	}
	w.persist(func(werr error) {
		// The change's outcome is the provider's: a state that cannot be
		// written stops the apply and is reported once, not as this
		// change failing.
		if werr != nil {
			w.stop(fmt.Errorf("writing state: %w", werr))
		}
		if !journaled {
			w.hooks.PostApply(addr, action, err, elapsed)
		}
	})
}

func (w *applyWalk) persist(done func(error)) {
	if done == nil {
		done = func(error) {}
	}
	if w.record == nil {
		done(nil)
		return
	}
	w.record(done)
}

// applyDelete deletes an instance that configuration no longer declares.
func (w *applyWalk) applyDelete(ctx context.Context, ch *plans.ResourceChange) hcl.Diagnostics {
	if forgetOnly(ch) {
		// Nothing to delete outside slipway: forget it.
		w.a.remove(ch.Addr)
		w.persist(nil)
		return nil
	}
	conn := w.conn(ch.Provider)
	if conn == nil {
		return hcl.Diagnostics{kind.Errorf("Provider not available", nil, "%s needs provider %q to be deleted, but it was not started.", ch.Addr, ch.Provider.Name)}
	}
	start := time.Now()
	null := cty.NullVal(ch.Before.Type())
	intent := &state.ResourceInstance{Addr: ch.Addr, Provider: ch.Provider, Type: ch.Type, Value: ch.Before, Private: ch.Private}
	resp, o, diags := w.applyRaw(ctx, conn, plans.Delete, ch.Addr, ch.Type, ch.Provider, null, ch.Before, null, ch.Private, intent, false)
	if o == nil {
		return diags
	}
	switch {
	case resp == nil:
		o.release()
	case resp.NewState.IsNull():
		w.end(ctx, o, nil)
		w.a.remove(ch.Addr)
	default:
		kept := *intent
		kept.Value = resp.NewState
		w.end(ctx, o, &kept)
	}
	w.finished(ch.Addr, plans.Delete, o.since(start), diags)
	return diags
}
