package planner

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/graph"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// node kinds of the graph, by name prefix.
const (
	localPrefix    = "local."
	providerPrefix = "provider."
	outputPrefix   = "output."
	// orphanPrefix names nodes that delete resources which are in state
	// but no longer in configuration.
	orphanPrefix = "orphan "
)

// walker is the shared machinery of one plan, apply or validate walk.
type walker struct {
	c     *Context
	cfg   *lang.Config
	scope *scope
	vals  *values
	conns map[addrs.Provider]*providerConn

	// refs caches each resource block's references.
	refs map[string][]*addrs.Reference
	// prior indexes the prior state's instances by resource, so that a
	// block finds its instances without scanning the whole state.
	prior map[addrs.Resource][]*state.ResourceInstance
	// rollback pins apps to recorded syncs, by instance address.
	rollback map[string]SyncRecord

	mu    sync.Mutex
	diags hcl.Diagnostics
}

func newWalker(c *Context) *walker {
	w := &walker{c: c, cfg: c.Config, vals: newValues(), refs: map[string][]*addrs.Reference{},
		prior: map[addrs.Resource][]*state.ResourceInstance{}}
	for _, ri := range c.State.Resources {
		w.prior[ri.Addr.Resource] = append(w.prior[ri.Addr.Resource], ri)
	}
	w.scope = newScope(c.Config, c.Variables, w.vals, w.stateValue)
	return w
}

// stateValue returns a resource's value from the prior state, shaped as
// expressions see it, for resources no node computes in this walk.
func (w *walker) stateValue(r addrs.Resource) cty.Value {
	{
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

// nodeErr turns a node's diagnostics into the walk's result for it.
func (w *walker) nodeErr(d hcl.Diagnostics) error {
	if w.addDiags(d) {
		return errNodeFailed
	}
	return nil
}

// neededProviders lists the provider configurations the configuration's
// resources and the state's resources use.
func (w *walker) neededProviders(includeConfig bool) (map[addrs.Provider]bool, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	need := map[addrs.Provider]bool{}
	if includeConfig {
		for _, rc := range w.cfg.Resources {
			if !managedByProvider(rc.Addr) {
				continue
			}
			if rc.Provider.Alias != "" && w.cfg.Providers[rc.Provider.Name+"."+rc.Provider.Alias] == nil {
				r := rc.DeclRange
				diags = append(diags, errorf("Provider configuration not present", &r,
					"%s refers to %s, but no provider %q block has alias = %q. Add that provider block or remove the provider argument.",
					rc.Addr, rc.Provider, rc.Provider.Name, rc.Provider.Alias))
				continue
			}
			need[rc.Provider] = true
		}
		for _, rc := range w.cfg.Resources {
			for _, pa := range pipelineProviders(rc) {
				need[pa] = true
			}
		}
	}
	for _, ri := range w.c.State.Resources {
		if managedByProvider(ri.Addr.Resource) {
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
	if diags.HasErrors() || !includeConfig {
		return diags
	}
	for _, rc := range w.cfg.Resources {
		if !managedByProvider(rc.Addr) {
			continue
		}
		if _, ok := w.schemaOf(rc.Addr, rc.Provider); !ok {
			diags = append(diags, w.unknownTypeDiag(rc))
		}
	}
	return diags
}

func (w *walker) schemaOf(r addrs.Resource, p addrs.Provider) (sdk.Schema, bool) {
	conn := w.conns[p]
	if conn == nil {
		return sdk.Schema{}, false
	}
	var s sdk.Schema
	var ok bool
	switch r.Kind {
	case addrs.Source:
		s, ok = conn.schemas.Sources[r.Type]
	case addrs.App:
		s, ok = conn.schemas.Resources[appTypeFor(r, p)]
	default:
		s, ok = conn.schemas.Resources[r.Type]
	}
	return s, ok
}

func (w *walker) unknownTypeDiag(rc *lang.Resource) *hcl.Diagnostic {
	var all []string
	for _, conn := range w.conns {
		m := conn.schemas.Resources
		if rc.Addr.Kind == addrs.Source {
			m = conn.schemas.Sources
		}
		for t := range m {
			all = append(all, t)
		}
	}
	kind := "resource"
	if rc.Addr.Kind == addrs.Source {
		kind = "source"
	}
	if rc.Addr.Kind == addrs.App {
		r := rc.DeclRange
		return errorf("Apps are not supported by this provider", &r,
			"%s syncs through provider %q, which has no %q resource type. Apps of manifests need the kubernetes provider, apps of helm charts the helm provider.", rc.Addr, rc.Provider.Name, typeOf(rc))
	}
	detail := fmt.Sprintf("Provider %q has no %s type %q.", rc.Provider.Name, kind, rc.Addr.Type)
	if s := lang.Suggest(rc.Addr.Type, all); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	r := rc.TypeRange
	return errorDiag("Unsupported "+kind+" type", detail, &r)
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

// refResource is the resource a reference names, if it names one.
func refResource(ref *addrs.Reference) (addrs.Resource, bool) {
	switch s := ref.Subject.(type) {
	case addrs.Resource:
		return s, true
	case addrs.ResourceInstance:
		return s.Resource, true
	}
	return addrs.Resource{}, false
}

// refNode names the graph node a reference depends on, or "".
func refNode(ref *addrs.Reference) string {
	switch s := ref.Subject.(type) {
	case addrs.LocalValue:
		return localPrefix + s.Name
	case addrs.Resource:
		return s.String()
	case addrs.ResourceInstance:
		return s.Resource.String()
	}
	return ""
}

// buildGraph builds the configuration's dependency graph: locals, provider
// configurations, resource-like blocks and outputs, with an edge for every
// reference, every depends_on and every resource's provider.
func (w *walker) buildGraph(withOutputs bool) (*graph.Graph, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	g := graph.New()
	ranges := map[string]hcl.Range{}
	connect := func(from string, refs []*addrs.Reference) {
		for _, ref := range refs {
			if to := refNode(ref); to != "" && g.Has(to) {
				g.Connect(from, to)
			}
		}
	}
	for n, l := range w.cfg.Locals {
		g.Add(localPrefix + n)
		ranges[localPrefix+n] = l.DeclRange
	}
	for pa := range w.conns {
		g.Add(pa.String())
	}
	for k, rc := range w.cfg.Resources {
		g.Add(k)
		ranges[k] = rc.DeclRange
	}
	if withOutputs {
		for n, o := range w.cfg.Outputs {
			g.Add(outputPrefix + n)
			ranges[outputPrefix+n] = o.DeclRange
		}
	}

	for n, l := range w.cfg.Locals {
		refs, d := lang.ReferencesInExpr(l.Expr)
		diags = append(diags, d...)
		connect(localPrefix+n, refs)
	}
	for _, p := range w.cfg.Providers {
		if !g.Has(p.Addr().String()) {
			continue
		}
		refs, d := p.References()
		diags = append(diags, d...)
		connect(p.Addr().String(), refs)
	}
	for k, rc := range w.cfg.Resources {
		refs, d := w.resourceRefs(rc)
		diags = append(diags, d...)
		connect(k, refs)
		if managedByProvider(rc.Addr) && g.Has(rc.Provider.String()) {
			g.Connect(k, rc.Provider.String())
		}
		for _, pa := range pipelineProviders(rc) {
			if g.Has(pa.String()) {
				g.Connect(k, pa.String())
			}
		}
	}
	// A promote writes a source: whatever else reads that source comes
	// after the pipeline, so that apply can sync it at the new commit.
	for k, rc := range w.cfg.Resources {
		targets := promoteTargets(rc)
		if len(targets) == 0 {
			continue
		}
		reads := func(refs []*addrs.Reference) bool {
			for _, ref := range refs {
				if n := refNode(ref); n != "" && slices.ContainsFunc(targets, func(t addrs.Resource) bool { return t.String() == n }) {
					return true
				}
			}
			return false
		}
		for k2, rc2 := range w.cfg.Resources {
			if k2 == k || rc2.Addr.Kind == addrs.Source {
				continue
			}
			if refs, _ := w.resourceRefs(rc2); reads(refs) {
				g.Connect(k2, k)
			}
		}
		if withOutputs {
			for n, o := range w.cfg.Outputs {
				if refs, _ := o.References(); reads(refs) {
					g.Connect(outputPrefix+n, k)
				}
			}
		}
	}
	if withOutputs {
		for n, o := range w.cfg.Outputs {
			refs, d := o.References()
			diags = append(diags, d...)
			connect(outputPrefix+n, refs)
		}
	}
	for _, cyc := range g.Cycles() {
		r := ranges[cyc[0]]
		diags = append(diags, errorf("Cycle in configuration", &r,
			"These blocks refer to each other in a circle, so none can be evaluated first: %s. Break the cycle by removing one of the references.",
			graph.FormatCycle(cyc)))
	}
	return g, diags
}

// configureProvider evaluates a provider block and configures the provider.
func (w *walker) configureProvider(ctx context.Context, pa addrs.Provider) hcl.Diagnostics {
	conn := w.conns[pa]
	if conn == nil {
		return nil
	}
	schema := conn.schemas.Provider
	key := pa.Name
	if pa.Alias != "" {
		key += "." + pa.Alias
	}
	var diags hcl.Diagnostics
	cfgVal := cty.NullVal(schema.ImpliedType())
	var subject *hcl.Range
	if pb := w.cfg.Providers[key]; pb != nil {
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
	pd, err := conn.client.Configure(ctx, cfgVal)
	if err != nil {
		return append(diags, errorf("Provider failed to configure", subject, "provider %q: %v", pa.Name, err))
	}
	return append(diags, providerDiags(pd, pa.String(), subject)...)
}

// providerDiags converts a provider's diagnostics, pointing them at the
// block they concern.
func providerDiags(pd sdk.Diagnostics, who string, subject *hcl.Range) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range pd {
		sev := hcl.DiagError
		if d.Severity == sdk.Warning {
			sev = hcl.DiagWarning
		}
		detail := d.Detail
		if len(d.Attribute) > 0 {
			detail = fmt.Sprintf("%s (attribute %s)", detail, pathString(d.Attribute))
		}
		if who != "" && !strings.Contains(detail, who) {
			detail = strings.TrimSpace(detail + "\n\nReported by the provider for " + who + ".")
		}
		out = append(out, &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: detail, Subject: subject})
	}
	return out
}

// instance is one expanded instance of a resource block.
type instance struct {
	addr addrs.ResourceInstance
	rep  *repetition
}

// expand evaluates count or for_each into the block's instances.
func (w *walker) expand(rc *lang.Resource) ([]instance, hcl.Diagnostics) {
	switch {
	case rc.Count != nil:
		v, diags := w.scope.evalExpr(rc.Count, nil)
		if diags.HasErrors() {
			return nil, diags
		}
		r := rc.Count.Range()
		if !v.IsKnown() {
			return nil, append(diags, errorDiag("Invalid count argument",
				"The count value depends on values that are known only after apply, so slipway cannot tell how many instances to plan. Use -target to apply what it depends on first, or compute count from variables.", &r))
		}
		if v.IsNull() || v.Type() != cty.Number {
			return nil, append(diags, errorDiag("Invalid count argument", "count must be a whole number, not "+short(v)+".", &r))
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != 0 || n < 0 {
			return nil, append(diags, errorDiag("Invalid count argument", "count must be a whole number zero or greater, not "+short(v)+".", &r))
		}
		out := make([]instance, n)
		for i := range out {
			k := addrs.IntKey(i)
			out[i] = instance{addr: rc.Addr.Instance(k), rep: &repetition{key: k}}
		}
		return out, diags
	case rc.ForEach != nil:
		v, diags := w.scope.evalExpr(rc.ForEach, nil)
		if diags.HasErrors() {
			return nil, diags
		}
		v, _ = v.Unmark()
		r := rc.ForEach.Range()
		if !v.IsWhollyKnown() && !(v.IsKnown() && (v.Type().IsMapType() || v.Type().IsObjectType())) {
			return nil, append(diags, errorDiag("Invalid for_each argument",
				"The for_each keys depend on values that are known only after apply, so slipway cannot tell which instances to plan. Use keys known at plan time, such as variables or a source's directories.", &r))
		}
		if v.IsNull() {
			return nil, append(diags, errorDiag("Invalid for_each argument", "for_each must be a map, an object or a set of strings, not null.", &r))
		}
		ty := v.Type()
		var out []instance
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				key := addrs.StringKey(k.AsString())
				out = append(out, instance{addr: rc.Addr.Instance(key), rep: &repetition{key: key, eachValue: ev}})
			}
		case ty.IsSetType() && ty.ElementType() == cty.String:
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if ev.IsNull() {
					return nil, append(diags, errorDiag("Invalid for_each argument", "for_each sets may not contain null.", &r))
				}
				key := addrs.StringKey(ev.AsString())
				out = append(out, instance{addr: rc.Addr.Instance(key), rep: &repetition{key: key, eachValue: ev}})
			}
		default:
			return nil, append(diags, errorDiag("Invalid for_each argument",
				"for_each must be a map, an object or a set of strings, not "+ty.FriendlyName()+". To use a list, convert it with toset(...).", &r))
		}
		return out, diags
	}
	return []instance{{addr: rc.Addr.Instance(addrs.NoKey), rep: nil}}, nil
}

// aggregate shapes the instance values of a block the way expressions
// see it: an object, a tuple for count, an object keyed by each.key.
func aggregate(rc *lang.Resource, insts []instance, vals []cty.Value) cty.Value {
	switch {
	case rc.Count != nil:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case rc.ForEach != nil:
		m := make(map[string]cty.Value, len(vals))
		for i, in := range insts {
			m[string(in.addr.Key.(addrs.StringKey))] = vals[i]
		}
		return cty.ObjectVal(m)
	}
	if len(vals) == 0 {
		return cty.DynamicVal
	}
	return vals[0]
}

// evalResourceConfig decodes one instance's configuration against the
// schema, returning the value and the paths that hold sensitive values.
func (w *walker) evalResourceConfig(rc *lang.Resource, schema sdk.Schema, in instance) (cty.Value, []cty.Path, hcl.Diagnostics) {
	refs, diags := w.resourceRefs(rc)
	if diags.HasErrors() {
		return cty.DynamicVal, nil, diags
	}
	ectx := w.scope.evalContext(refs, in.rep)
	var v cty.Value
	var d hcl.Diagnostics
	if rc.Addr.Kind == addrs.App {
		v, d = decodeApp(rc, schema, ectx)
	} else {
		v, d = decodeBody(rc.Config, schema, ectx)
	}
	diags = append(diags, d...)
	if diags.HasErrors() {
		return cty.DynamicVal, nil, diags
	}
	v, paths := unmarkSensitive(v)
	paths = append(paths, schema.SensitivePaths()...)
	if rec, ok := w.rollback[in.addr.String()]; ok && v.IsKnown() && !v.IsNull() {
		m := v.AsValueMap()
		m[appDirAttr(v)], m["revision"] = cty.StringVal(rec.ManifestsDir), cty.StringVal(rec.Revision)
		v = cty.ObjectVal(m)
	}
	return v, paths, diags
}
