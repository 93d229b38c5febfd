package planner

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// The providers pipelines use for images and promotes.
var (
	registryProvider = addrs.Provider{Name: "registry"}
	gitProvider      = addrs.Provider{Name: "git"}
)

// pipelineProviders lists the providers a pipeline block needs, from its
// syntax: registry for image blocks, git for promote blocks.
func pipelineProviders(rc *lang.Resource) []addrs.Provider {
	sb, ok := rc.Config.(*hclsyntax.Body)
	if !ok || rc.Addr.Kind != addrs.Pipeline {
		return nil
	}
	var out []addrs.Provider
	for _, b := range sb.Blocks {
		switch b.Type {
		case "image":
			if !slices.Contains(out, registryProvider) {
				out = append(out, registryProvider)
			}
		case "promote":
			if !slices.Contains(out, gitProvider) {
				out = append(out, gitProvider)
			}
		}
	}
	return out
}

// pendingWrite is a source a pipeline of this plan will commit to.
type pendingWrite struct {
	by addrs.ResourceInstance
	// images are the repositories whose references the promotes rewrite;
	// other edits (a YAML value, a whole file) may change anything.
	images []string
	other  bool
}

// workspaceOf is a pipeline instance's workspace directory.
func (w *walker) workspaceOf(addr addrs.ResourceInstance) string {
	dir, err := filepath.Abs(pipelineDir(w.cfg.Dir, pipelineName(addr)))
	if err != nil {
		dir = pipelineDir(w.cfg.Dir, pipelineName(addr))
	}
	return filepath.Join(dir, "workspace")
}

// planPipeline decides, for every instance of a pipeline block, whether
// it runs, and plans the images it would push and the commits it would
// make.
func (w *planWalk) planPipeline(ctx context.Context, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := w.expand(rc)
	if diags.HasErrors() {
		return diags
	}
	refs, d := w.resourceRefs(rc)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return diags
	}
	current := map[string]bool{}
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		current[in.addr.String()] = true
		prior := w.c.State.Resources[in.addr.String()]
		priorVal := cty.NullVal(pipelineValueType)
		if prior != nil {
			priorVal = prior.Value
		}
		if !w.targeted(in.addr) {
			vals[i] = priorVal
			continue
		}
		ectx := w.scope.evalContext(refs, in.rep)
		ps, d := decodePipeline(rc, in.addr, ectx, w.workspaceOf(in.addr), nil)
		diags = append(diags, d...)
		if ps == nil {
			vals[i] = cty.DynamicVal
			continue
		}
		ch, d := w.planPipelineInstance(ctx, ps, prior, priorVal)
		diags = append(diags, d...)
		if ch == nil {
			vals[i] = cty.DynamicVal
			continue
		}
		w.addChange(ch)
		vals[i] = ch.After
	}
	for _, ri := range w.prior[rc.Addr] {
		if !current[ri.Addr.String()] && w.targeted(ri.Addr) {
			reason := plans.ReasonCountIndex
			if _, ok := ri.Addr.Key.(addrs.StringKey); ok {
				reason = plans.ReasonEachKey
			}
			w.addChange(deleteChange(ri, reason))
		}
	}
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
	return diags
}

// planPipelineInstance plans one pipeline instance.
func (w *planWalk) planPipelineInstance(ctx context.Context, ps *pipelineSpec, prior *state.ResourceInstance, priorVal cty.Value) (*plans.ResourceChange, hcl.Diagnostics) {
	ch := &plans.ResourceChange{Addr: ps.addr, Type: pipelineType, Before: priorVal, After: priorVal, Action: plans.NoOp, NestedFrom: pipelineNestedFrom}
	if prior == nil {
		ch.Before = cty.NullVal(pipelineValueType)
	}
	priorInputs := map[string]string{}
	lastRun := cty.NullVal(pipelineRunType)
	if prior != nil && prior.Value.Type().IsObjectType() {
		if v := prior.Value.GetAttr("inputs"); !v.IsNull() {
			for k, e := range v.AsValueMap() {
				priorInputs[k] = e.AsString()
			}
		}
		if prior.Value.Type().HasAttribute("run") {
			lastRun = prior.Value.GetAttr("run")
		}
	}
	switch {
	case !ps.run:
		ch.ReasonDetail = "skipped: " + ps.skipWhy
		return ch, nil
	case slices.Contains(w.opts.Replace, ps.addr):
		ch.Action, ch.Reason = plans.Run, plans.ReasonReplaceRequested
		ch.ReasonDetail = "-replace requested a run"
	case prior == nil || len(priorInputs) == 0:
		ch.Action, ch.Reason = plans.Run, plans.ReasonNew
		ch.ReasonDetail = "it has never run successfully"
	case ps.unknownIn:
		ch.Action, ch.Reason = plans.Run, plans.ReasonInputsChanged
		ch.ReasonDetail = "its inputs are known only after apply"
	default:
		if why := inputsMoved(priorInputs, ps.inputs); why != "" {
			ch.Action, ch.Reason, ch.ReasonDetail = plans.Run, plans.ReasonInputsChanged, why
		}
	}
	if failed := lastRunFailure(lastRun); failed != "" {
		if ch.Action == plans.Run {
			ch.ReasonDetail += "; " + failed
		}
	}
	if ch.Action != plans.Run {
		ch.ReasonDetail = "up to date" + upToDateDetail(ps)
		return ch, nil
	}

	after, nested, diags := w.planRunEffects(ctx, ps, priorVal)
	if diags.HasErrors() {
		return nil, diags
	}
	ch.After, ch.Nested = after, nested
	return ch, diags
}

// planRunEffects plans what a run will do: its stages, the images it will
// push (through the registry provider) and the commits its promotes will
// make (through the git provider), as the planned value and one nested
// change per image and promote.
func (w *planWalk) planRunEffects(ctx context.Context, ps *pipelineSpec, priorVal cty.Value) (cty.Value, []*plans.NestedChange, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var nested []*plans.NestedChange
	priorImages := map[string]cty.Value{}
	if !priorVal.IsNull() {
		if v := priorVal.GetAttr("image"); !v.IsNull() && v.IsKnown() {
			priorImages = v.AsValueMap()
		}
	}

	images := map[string]cty.Value{}
	for _, im := range ps.images {
		_, _, d := w.planImage(ctx, ps, im, cty.NullVal(cty.DynamicPseudoType))
		diags = append(diags, d...)
		planned := plannedImageValue(im)
		images[im.name] = planned
		nc := &plans.NestedChange{Address: "image." + im.name, Action: plans.Create, Before: cty.NullVal(pipelineImageType), After: planned}
		if b, ok := priorImages[im.name]; ok {
			nc.Action, nc.Before = plans.Update, b
		}
		nested = append(nested, nc)
	}

	var promotes []cty.Value
	for _, pr := range ps.promotes {
		_, resp, d := w.planPromote(ctx, ps, pr)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		nc, val, pending := promoteChange(pr, resp.PlannedState)
		nested = append(nested, nc)
		promotes = append(promotes, val)
		if pending && pr.source.Name != "" {
			pw := pendingWrite{by: ps.addr}
			if img := pr.config["image"]; img != cty.NilVal && !img.IsNull() && img.IsKnown() {
				pw.images = append(pw.images, img.AsString())
			} else {
				pw.other = true
			}
			w.mu.Lock()
			if w.pending == nil {
				w.pending = map[addrs.Resource][]pendingWrite{}
			}
			w.pending[pr.source] = append(w.pending[pr.source], pw)
			w.mu.Unlock()
		}
	}
	if diags.HasErrors() {
		return cty.NilVal, nil, diags
	}
	return pipelineValue(ps, cty.UnknownVal(pipelineRunType), images, promotes), nested, diags
}

// planImage asks the registry provider to check and plan an image build.
func (w *walker) planImage(ctx context.Context, ps *pipelineSpec, im *imageSpec, prior cty.Value) (cty.Value, sdk.PlanResponse, hcl.Diagnostics) {
	conn := w.conns[registryProvider]
	r := im.decl
	if conn == nil {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{errorf("Registry provider not available", &r, "%s builds image %q through the registry provider, which was not started.", ps.addr, im.name)}
	}
	schema, ok := conn.schemas.Resources[imageResourceType]
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{errorf("Registry provider cannot build images", &r, "The registry provider has no %q resource type.", imageResourceType)}
	}
	attrs := map[string]cty.Value{"context_dir": cty.StringVal(w.workspaceOf(ps.addr))}
	for k, v := range im.config {
		attrs[k] = v
	}
	cfg, diags := objectFor(schema, attrs, fmt.Sprintf("image %q", im.name), r)
	if diags.HasErrors() {
		return cty.NilVal, sdk.PlanResponse{}, diags
	}
	if prior.IsNull() {
		prior = cty.NullVal(schema.ImpliedType())
	}
	addr := ps.addr.String() + ".image." + im.name
	resps, err := conn.plan.Do(ctx, []sdk.PlanRequest{{Address: addr, TypeName: imageResourceType, Config: cfg, PriorState: prior, ProposedNewState: proposedNew(schema, prior, cfg)}})
	if err != nil {
		return cty.NilVal, sdk.PlanResponse{}, append(diags, errorf("Image plan failed", &r, "Planning %s: %v", addr, err))
	}
	diags = append(diags, providerDiags(resps[0].Diagnostics, addr, &r)...)
	resps[0].PlannedState = withConfig(resps[0].PlannedState, cfg)
	return cfg, resps[0], diags
}

// withConfig returns the config value when a plan left its state unset.
func withConfig(planned, cfg cty.Value) cty.Value {
	if planned == cty.NilVal {
		return cfg
	}
	return planned
}

// planPromote asks the git provider what a promote would commit.
func (w *walker) planPromote(ctx context.Context, ps *pipelineSpec, pr *promoteSpec) (cty.Value, sdk.PlanResponse, hcl.Diagnostics) {
	conn := w.conns[gitProvider]
	r := pr.decl
	if conn == nil {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{errorf("Git provider not available", &r, "%s promotes through the git provider, which was not started.", ps.addr)}
	}
	schema, ok := conn.schemas.Resources[promoteResourceType]
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{errorf("Git provider cannot promote", &r, "The git provider has no %q resource type.", promoteResourceType)}
	}
	cfg, diags := objectFor(schema, pr.config, "promote", r)
	if diags.HasErrors() {
		return cty.NilVal, sdk.PlanResponse{}, diags
	}
	prior := cty.NullVal(schema.ImpliedType())
	addr := fmt.Sprintf("%s.promote[%d]", ps.addr, pr.index)
	resps, err := conn.plan.Do(ctx, []sdk.PlanRequest{{Address: addr, TypeName: promoteResourceType, Config: cfg, PriorState: prior, ProposedNewState: proposedNew(schema, prior, cfg)}})
	if err != nil {
		return cty.NilVal, sdk.PlanResponse{}, append(diags, errorf("Promote plan failed", &r, "Planning %s: %v", addr, err))
	}
	diags = append(diags, providerDiags(resps[0].Diagnostics, addr, &r)...)
	resps[0].PlannedState = withConfig(resps[0].PlannedState, cfg)
	return cfg, resps[0], diags
}

// promoteChange shows a planned promote as a nested change: each value it
// sets, from before to after, and the commit it makes. pending reports
// whether the promote may commit (its changes are not known to be none).
func promoteChange(pr *promoteSpec, planned cty.Value) (*plans.NestedChange, cty.Value, bool) {
	where := pr.repo
	if pr.source.Name != "" {
		where = pr.source.String()
	}
	path := strAttr(planned, "path")
	nc := &plans.NestedChange{Address: fmt.Sprintf("promote %s %s", where, path)}
	before := map[string]cty.Value{"commit": attrOr(planned, "base_commit", cty.NullVal(cty.String))}
	after := map[string]cty.Value{"commit": attrOr(planned, "commit", cty.UnknownVal(cty.String))}
	changes := attrOr(planned, "changes", cty.UnknownVal(cty.List(pipelineChangeType)))
	pending := true
	switch {
	case !changes.IsWhollyKnown():
		after["changes"] = cty.UnknownVal(cty.DynamicPseudoType)
		nc.Action = plans.Update
	case changes.LengthInt() == 0:
		nc.Action, pending = plans.NoOp, false
		after["commit"] = before["commit"]
	default:
		nc.Action = plans.Update
		for _, c := range changes.AsValueSlice() {
			key := strAttr(c, "file")
			if f := strAttr(c, "field"); f != "" {
				key += " " + f
			}
			before[key], after[key] = attrOr(c, "before", cty.NullVal(cty.String)), attrOr(c, "after", cty.NullVal(cty.String))
		}
		// The file diff of the commit, as git shows it.
		if d := attrOr(planned, "diff", cty.NullVal(cty.String)); !d.IsNull() && (!d.IsKnown() || d.AsString() != "") {
			before["diff"], after["diff"] = cty.NullVal(cty.String), d
		}
	}
	nc.Before, nc.After = cty.ObjectVal(before), cty.ObjectVal(after)
	listChanges := cty.ListValEmpty(pipelineChangeType)
	if changes.IsWhollyKnown() && changes.LengthInt() > 0 {
		if l, err := convert.Convert(changes, cty.List(pipelineChangeType)); err == nil {
			listChanges = l
		}
	} else if !changes.IsWhollyKnown() {
		listChanges = cty.UnknownVal(cty.List(pipelineChangeType))
	}
	val := cty.ObjectVal(map[string]cty.Value{
		"repo": cty.StringVal(pr.repo), "branch": attrOr(planned, "branch", cty.NullVal(cty.String)),
		"path": cty.StringVal(path), "commit": after["commit"], "changes": listChanges,
	})
	return nc, val, pending
}

// pipelineValue builds a pipeline's value from its spec, run and effects.
func pipelineValue(ps *pipelineSpec, run cty.Value, images map[string]cty.Value, promotes []cty.Value) cty.Value {
	inputs := map[string]cty.Value{}
	for k, v := range ps.inputs {
		inputs[k] = cty.StringVal(v)
	}
	var stages, gates []cty.Value
	for _, st := range ps.stages {
		if !st.when {
			continue
		}
		stages = append(stages, cty.StringVal(st.name))
		if st.approval {
			gates = append(gates, cty.StringVal(gateName(ps.addr, st.name)))
		}
	}
	commit := cty.NullVal(cty.String)
	if !ps.source.IsNull() && ps.source.IsKnown() && ps.source.Type().IsObjectType() && ps.source.Type().HasAttribute("commit") {
		commit = ps.source.GetAttr("commit")
	}
	imgs := cty.MapValEmpty(pipelineImageType)
	if len(images) > 0 {
		imgs = cty.MapVal(images)
	}
	proms := cty.ListValEmpty(pipelinePromoteType)
	if len(promotes) > 0 {
		proms = cty.ListVal(promotes)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(ps.name), "inputs": mapOrEmpty(inputs), "commit": commit,
		"stages": listOrEmpty(stages), "approvals": listOrEmpty(gates),
		"run": run, "image": imgs, "promote": proms,
	})
}

// gateName names an approval gate for -approve: pipeline.NAME.STAGE.
func gateName(addr addrs.ResourceInstance, stage string) string {
	return addr.String() + "." + stage
}

func mapOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	return cty.MapVal(m)
}

func listOrEmpty(l []cty.Value) cty.Value {
	if len(l) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	return cty.ListVal(l)
}

// inputsMoved says what moved between the inputs of the last successful
// run and now ("source.git.app moved 1a2b3c4 -> 9f8e7d6"), or "".
func inputsMoved(before, after map[string]string) string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	// Sources first: they are what usually moves.
	sort.Slice(names, func(i, j int) bool {
		si, sj := strings.HasPrefix(names[i], "source."), strings.HasPrefix(names[j], "source.")
		if si != sj {
			return si
		}
		return names[i] < names[j]
	})
	var out []string
	for _, k := range names {
		b, inB := before[k]
		a, inA := after[k]
		if inB && inA && a == b {
			continue
		}
		what := inputLabel(k)
		switch {
		case strings.HasPrefix(k, "source.") && inB && inA:
			out = append(out, fmt.Sprintf("%s moved %s -> %s", k, shortID(b), shortID(a)))
		case !inB:
			out = append(out, what+" was added")
		case !inA:
			out = append(out, what+" was removed")
		default:
			out = append(out, what+" changed")
		}
	}
	if len(out) > 3 {
		out = append(out[:3], fmt.Sprintf("%d more", len(out)-3))
	}
	return strings.Join(out, "; ")
}

// inputLabel words an input key: stage "test", image "myapp", promote 1.
func inputLabel(k string) string {
	kind, name, _ := strings.Cut(k, ".")
	switch kind {
	case "stage", "image":
		return fmt.Sprintf("%s %q", kind, name)
	case "promote":
		return "promote " + name
	case "pipeline":
		return "the pipeline's settings"
	}
	return k
}

// shortID shortens a commit hash or digest for reading.
func shortID(s string) string {
	if i := strings.Index(s, ":"); i >= 0 && len(s) > i+13 {
		return s[:i+13]
	}
	if len(s) == 40 {
		return s[:7]
	}
	return s
}

// upToDateDetail names what the pipeline's last run was built from.
func upToDateDetail(ps *pipelineSpec) string {
	var parts []string
	for k, v := range ps.inputs {
		if strings.HasPrefix(k, "source.") {
			parts = append(parts, k+" is still at "+shortID(v))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// lastRunFailure words a failed last run, or "".
func lastRunFailure(run cty.Value) string {
	if run.IsNull() || !run.IsKnown() {
		return ""
	}
	if strAttr(run, "status") != "failed" {
		return ""
	}
	n := attrOr(run, "number", cty.NullVal(cty.Number))
	num := ""
	if !n.IsNull() && n.IsKnown() {
		num = " #" + n.AsBigFloat().String()
	}
	if st := strAttr(run, "failed_stage"); st != "" {
		return fmt.Sprintf("its last run%s failed at stage %q", num, st)
	}
	return fmt.Sprintf("its last run%s failed", num)
}

// strAttr returns a known string attribute of an object, or "".
func strAttr(v cty.Value, name string) string {
	a := attrOr(v, name, cty.NullVal(cty.String))
	if a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return ""
	}
	return a.AsString()
}

// attrOr returns an object's attribute, or def when there is none.
func attrOr(v cty.Value, name string, def cty.Value) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return def
	}
	return v.GetAttr(name)
}

// objectFor converts attributes to a provider schema's object type,
// setting the ones not given to null.
func objectFor(schema sdk.Schema, attrs map[string]cty.Value, what string, r hcl.Range) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	plain := make(map[string]cty.Value, len(attrs))
	for name, v := range attrs {
		if v != cty.NilVal {
			v, _ = v.UnmarkDeep()
		}
		plain[name] = v
		if _, ok := schema.Attributes[name]; !ok {
			diags = append(diags, errorf("Provider does not support this setting", &r, "%s: the provider has no %q argument; upgrade it, or remove the setting.", what, name))
		}
	}
	out := schemaObject(schema, plain, func(name string, err error) {
		diags = append(diags, errorf("Invalid "+what, &r, "%s: %s: %v.", what, name, err))
	})
	return out, diags
}

// afterPromote adjusts an app's planned change for a source that a
// pipeline of this plan will commit to: the revision and the manifests
// it reads are known only after the promote, and so are the image
// references the promote rewrites (or, for other edits, all its objects).
// apply plans the app again at the new commit and holds it to the rest.
func afterPromote(ch *plans.ResourceChange, src addrs.Resource, pws []pendingWrite) {
	if ch.After.IsNull() || !ch.After.IsKnown() {
		return
	}
	var images []string
	other := false
	var by []string
	for _, pw := range pws {
		images = append(images, pw.images...)
		other = other || pw.other
		by = append(by, pw.by.String())
	}
	m := ch.After.AsValueMap()
	for _, name := range []string{"revision", "manifests_dir", "chart_dir"} {
		if v, ok := m[name]; ok {
			m[name] = cty.UnknownVal(v.Type())
		}
	}
	if objs, ok := m["objects"]; ok {
		switch {
		case other:
			m["objects"] = cty.UnknownVal(cty.DynamicPseudoType)
		case objs.IsKnown() && !objs.IsNull():
			m["objects"], _ = cty.Transform(objs, func(p cty.Path, v cty.Value) (cty.Value, error) {
				if v.IsKnown() && !v.IsNull() && v.Type() == cty.String && isImageOf(v.AsString(), images) {
					return cty.UnknownVal(cty.String), nil
				}
				return v, nil
			})
		}
	}
	ch.After = cty.ObjectVal(m)
	why := fmt.Sprintf("%s will move: %s promotes to it", src, strings.Join(by, ", "))
	switch ch.Action {
	case plans.NoOp:
		ch.Action, ch.Reason, ch.ReasonDetail = plans.Update, plans.ReasonInputsChanged, why
	case plans.Create:
		if ch.ReasonDetail == "" {
			ch.ReasonDetail = "it is new; " + why
		}
	default:
		if ch.ReasonDetail == "" {
			ch.ReasonDetail = why
		} else {
			ch.ReasonDetail += "; " + why
		}
	}
}

// isImageOf reports whether ref names an image of one of the
// repositories: the repository itself, or it with a tag or digest.
func isImageOf(ref string, repos []string) bool {
	for _, r := range repos {
		if ref == r || strings.HasPrefix(ref, r+":") || strings.HasPrefix(ref, r+"@") {
			return true
		}
	}
	return false
}
