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

package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// The providers pipelines use for images and promotes.
var (
	registryProvider = addrs.Provider{Name: builtin.RegistryProvider}
	gitProvider      = addrs.Provider{Name: builtin.GitProvider}
)

// workspaceOf is a pipeline instance's workspace directory, under the
// configuration directory cfgDir, in slipway workspace ws.
func workspaceOf(cfgDir, ws string, addr addrs.ResourceInstance) string {
	dir, err := filepath.Abs(pipelineDir(cfgDir, ws, pipelineName(addr)))
	if err != nil {
		dir = pipelineDir(cfgDir, ws, pipelineName(addr))
	}
	return filepath.Join(dir, "workspace")
}

// planPipeline decides, for every instance of a pipeline block, whether
// it runs, and plans the images it would push and the commits it would
// make.
func (Kind) Plan(ctx context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := h.Expand(rc)
	if diags.HasErrors() {
		return diags
	}
	current := map[string]bool{}
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		current[in.Addr.String()] = true
		prior := h.Prior(in.Addr)
		priorVal := cty.NullVal(pipelineValueType)
		if prior != nil {
			priorVal = prior.Value
		}
		if !h.Targeted(in.Addr) {
			vals[i] = priorVal
			continue
		}
		ectx, d := h.EvalContext(rc, in)
		diags = append(diags, d...)
		if d.HasErrors() {
			return diags
		}
		ps, d := decodePipeline(rc, in.Addr, ectx, workspaceOf(h.Dir(), h.Workspace(), in.Addr), nil)
		diags = append(diags, d...)
		if ps == nil {
			vals[i] = cty.DynamicVal
			continue
		}
		ch, d := planInstance(ctx, h, ps, prior, priorVal)
		diags = append(diags, d...)
		if ch == nil {
			vals[i] = cty.DynamicVal
			continue
		}
		h.AddChange(ch)
		vals[i] = ch.After
	}
	for _, ri := range h.PriorOf(rc.Addr) {
		if !current[ri.Addr.String()] && h.Targeted(ri.Addr) {
			h.AddChange(kind.DeleteChange(ri, kind.GoneReason(ri.Addr)))
		}
	}
	h.SetValues(rc, insts, vals)
	return diags
}

// planInstance plans one pipeline instance.
func planInstance(ctx context.Context, h kind.PlanHost, ps *pipelineSpec, prior *state.ResourceInstance, priorVal cty.Value) (*plans.ResourceChange, hcl.Diagnostics) {
	// A hash of a sensitive input is sensitive, in state written before
	// slipway marked it too.
	priorSens := append(append([]cty.Path(nil), priorSensitive(prior)...), ps.sensitiveInputs()...)
	ch := &plans.ResourceChange{Addr: ps.addr, Type: pipelineType, Before: priorVal, After: priorVal, Action: plans.NoOp, NestedFrom: pipelineNestedFrom,
		BeforeSensitive: priorSens, AfterSensitive: priorSens}
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
	case h.ReplaceRequested(ps.addr):
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
		} else {
			// Its inputs are those of its last successful run, and a run
			// since (a -replace, say) failed: it runs again until one
			// succeeds.
			ch.Action, ch.Reason, ch.ReasonDetail = plans.Run, plans.ReasonLastRunFailed, failed
		}
	}
	if ch.Action != plans.Run {
		ch.ReasonDetail = "up to date" + upToDateDetail(ps)
		return ch, nil
	}

	after, nested, diags := planRunEffects(ctx, h, ps, priorVal, priorSens)
	if diags.HasErrors() {
		return nil, diags
	}
	ch.After, ch.AfterSensitive = unmarkSensitive(after)
	ch.Nested = nested
	return ch, diags
}

// sensitiveInputs are the paths, in a pipeline's value, of the hashes of
// its inputs that sensitive values went into.
func (ps *pipelineSpec) sensitiveInputs() []cty.Path {
	var out []cty.Path
	for _, k := range kind.SortedKeys(ps.sensIn) {
		if ps.sensIn[k] {
			out = append(out, cty.GetAttrPath("inputs").Index(cty.StringVal(k)))
		}
	}
	return out
}

// planRunEffects plans what a run will do: its stages, the images it will
// push (through the registry provider) and the commits its promotes will
// make (through the git provider), as the planned value and one nested
// change per image and promote. The value may hold sensitive marks; the
// nested changes hold none, and their sensitive paths beside them.
func planRunEffects(ctx context.Context, h kind.PlanHost, ps *pipelineSpec, priorVal cty.Value, priorSens []cty.Path) (cty.Value, []*plans.NestedChange, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var nested []*plans.NestedChange
	priorImages := map[string]cty.Value{}
	var priorPromotes []cty.Value
	if !priorVal.IsNull() {
		if v := priorVal.GetAttr("image"); !v.IsNull() && v.IsKnown() {
			priorImages = v.AsValueMap()
		}
		if v := priorVal.GetAttr("promote"); !v.IsNull() && v.IsKnown() {
			priorPromotes = v.AsValueSlice()
		}
	}

	images := map[string]cty.Value{}
	for _, im := range ps.images {
		_, _, d := planImage(ctx, h, ps, im)
		diags = append(diags, d...)
		planned := plannedImageValue(im)
		images[im.name] = planned
		nc := &plans.NestedChange{Address: "image." + im.name, Action: plans.Create, Before: cty.NullVal(pipelineImageType)}
		nc.After, nc.AfterSensitive = unmarkSensitive(planned)
		if b, ok := priorImages[im.name]; ok {
			nc.Action, nc.Before = plans.Update, b
			nc.BeforeSensitive = within(priorSens, cty.GetAttrPath("image").Index(cty.StringVal(im.name)))
		}
		nested = append(nested, nc)
	}

	var promotes []cty.Value
	for _, pr := range ps.promotes {
		_, resp, d := planPromote(ctx, h, ps, pr)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		priorPromote := cty.NilVal
		if pr.index < len(priorPromotes) {
			priorPromote = markPaths(priorPromotes[pr.index], within(priorSens, cty.GetAttrPath("promote").IndexInt(pr.index)))
		}
		nc, val, pending := promoteChange(pr, resp.PlannedState, priorPromote)
		nested = append(nested, nc)
		promotes = append(promotes, val)
		if pending && pr.source.Name != "" {
			pw := kind.Write{By: ps.addr}
			if img := pr.config[builtin.PromoteImage]; img != cty.NilVal && !img.IsNull() && img.IsKnown() {
				pw.Images = append(pw.Images, img.AsString())
			} else {
				pw.Other = true
			}
			h.AddWrite(pr.source, pw)
		}
	}
	if diags.HasErrors() {
		return cty.NilVal, nil, diags
	}
	return pipelineValue(ps, cty.UnknownVal(pipelineRunType), images, promotes), nested, diags
}

// planImage asks the registry provider to check and plan an image build.
func planImage(ctx context.Context, h kind.Host, ps *pipelineSpec, im *imageSpec) (cty.Value, sdk.PlanResponse, hcl.Diagnostics) {
	conn, ok := h.Provider(registryProvider)
	r := im.decl
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{kind.Errorf("Registry provider not available", &r, "%s builds image %q through the registry provider, which was not started.", ps.addr, im.name)}
	}
	schema, ok := conn.Schemas().Resources[builtin.RegistryImage]
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{kind.Errorf("Registry provider cannot build images", &r, "The registry provider has no %q resource type.", builtin.RegistryImage)}
	}
	attrs := map[string]cty.Value{builtin.ImageContextDir: cty.StringVal(workspaceOf(h.Dir(), h.Workspace(), ps.addr))}
	for k, v := range im.config {
		attrs[k] = v
	}
	cfg, diags := objectFor(schema, attrs, fmt.Sprintf("image %q", im.name), r)
	if diags.HasErrors() {
		return cty.NilVal, sdk.PlanResponse{}, diags
	}
	// An image is always built anew: there is no prior object, so the
	// proposed new state is the configuration.
	addr := ps.addr.String() + ".image." + im.name
	resp, err := conn.Plan(ctx, sdk.PlanRequest{Address: addr, TypeName: builtin.RegistryImage, Config: cfg, PriorState: cty.NullVal(schema.ImpliedType()), ProposedNewState: cfg})
	if err != nil {
		return cty.NilVal, sdk.PlanResponse{}, append(diags, kind.Errorf("Image plan failed", &r, "Planning %s: %v", addr, err))
	}
	diags = append(diags, kind.ProviderDiags(resp.Diagnostics, addr, &r)...)
	resp.PlannedState = withConfig(resp.PlannedState, cfg)
	return cfg, resp, diags
}

// withConfig returns the config value when a plan left its state unset.
func withConfig(planned, cfg cty.Value) cty.Value {
	if planned == cty.NilVal {
		return cfg
	}
	return planned
}

// planPromote asks the git provider what a promote would commit.
func planPromote(ctx context.Context, h kind.Host, ps *pipelineSpec, pr *promoteSpec) (cty.Value, sdk.PlanResponse, hcl.Diagnostics) {
	conn, ok := h.Provider(gitProvider)
	r := pr.decl
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{kind.Errorf("Git provider not available", &r, "%s promotes through the git provider, which was not started.", ps.addr)}
	}
	schema, ok := conn.Schemas().Resources[builtin.GitPromote]
	if !ok {
		return cty.NilVal, sdk.PlanResponse{}, hcl.Diagnostics{kind.Errorf("Git provider cannot promote", &r, "The git provider has no %q resource type.", builtin.GitPromote)}
	}
	cfg, diags := objectFor(schema, pr.config, "promote", r)
	if diags.HasErrors() {
		return cty.NilVal, sdk.PlanResponse{}, diags
	}
	// A promote is a new commit each time: no prior object.
	addr := fmt.Sprintf("%s.promote[%d]", ps.addr, pr.index)
	resp, err := conn.Plan(ctx, sdk.PlanRequest{Address: addr, TypeName: builtin.GitPromote, Config: cfg, PriorState: cty.NullVal(schema.ImpliedType()), ProposedNewState: cfg})
	if err != nil {
		return cty.NilVal, sdk.PlanResponse{}, append(diags, kind.Errorf("Promote plan failed", &r, "Planning %s: %v", addr, err))
	}
	diags = append(diags, kind.ProviderDiags(resp.Diagnostics, addr, &r)...)
	resp.PlannedState = withConfig(resp.PlannedState, cfg)
	return cfg, resp, diags
}

// promoteChange shows a planned promote as a nested change: its inputs
// (what it writes, against those of the last run, prior), each value it
// sets in the repository from before to after, and the commit it makes.
// pending reports whether the promote may commit (its changes are not
// known to be none). When a sensitive value went into the promote, what
// the git provider computed from it (the values it sets, the diff, the
// commit) is sensitive too, in the change and in the value.
func promoteChange(pr *promoteSpec, planned, prior cty.Value) (*plans.NestedChange, cty.Value, bool) {
	where := pr.repo
	if pr.source.Name != "" {
		where = pr.source.String()
	}
	sens := anySensitive(pr.config)
	computed := func(v cty.Value) cty.Value { return sensitiveIf(v, sens) }
	path := kind.StrAttr(planned, builtin.PromotePath)
	nc := &plans.NestedChange{Address: fmt.Sprintf("promote %s %s", where, path)}
	before := map[string]cty.Value{"commit": kind.AttrOr(planned, builtin.PromoteBaseCommit, cty.NullVal(cty.String))}
	after := map[string]cty.Value{"commit": computed(kind.AttrOr(planned, builtin.PromoteCommit, cty.UnknownVal(cty.String)))}
	inputs := map[string]cty.Value{}
	for _, name := range promoteInputs {
		v := inputValue(pr.config[name], cty.String)
		inputs[name] = v
		if !v.IsNull() {
			after[name] = v
		}
		if prior != cty.NilVal && !prior.IsNull() && prior.Type().IsObjectType() && prior.Type().HasAttribute(name) {
			if b := prior.GetAttr(name); !b.IsNull() {
				before[name] = b
			}
		}
	}
	changes := kind.AttrOr(planned, builtin.PromoteChanges, cty.UnknownVal(cty.List(pipelineChangeType)))
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
			key := kind.StrAttr(c, builtin.ChangeFile)
			if f := kind.StrAttr(c, builtin.ChangeField); f != "" {
				key += " " + f
			}
			before[key] = computed(kind.AttrOr(c, builtin.ChangeBefore, cty.NullVal(cty.String)))
			after[key] = computed(kind.AttrOr(c, builtin.ChangeAfter, cty.NullVal(cty.String)))
		}
		// The file diff of the commit, as git shows it.
		if d := kind.AttrOr(planned, builtin.PromoteDiff, cty.NullVal(cty.String)); !d.IsNull() && (!d.IsKnown() || d.AsString() != "") {
			before["diff"], after["diff"] = cty.NullVal(cty.String), computed(d)
		}
	}
	nc.Before, nc.BeforeSensitive = unmarkSensitive(cty.ObjectVal(before))
	nc.After, nc.AfterSensitive = unmarkSensitive(cty.ObjectVal(after))
	listChanges := cty.ListValEmpty(pipelineChangeType)
	if changes.IsWhollyKnown() && changes.LengthInt() > 0 {
		if l, err := convert.Convert(changes, cty.List(pipelineChangeType)); err == nil {
			listChanges = l
		}
	} else if !changes.IsWhollyKnown() {
		listChanges = cty.UnknownVal(cty.List(pipelineChangeType))
	}
	val := map[string]cty.Value{
		"repo": sensitiveIf(cty.StringVal(pr.repo), pr.repoSensitive), "branch": kind.AttrOr(planned, builtin.PromoteBranch, cty.NullVal(cty.String)),
		"path": cty.StringVal(path), "commit": after["commit"], "changes": computed(listChanges),
	}
	for name, v := range inputs {
		val[name] = v
	}
	return nc, cty.ObjectVal(val), pending
}

// markPaths marks the values at paths of v sensitive.
func markPaths(v cty.Value, paths []cty.Path) cty.Value {
	if len(paths) == 0 || v == cty.NilVal {
		return v
	}
	pvms := make([]cty.PathValueMarks, len(paths))
	for i, p := range paths {
		pvms[i] = cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(kind.SensitiveMark)}
	}
	return v.MarkWithPaths(pvms)
}

// pipelineValue builds a pipeline's value from its spec, run and effects.
func pipelineValue(ps *pipelineSpec, run cty.Value, images map[string]cty.Value, promotes []cty.Value) cty.Value {
	inputs := map[string]cty.Value{}
	for k, v := range ps.inputs {
		inputs[k] = sensitiveIf(cty.StringVal(v), ps.sensIn[k])
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
	v := map[string]cty.Value{
		"name": cty.StringVal(ps.name), "inputs": mapOrEmpty(inputs), "commit": commit,
		"stages": listOrEmpty(stages), "approvals": listOrEmpty(gates),
		"run": run, "image": imgs, "promote": proms,
		"stage": stagesValue(ps),
	}
	for k, s := range settingsValues(ps) {
		v[k] = s
	}
	return cty.ObjectVal(v)
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
	if kind.StrAttr(run, "status") != "failed" {
		return ""
	}
	n := kind.AttrOr(run, "number", cty.NullVal(cty.Number))
	num := ""
	if !n.IsNull() && n.IsKnown() {
		num = " #" + n.AsBigFloat().String()
	}
	if st := kind.StrAttr(run, "failed_stage"); st != "" {
		return fmt.Sprintf("its last run%s failed at stage %q", num, st)
	}
	return fmt.Sprintf("its last run%s failed", num)
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
			diags = append(diags, kind.Errorf("Provider does not support this setting", &r, "%s: the provider has no %q argument; upgrade it, or remove the setting.", what, name))
		}
	}
	out := kind.SchemaObject(schema, plain, func(name string, err error) {
		diags = append(diags, kind.Errorf("Invalid "+what, &r, "%s: %s: %v.", what, name, err))
	})
	return out, diags
}
