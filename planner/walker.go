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
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/graph"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// nodeKind says what a graph node stands for.
type nodeKind uint8

const (
	localNode nodeKind = iota
	providerNode
	resourceNode
	outputNode
	// deleteNode deletes what state holds but configuration no longer
	// declares: a whole block's instances in plan, one instance in apply.
	deleteNode
)

// node is the key of a graph node.
type node struct {
	kind     nodeKind
	name     string // a local's or an output's name; what a delete node deletes
	provider addrs.Provider
	resource addrs.Resource
}

func localKey(name string) node         { return node{kind: localNode, name: name} }
func providerKey(p addrs.Provider) node { return node{kind: providerNode, provider: p} }
func resourceKey(r addrs.Resource) node { return node{kind: resourceNode, resource: r} }
func outputKey(name string) node        { return node{kind: outputNode, name: name} }
func deleteKey(addr string) node        { return node{kind: deleteNode, name: addr} }
func (n node) String() string {
	switch n.kind {
	case localNode:
		return "local." + n.name
	case providerNode:
		return n.provider.String()
	case resourceNode:
		return n.resource.String()
	case outputNode:
		return "output." + n.name
	}
	return "delete " + n.name
}

// walker is the shared machinery of one plan, apply or validate walk.
type walker struct {
	c     *Context
	cfg   *lang.Config
	scope *scope
	vals  *values
	conns map[addrs.Provider]*providerConn
	// startCtx is what the walk starts providers with: those it starts on
	// demand too (conn).
	startCtx context.Context

	// refs caches each resource block's references.
	refs map[string][]*addrs.Reference
	// prior indexes the prior state's instances by resource, so that a
	// block finds its instances without scanning the whole state.
	prior map[addrs.Resource][]*state.ResourceInstance
	// pins fix what instances are planned from (slipway rollback), by
	// instance address.
	pins map[string]kind.Pin
	// kinds are the block kinds beside resources and sources.
	kinds map[addrs.Kind]kind.Kind
	// offline: the walk only plans, and no provider may reach what it
	// manages (plan -offline).
	offline bool

	mu    sync.Mutex
	diags hcl.Diagnostics
	// expanded hands the instances a kind's Expand found for a block to
	// the planning or applying of the same block (takeExpanded), which
	// would otherwise evaluate, check and iterate its count or for_each
	// again: a for_each over 1,000 directories, twice per plan. Guarded
	// by mu.
	expanded map[addrs.Resource][]kind.Instance

	// memo, in a plan given one (Context.Memo), keeps what kinds recall
	// between plans; memoKeys are this plan's digests for it (memo.go).
	memo     *EvalMemo
	memoKeys memoKeys
}

func newWalker(c *Context) *walker {
	w := &walker{c: c, cfg: c.Config, vals: newValues(), refs: map[string][]*addrs.Reference{},
		prior: map[addrs.Resource][]*state.ResourceInstance{}, kinds: kindMap(c.Kinds)}
	for _, ri := range c.State.Resources {
		w.prior[ri.Addr.Resource] = append(w.prior[ri.Addr.Resource], ri)
		if len(ri.Sensitive) > 0 {
			w.vals.setSensitive(ri.Addr, ri.Sensitive)
		}
	}
	w.scope = newScope(c.Config, c.Variables, w.vals, w.stateValue)
	w.scope.workspace = c.workspace()
	return w
}

// stateValue returns a resource's value from the prior state, shaped as
// expressions see it, for resources no node computes in this walk.
func (w *walker) stateValue(r addrs.Resource) cty.Value {
	rc := w.cfg.Resources[r.String()]
	insts := append([]*state.ResourceInstance(nil), w.prior[r]...)
	if len(insts) == 0 {
		return cty.DynamicVal
	}
	switch {
	case rc != nil && rc.Count != nil:
		sort.Slice(insts, func(i, j int) bool { return insts[i].Addr.Less(insts[j].Addr) })
		vs := make([]cty.Value, len(insts))
		for i, ri := range insts {
			vs[i] = ri.Value
		}
		return cty.TupleVal(vs)
	case rc != nil && rc.ForEach != nil:
		m := map[string]cty.Value{}
		for _, ri := range insts {
			if k, ok := ri.Addr.Key.(addrs.StringKey); ok {
				m[string(k)] = ri.Value
			}
		}
		return cty.ObjectVal(m)
	}
	return insts[0].Value
}

func (w *walker) addDiags(d hcl.Diagnostics) bool {
	if len(d) == 0 {
		return false
	}
	w.mu.Lock()
	w.diags = append(w.diags, d...)
	w.mu.Unlock()
	return d.HasErrors()
}

// guarded runs a node of a walk, and turns a panic in it into an error
// diagnostic of the walk naming the node, with its stack: the graph runs
// each node in a goroutine of its own, whose panic would end the process
// (an agent's, serving other plans, included) with what it holds
// unwritten. The node fails, and the nodes that depend on it are
// skipped, as for any other error.
func (w *walker) guarded(what fmt.Stringer, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.addDiags(hcl.Diagnostics{kind.ErrorDiag("Internal error",
				fmt.Sprintf("slipway failed while it worked on %s: %v. This is a bug in slipway; please report it with the stack below.\n\n%s", what, r, debug.Stack()), nil)})
			err = fmt.Errorf("panic in %s: %v", what, r)
		}
	}()
	return fn()
}

// nodeErr turns a node's diagnostics into the walk's result for it.
func (w *walker) nodeErr(d hcl.Diagnostics) error {
	if w.addDiags(d) {
		return errNodeFailed
	}
	return nil
}

// blockProviders lists the provider configurations a block uses:
// its own for resources and sources, what its kind says for the others.
func (w *walker) blockProviders(rc *lang.Resource) []addrs.Provider {
	if engineKind(rc.Addr.Kind) {
		return []addrs.Provider{rc.Provider}
	}
	if k := w.kinds[rc.Addr.Kind]; k != nil {
		return k.Providers(rc)
	}
	return nil
}

// engineKind reports whether the engine plans a block itself: resources
// and sources. Every other block belongs to a kind.
func engineKind(k addrs.Kind) bool { return k == addrs.Managed || k == addrs.Source }

// neededProviders lists the provider configurations the configuration's
// blocks and the state's resources use: true for those the walk starts
// at once, false for those it starts on demand, which only blocks of a
// kind.ProvidersOnDemand use, only as one of those, and for which the
// configuration has no provider block.
func (w *walker) neededProviders(includeConfig bool) (map[addrs.Provider]bool, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	need := map[addrs.Provider]bool{}
	if includeConfig {
		for _, k := range kind.SortedKeys(w.cfg.Resources) {
			rc := w.cfg.Resources[k]
			var onDemand []addrs.Provider
			if k, ok := w.kinds[rc.Addr.Kind].(kind.ProvidersOnDemand); ok && !engineKind(rc.Addr.Kind) {
				onDemand = k.ProvidersOnDemand(rc)
			}
			for _, pa := range w.blockProviders(rc) {
				block := w.cfg.Providers[pa.Key()]
				if pa.Alias != "" && block == nil {
					r := rc.DeclRange
					diags = append(diags, kind.Errorf("Provider configuration not present", &r,
						"%s refers to %s, but no provider %q block has alias = %q. Add that provider block or remove the provider argument.",
						rc.Addr, pa, pa.Name, pa.Alias))
					continue
				}
				now := !slices.Contains(onDemand, pa) || block != nil
				need[pa] = need[pa] || now
			}
		}
	}
	for _, ri := range w.c.State.Resources {
		// Entries without a provider (a pipeline's runs) are only
		// forgotten, never deleted through a provider.
		if ri.Provider.Name != "" {
			need[ri.Provider] = true
		}
	}
	return need, diags
}

// start starts the providers and checks that every resource type exists.
func (w *walker) start(ctx context.Context, includeConfig bool) hcl.Diagnostics {
	need, diags := w.neededProviders(includeConfig)
	if diags.HasErrors() {
		return diags
	}
	conns, d := w.c.startProviders(ctx, need)
	diags = append(diags, d...)
	w.conns = conns
	w.startCtx = ctx
	if diags.HasErrors() || !includeConfig {
		return diags
	}
	for _, k := range kind.SortedKeys(w.cfg.Resources) {
		rc := w.cfg.Resources[k]
		if engineKind(rc.Addr.Kind) {
			if _, ok := w.schemaOf(rc.Addr, rc.Provider); !ok {
				diags = append(diags, w.unknownTypeDiag(rc))
			}
		} else if k := w.kinds[rc.Addr.Kind]; k != nil {
			diags = append(diags, k.Check(w, rc)...)
		}
	}
	return diags
}

// schemaOf is the schema of a resource or source block's type.
func (w *walker) schemaOf(r addrs.Resource, p addrs.Provider) (sdk.Schema, bool) {
	return w.typeSchema(r.Kind == addrs.Source, p, r.Type)
}

// conn is provider configuration p once started: at once if the walk
// starts it on demand and it has not started yet. It is nil when the
// walk does not use p, or when p failed to start or to be configured,
// which the walk's diagnostics then say.
func (w *walker) conn(p addrs.Provider) *providerConn {
	c := w.conns[p]
	if c == nil || c.demand == nil {
		return c
	}
	c.demand.once.Do(func() { c.demand.ok = w.startOnDemand(c) })
	if !c.demand.ok {
		return nil
	}
	return c
}

// startOnDemand starts and configures provider configuration c, which the
// walk starts only when a block asks for it.
func (w *walker) startOnDemand(c *providerConn) bool {
	ctx := w.startCtx
	if ctx == nil {
		ctx = context.Background()
	}
	started, err := w.c.startConn(ctx, c.addr, c.secrets)
	if err != nil {
		w.addDiags(hcl.Diagnostics{kind.ErrorDiag("Provider failed to start", err.Error(), nil)})
		return false
	}
	// Field by field: demand is read by every caller of conn.
	c.client, c.schemas, c.apply = started.client, started.schemas, started.apply
	c.plan, c.read, c.sources, c.validate = started.plan, started.read, started.sources, started.validate
	if !c.demand.configure {
		return true
	}
	return !w.addDiags(w.configureConn(ctx, c))
}

// typeSchema is the schema of a provider's source or resource type.
func (w *walker) typeSchema(source bool, p addrs.Provider, typ string) (sdk.Schema, bool) {
	conn := w.conn(p)
	if conn == nil {
		return sdk.Schema{}, false
	}
	if source {
		s, ok := conn.schemas.Sources[typ]
		return s, ok
	}
	s, ok := conn.schemas.Resources[typ]
	return s, ok
}

func (w *walker) unknownTypeDiag(rc *lang.Resource) *hcl.Diagnostic {
	var all []string
	for _, conn := range w.conns {
		if conn == nil || conn.schemas == nil {
			continue // started on demand, and not yet
		}
		m := conn.schemas.Resources
		if rc.Addr.Kind == addrs.Source {
			m = conn.schemas.Sources
		}
		for t := range m {
			all = append(all, t)
		}
	}
	what := "resource"
	if rc.Addr.Kind == addrs.Source {
		what = "source"
	}
	detail := fmt.Sprintf("Provider %q has no %s type %q.", rc.Provider.Name, what, rc.Addr.Type)
	if s := lang.Suggest(rc.Addr.Type, all); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	r := rc.TypeRange
	return kind.ErrorDiag("Unsupported "+what+" type", detail, &r)
}

// resourceRefs returns a resource block's references, cached.
func (w *walker) resourceRefs(rc *lang.Resource) ([]*addrs.Reference, hcl.Diagnostics) {
	key := rc.Addr.String()
	w.mu.Lock()
	refs, ok := w.refs[key]
	w.mu.Unlock()
	if ok {
		return refs, nil
	}
	refs, diags := rc.References()
	w.mu.Lock()
	w.refs[key] = refs
	w.mu.Unlock()
	return refs, diags
}

// refNode is the graph node a reference depends on, if any.
func refNode(ref *addrs.Reference) (node, bool) {
	if l, ok := ref.Subject.(addrs.LocalValue); ok {
		return localKey(l.Name), true
	}
	if r, ok := ref.Resource(); ok {
		return resourceKey(r), true
	}
	return node{}, false
}

// buildGraph builds the configuration's dependency graph: locals, provider
// configurations, resource-like blocks and outputs, with an edge for every
// reference, every depends_on and every provider a block uses, and from
// every reader of a source to each block that writes it.
func (w *walker) buildGraph(withOutputs bool) (*graph.Graph[node], hcl.Diagnostics) {
	var diags hcl.Diagnostics
	g := graph.New[node]()
	ranges := map[node]hcl.Range{}
	connect := func(from node, refs []*addrs.Reference) {
		for _, ref := range refs {
			if to, ok := refNode(ref); ok && g.Has(to) {
				g.Connect(from, to)
			}
		}
	}
	for n, l := range w.cfg.Locals {
		g.Add(localKey(n))
		ranges[localKey(n)] = l.DeclRange
	}
	for pa := range w.conns {
		g.Add(providerKey(pa))
	}
	for _, rc := range w.cfg.Resources {
		g.Add(resourceKey(rc.Addr))
		ranges[resourceKey(rc.Addr)] = rc.DeclRange
	}
	if withOutputs {
		for n, o := range w.cfg.Outputs {
			g.Add(outputKey(n))
			ranges[outputKey(n)] = o.DeclRange
		}
	}

	for n, l := range w.cfg.Locals {
		refs, d := lang.ReferencesInExpr(l.Expr)
		diags = append(diags, d...)
		connect(localKey(n), refs)
	}
	for _, p := range w.cfg.Providers {
		if !g.Has(providerKey(p.Addr())) {
			continue
		}
		refs, d := p.References()
		diags = append(diags, d...)
		connect(providerKey(p.Addr()), refs)
	}
	for _, rc := range w.cfg.Resources {
		refs, d := w.resourceRefs(rc)
		diags = append(diags, d...)
		from := resourceKey(rc.Addr)
		connect(from, refs)
		for _, pa := range w.blockProviders(rc) {
			if g.Has(providerKey(pa)) {
				g.Connect(from, providerKey(pa))
			}
		}
	}
	// A block that writes a source comes before whatever else reads that
	// source, so that apply reads it at the new commit.
	for _, rc := range w.cfg.Resources {
		if engineKind(rc.Addr.Kind) || w.kinds[rc.Addr.Kind] == nil {
			continue
		}
		targets := w.kinds[rc.Addr.Kind].Writes(rc)
		if len(targets) == 0 {
			continue
		}
		reads := func(refs []*addrs.Reference) bool {
			for _, ref := range refs {
				if r, ok := ref.Resource(); ok && slices.Contains(targets, r) {
					return true
				}
			}
			return false
		}
		for _, rc2 := range w.cfg.Resources {
			if rc2 == rc || rc2.Addr.Kind == addrs.Source {
				continue
			}
			if refs, _ := w.resourceRefs(rc2); reads(refs) {
				g.Connect(resourceKey(rc2.Addr), resourceKey(rc.Addr))
			}
		}
		if withOutputs {
			for n, o := range w.cfg.Outputs {
				if refs, _ := o.References(); reads(refs) {
					g.Connect(outputKey(n), resourceKey(rc.Addr))
				}
			}
		}
	}
	if withOutputs {
		for n, o := range w.cfg.Outputs {
			refs, d := o.References()
			diags = append(diags, d...)
			connect(outputKey(n), refs)
		}
	}
	for _, cyc := range g.Cycles() {
		r := ranges[cyc[0]]
		diags = append(diags, kind.Errorf("Cycle in configuration", &r,
			"These blocks refer to each other in a circle, so none can be evaluated first: %s. Break the cycle by removing one of the references.",
			graph.FormatCycle(cyc)))
	}
	return g, diags
}

// configureProvider evaluates a provider block and configures the
// provider: the walk's node of the provider does, unless the provider is
// started on demand, which configures it once started.
func (w *walker) configureProvider(ctx context.Context, pa addrs.Provider) hcl.Diagnostics {
	conn := w.conns[pa]
	if conn == nil {
		return nil
	}
	if conn.demand != nil {
		// Every block that may ask for it comes after this node.
		conn.demand.configure = true
		return nil
	}
	return w.configureConn(ctx, conn)
}

// configureConn evaluates the provider block of conn and configures it.
func (w *walker) configureConn(ctx context.Context, conn *providerConn) hcl.Diagnostics {
	pa := conn.addr
	schema := conn.schemas.Provider
	key := pa.Key()
	var diags hcl.Diagnostics
	cfgVal := cty.NullVal(schema.ImpliedType())
	var subject *hcl.Range
	var body hcl.Body
	if pb := w.cfg.Providers[key]; pb != nil {
		body = pb.Config
		refs, d := pb.References()
		diags = append(diags, d...)
		v, d := decodeBody(pb.Config, schema, w.scope.evalContext(refs, nil))
		diags = append(diags, d...)
		if diags.HasErrors() {
			return diags
		}
		cfgVal, _ = unmarkSensitive(v)
		r := pb.DeclRange
		subject = &r
	} else {
		cfgVal = fillObject(schema, cty.EmptyObjectVal)
	}
	if w.offline && !conn.schemas.Metadata.Offline {
		// It could not keep off what it manages: it is not configured,
		// and its instances are not planned.
		return diags
	}
	pd, err := conn.client.ConfigureWith(ctx, sdk.ConfigureRequest{Config: cfgVal, Offline: w.offline})
	maskDiags(pd, conn.secrets.strings())
	err = maskErr(err, conn.secrets.strings())
	if err != nil {
		return append(diags, kind.Errorf("Provider failed to configure", subject, "provider %q: %v", pa.Name, err))
	}
	return append(diags, providerDiagsIn(pd, pa.String(), subject, body)...)
}

// repOf is what each.* and count.* mean in an instance the engine
// expanded.
func repOf(in kind.Instance) *repetition {
	r, _ := in.Rep.(*repetition)
	return r
}

// newInstance is one instance of a block, with the pin -target plans it
// from, if any.
func (w *walker) newInstance(addr addrs.ResourceInstance, rep *repetition) kind.Instance {
	in := kind.Instance{Addr: addr}
	if rep != nil {
		in.Rep = rep
	}
	if p, ok := w.pins[addr.String()]; ok {
		in.Pin = &p
	}
	return in
}

// takeExpanded is the block's instances as the kind's Expand just found
// them in this walk, or expands the block.
func (w *walker) takeExpanded(rc *lang.Resource) ([]kind.Instance, hcl.Diagnostics) {
	w.mu.Lock()
	insts, ok := w.expanded[rc.Addr]
	delete(w.expanded, rc.Addr)
	w.mu.Unlock()
	if ok {
		return insts, nil
	}
	return w.expand(rc)
}

// expand evaluates count or for_each into the block's instances.
func (w *walker) expand(rc *lang.Resource) ([]kind.Instance, hcl.Diagnostics) {
	switch {
	case rc.Count != nil:
		v, diags := w.scope.evalExpr(rc.Count, nil)
		if diags.HasErrors() {
			return nil, diags
		}
		r := rc.Count.Range()
		if d := sensitiveRepetition(rc, v); d != nil {
			return nil, append(diags, d)
		}
		v, _ = v.UnmarkDeep()
		if !v.IsKnown() {
			return nil, append(diags, kind.ErrorDiag("Invalid count argument",
				"The count value depends on values that are known only after apply, so slipway cannot tell how many instances to plan. Use -target to apply what it depends on first, or compute count from variables.", &r))
		}
		if v.IsNull() || v.Type() != cty.Number {
			return nil, append(diags, kind.ErrorDiag("Invalid count argument", "count must be a whole number, not "+short(v)+".", &r))
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 {
			return nil, append(diags, kind.ErrorDiag("Invalid count argument", "count must be a whole number zero or greater, not "+short(v)+".", &r))
		}
		if d := tooManyInstances(fmt.Sprintf("count is %d", n), n, &r); d != nil {
			return nil, append(diags, d)
		}
		out := make([]kind.Instance, n)
		for i := range out {
			k := addrs.IntKey(i)
			out[i] = w.newInstance(rc.Addr.Instance(k), &repetition{key: k})
		}
		return out, diags
	case rc.ForEach != nil:
		v, diags := w.scope.evalExpr(rc.ForEach, nil)
		if diags.HasErrors() {
			return nil, diags
		}
		if d := sensitiveRepetition(rc, v); d != nil {
			return nil, append(diags, d)
		}
		// Marks left are on a map's values: each.value keeps them.
		v, _ = v.Unmark()
		r := rc.ForEach.Range()
		// A set's elements are read once: cty sorts a set at every
		// iteration, and a set of 1,000 directories iterated for each
		// check cost more than the rest of the expansion.
		var elems []cty.Value
		wholly := false
		if v.IsKnown() && !v.IsNull() && v.Type().IsSetType() {
			elems = v.AsValueSlice()
			wholly = true
			for _, e := range elems {
				if !e.IsWhollyKnown() {
					wholly = false
					break
				}
			}
		} else {
			wholly = v.IsWhollyKnown()
		}
		if !wholly && !(v.IsKnown() && (v.Type().IsMapType() || v.Type().IsObjectType())) {
			return nil, append(diags, kind.ErrorDiag("Invalid for_each argument",
				"The for_each keys depend on values that are known only after apply, so slipway cannot tell which instances to plan. Use keys known at plan time, such as variables or a source's directories.", &r))
		}
		if v.IsNull() {
			return nil, append(diags, kind.ErrorDiag("Invalid for_each argument", "for_each must be a map, an object or a set of strings, not null.", &r))
		}
		ty := v.Type()
		if ty.IsMapType() || ty.IsObjectType() || ty.IsSetType() {
			n := v.LengthInt()
			if d := tooManyInstances(fmt.Sprintf("for_each has %d elements", n), int64(n), &r); d != nil {
				return nil, append(diags, d)
			}
		}
		var out []kind.Instance
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				key := addrs.StringKey(k.AsString())
				out = append(out, w.newInstance(rc.Addr.Instance(key), &repetition{key: key, eachValue: ev}))
			}
		case ty.IsSetType() && v.LengthInt() == 0:
			// An empty set has no elements to type: toset([]), or a
			// filter that kept nothing, is a set of dynamic values. It
			// makes no instances, as Terraform's for_each does.
		case ty.IsSetType() && ty.ElementType() == cty.String:
			for _, ev := range elems {
				if ev.IsNull() {
					return nil, append(diags, kind.ErrorDiag("Invalid for_each argument", "for_each sets may not contain null.", &r))
				}
				key := addrs.StringKey(ev.AsString())
				out = append(out, w.newInstance(rc.Addr.Instance(key), &repetition{key: key, eachValue: ev}))
			}
		default:
			return nil, append(diags, kind.ErrorDiag("Invalid for_each argument",
				"for_each must be a map, an object or a set of strings, not "+ty.FriendlyName()+". To use a list, convert it with toset(...).", &r))
		}
		return out, diags
	}
	return []kind.Instance{w.newInstance(rc.Addr.Instance(addrs.NoKey), nil)}, nil
}

// MaxInstancesEnv is the environment variable that sets how many
// instances count or for_each may make of one block.
const MaxInstancesEnv = "SLIPWAY_MAX_INSTANCES"

// DefaultMaxInstances is the limit on the instances of one block when
// SLIPWAY_MAX_INSTANCES is not set.
const DefaultMaxInstances = 100_000

// tooManyInstances refuses n instances of one block, what being what the
// configuration says ("count is 10000000"), when n is over the limit, and
// refuses a SLIPWAY_MAX_INSTANCES that is not a limit. It is checked
// before any instance is built: each one is planned, shown and kept in
// state, and ten million of them used up all memory with nothing said.
func tooManyInstances(what string, n int64, rng *hcl.Range) *hcl.Diagnostic {
	limit := int64(DefaultMaxInstances)
	if s := os.Getenv(MaxInstancesEnv); s != "" {
		l, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || l < 1 {
			return kind.ErrorDiag("Invalid "+MaxInstancesEnv,
				fmt.Sprintf("The environment variable %s is %q, but it must be a whole number greater than zero: how many instances count or for_each may make of one block (%d when it is not set).",
					MaxInstancesEnv, s, DefaultMaxInstances), rng)
		}
		limit = l
	}
	if n <= limit {
		return nil
	}
	return kind.ErrorDiag("Too many instances",
		fmt.Sprintf("%s, more than the %d instances slipway makes of one block. Each instance is planned, shown and recorded in state on its own, so this many would take more memory and time than planning can give. "+
			"Make fewer instances, or, if you mean to manage this many, raise the limit with the environment variable %s (for example %s=%d).",
			what, limit, MaxInstancesEnv, MaxInstancesEnv, n), rng)
}

// sensitiveRepetition refuses a sensitive count or sensitive for_each
// keys, as Terraform does: instance keys are addresses, which every plan,
// every apply and the state show in clear. A for_each map may hold
// sensitive values, which stay sensitive in each.value; its keys are
// sensitive when the map as a whole is marked, and a set's elements are
// its keys.
func sensitiveRepetition(rc *lang.Resource, v cty.Value) *hcl.Diagnostic {
	switch {
	case rc.Count != nil && lang.IsSensitive(v):
		r := rc.Count.Range()
		return kind.ErrorDiag("Invalid count argument",
			"The count value is sensitive: it comes from a sensitive variable, and the number of instances would show it in every plan and in state. "+
				"Compute count from values that are not sensitive, or, if this value is not secret, wrap it in nonsensitive(...).", &r)
	case rc.ForEach != nil && v.HasMark(kind.SensitiveMark):
		// A set's elements are its keys, and a set holds no marks of its
		// own: cty moves its elements' marks onto the set.
		r := rc.ForEach.Range()
		return kind.ErrorDiag("Invalid for_each argument",
			"The for_each value is sensitive: it comes from a sensitive variable, and its keys would become instance addresses, which every plan, every apply and slipway state list show in clear. "+
				"Keep secrets in the values of a for_each map, not in its keys: for_each = { NAME = var.secret } gives each.value, which stays sensitive. "+
				"If the keys are not secret, wrap the value in nonsensitive(...).", &r)
	}
	return nil
}

// checkRepetition evaluates count or for_each only to refuse sensitive
// values, for validate, where every other reference is unknown but
// sensitive variables are still marked.
func (w *walker) checkRepetition(rc *lang.Resource) hcl.Diagnostics {
	expr := rc.Count
	if expr == nil {
		expr = rc.ForEach
	}
	if expr == nil {
		return nil
	}
	v, diags := w.scope.evalExpr(expr, nil)
	if diags.HasErrors() {
		// Plan reports them, with the values known.
		return nil
	}
	if d := sensitiveRepetition(rc, v); d != nil {
		return hcl.Diagnostics{d}
	}
	return nil
}

// aggregate shapes the instance values of a block the way expressions
// see it: an object, a tuple for count, an object keyed by each.key.
func aggregate(rc *lang.Resource, insts []kind.Instance, vals []cty.Value) cty.Value {
	switch {
	case rc.Count != nil:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case rc.ForEach != nil:
		m := make(map[string]cty.Value, len(vals))
		for i, in := range insts {
			m[string(in.Addr.Key.(addrs.StringKey))] = vals[i]
		}
		return cty.ObjectVal(m)
	}
	if len(vals) == 0 {
		return cty.DynamicVal
	}
	return vals[0]
}

// configFunc evaluates one instance's configuration against a schema.
type configFunc func(rc *lang.Resource, schema sdk.Schema, ectx *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics)

// bodyConfig is the configuration of a resource or source block: its
// body, decoded against the schema.
func bodyConfig(rc *lang.Resource, schema sdk.Schema, ectx *hcl.EvalContext, _ kind.Instance) (cty.Value, hcl.Diagnostics) {
	return decodeBody(rc.Config, schema, ectx)
}

// evalResourceConfig evaluates one instance's configuration, returning
// the value and the paths that hold sensitive values.
func (w *walker) evalResourceConfig(rc *lang.Resource, schema sdk.Schema, in kind.Instance, config configFunc) (cty.Value, []cty.Path, hcl.Diagnostics) {
	refs, diags := w.resourceRefs(rc)
	if diags.HasErrors() {
		return cty.DynamicVal, nil, diags
	}
	ectx := w.scope.evalContext(refs, repOf(in))
	if !engineKind(rc.Addr.Kind) {
		// A kind's lowering reads the values itself.
		ectx = w.scope.kindContext(refs, repOf(in))
	}
	v, d := config(rc, schema, ectx, in)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return cty.DynamicVal, nil, diags
	}
	v, paths := unmarkSensitive(v)
	if len(paths) > 0 {
		// What the provider computes from a sensitive input may show it
		// (a file's id is its path): all of it is sensitive.
		paths = append(paths, computedPaths(schema, v)...)
		// And what the provider says may quote a value computed from a
		// secret (a path holding its sha256): mask those too.
		w.c.secrets.add(lang.DerivedSecrets(rc.Config, ectx))
	}
	schemaPaths := schema.SensitivePathsOf(v)
	paths = append(paths, schemaPaths...)
	// A provider's messages and logs may quote a value the schema calls
	// sensitive (a token in an error): mask those as secrets too.
	w.c.secrets.add(sensitiveStrings(v, schemaPaths))
	w.vals.setSensitive(in.Addr, paths)
	return v, paths, diags
}

// computedPaths lists the attributes the provider computes for a
// configuration: those it may set that the configuration leaves null.
func computedPaths(schema sdk.Schema, cfg cty.Value) []cty.Path {
	if !cfg.Type().IsObjectType() || !cfg.IsKnown() || cfg.IsNull() {
		return nil
	}
	var out []cty.Path
	for _, name := range kind.SortedKeys(schema.Attributes) {
		if schema.Attributes[name].Computed && cfg.Type().HasAttribute(name) && cfg.GetAttr(name).IsNull() {
			out = append(out, cty.GetAttrPath(name))
		}
	}
	return out
}

// notRun reports, as internal errors, the nodes of a walk that could
// never run (graph.ErrNotRun): nothing else would say that the changes
// they stood for were left undone.
func notRun(results map[node]error) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, n := range slices.SortedFunc(maps.Keys(results), func(a, b node) int { return strings.Compare(a.String(), b.String()) }) {
		if err := results[n]; errors.Is(err, graph.ErrNotRun) {
			out = append(out, kind.ErrorDiag("Internal error",
				fmt.Sprintf("slipway could not carry out %s: %v. Nothing that waits on it was done either. This is a bug in slipway; please report it.", n, err), nil))
		}
	}
	return out
}

// evalLocal evaluates the local value of node n, for a walk's local
// nodes.
func (w *walker) evalLocal(n node) error {
	l := w.cfg.Locals[n.name]
	v, d := w.scope.evalExpr(l.Expr, nil)
	w.vals.setLocal(l.Name, v)
	return w.nodeErr(d)
}
