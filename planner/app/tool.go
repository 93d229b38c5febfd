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
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// An app of a source directory is lowered by the tool its directory
// holds, found as Argo CD finds it (builtin.DetectTool): a chart, with a
// Chart.yaml, to a helm_release of the helm provider; a kustomization or
// plain YAML to a kubernetes_app. A helm block says so outright. The
// directory is known only once the source is read, so the choice is made
// when the app is planned; apply follows the plan's choice.

// detects reports whether an app's tool is found from its directory: it
// syncs a source directory through the default kubernetes provider or
// an alias of it, with no helm block to say it is a chart.
func detects(rc *lang.Resource) bool {
	return !lang.AppUsesHelm(rc) && rc.Provider.Name == builtin.KubernetesProvider && hasSource(rc)
}

// sourceBlockSchema picks an app block's source blocks.
var sourceBlockSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "source"}}}

// hasSource reports whether an app block has a source block.
func hasSource(rc *lang.Resource) bool {
	content, _, _ := rc.Config.PartialContent(sourceBlockSchema)
	return content != nil && len(content.Blocks) > 0
}

// helmTwin is the helm provider configuration of an app synced through
// kubernetes provider configuration p: helm.prod for kubernetes.prod.
func helmTwin(p addrs.Provider) addrs.Provider {
	return addrs.Provider{Name: builtin.HelmProvider, Alias: p.Alias}
}

// found is the tool of one instance's directory, and why.
type found struct {
	addr addrs.ResourceInstance
	tool builtin.Tool
	why  string
}

// chooseLowering is how the instances of app block rc are lowered: to a
// helm_release through the helm provider when their directories hold a
// chart, else as typeOf says. Every instance of a block is lowered the
// same way: an app whose instances hold different tools is an error
// that says which holds which.
func chooseLowering(h kind.Host, rc *lang.Resource) (*lang.Resource, kind.Lowering, hcl.Diagnostics) {
	if !detects(rc) {
		return rc, loweringIn(rc, typeOf(rc), new(confine.Roots), h), nil
	}
	insts, diags := h.Expand(rc)
	if diags.HasErrors() {
		// Planning the block reports them.
		return rc, lowering(rc, typeOf(rc)), nil
	}
	// The instances' paths are resolved in the same checkout, here and
	// when they are planned: its own links are followed once.
	roots := new(confine.Roots)
	// Each instance's directory is looked at on every core; the tools keep
	// the instances' order.
	each := make([]found, len(insts))
	ok := make([]bool, len(insts))
	par.Each(len(insts), func(i int) {
		each[i], ok[i] = toolOf(h, rc, insts[i], roots)
	})
	var tools []found
	for i, f := range each {
		if ok[i] {
			tools = append(tools, f)
		}
	}
	helm := 0
	for _, f := range tools {
		if f.tool == builtin.ToolHelm {
			helm++
		}
	}
	r := rc.DeclRange
	if helm > 0 && helm < len(tools) {
		var lines []string
		for _, f := range tools {
			lines = append(lines, fmt.Sprintf("%s: %s (%s)", f.addr, f.tool, f.why))
		}
		sort.Strings(lines)
		return rc, kind.Lowering{}, hcl.Diagnostics{kind.Errorf("Instances hold different tools", &r,
			"Some instances of %s are helm charts and others are not, but every instance of one app block syncs through the same provider:\n  %s\nSplit the app into two blocks, one for the charts and one for the other directories (for_each over a filtered set).",
			rc.Addr, strings.Join(lines, "\n  "))}
	}
	typ := builtin.KubernetesApp
	out := rc
	if helm > 0 {
		typ = builtin.HelmRelease
		twin := helmTwin(rc.Provider)
		if _, ok := h.Provider(twin); !ok {
			return rc, kind.Lowering{}, hcl.Diagnostics{kind.Errorf("No helm provider for a chart", &r,
				"The directory of %s is a helm chart (%s found), which syncs through provider %s, and slipway starts an aliased helm provider only for an app that says it syncs a chart. Add helm {} to the app's source block, and provider \"helm\" { alias = %q } configured for the same cluster as %s.",
				rc.Addr, builtin.ChartFile, twin, twin.Alias, rc.Provider)}
		}
		cp := *rc
		cp.Provider = twin
		out = &cp
	}
	// An app cannot move between providers in place: its objects belong
	// to a helm release or to slipway's inventory.
	for _, f := range tools {
		prior := h.Prior(f.addr)
		if prior == nil || prior.Type == "" || prior.Type == typ {
			continue
		}
		return rc, kind.Lowering{}, hcl.Diagnostics{kind.Errorf("An app cannot change its tool", &r,
			"%s was synced as a %s, but its directory is now %s (%s). Its objects belong to the %s, so slipway does not move them. Destroy the app first (slipway destroy -target=%s), then apply, or give the new directory a new app block.",
			f.addr, prior.Type, f.tool, f.why, prior.Type, f.addr)}
	}
	return out, loweringIn(out, typ, roots, h), nil
}

// toolOf finds the tool of one instance's directory: the pinned one of a
// rollback, or the source's checkout joined with the path. A directory
// not known yet (its source is read during apply) keeps the tool of the
// prior state, or is taken for manifests; ok is false when there is
// nothing to go by.
func toolOf(h kind.Host, rc *lang.Resource, in kind.Instance, roots *confine.Roots) (found, bool) {
	f := found{addr: in.Addr}
	dir := ""
	src, ok := sourceOf(h, rc, in)
	if !ok {
		return f, false
	}
	attrs := map[string]cty.Value{}
	if diags := sourceDir(attrs, builtin.AppManifestsDir, src, roots); diags.HasErrors() {
		return f, false
	}
	v := attrs[builtin.AppManifestsDir]
	if in.Pin != nil {
		// A rollback's directory, from state, only once it is known to be
		// a checkout of the source (pinnedDir); else planning the
		// instance reports why.
		rev := cty.NullVal(cty.String)
		if r, ok := attrs[builtin.AppRevision]; ok && r != cty.NilVal {
			rev, _ = r.Unmark()
		}
		cur, _ := v.Unmark()
		p, err := pinnedDir(cur, rev, *in.Pin, roots)
		if err != nil {
			return f, false
		}
		dir = p
	} else if v.IsKnown() && !v.IsNull() {
		v, _ = v.Unmark()
		dir = v.AsString()
	}
	if dir == "" {
		if prior := h.Prior(in.Addr); prior != nil && prior.Type == builtin.HelmRelease {
			f.tool, f.why = builtin.ToolHelm, "synced as a helm chart before; the source is read during apply"
			return f, true
		}
		return f, false
	}
	f.tool, f.why = builtin.DetectTool(dir)
	return f, true
}

// sourceMemo is what sourceOf keeps of an instance's source block.
type sourceMemo struct {
	repo, path cty.Value
	def        hcl.Range
}

// sourceOf decodes the source block of instance in of app block rc, or
// recalls it from an earlier plan that read the same (kind.Host.Recall).
func sourceOf(h kind.Host, rc *lang.Resource, in kind.Instance) (*appSource, bool) {
	v, ok, keep := h.Recall(rc, in, "app source")
	if m, isMemo := v.(sourceMemo); ok && isMemo {
		return &appSource{Repo: m.repo, Path: m.path, Def: m.def}, true
	}
	ectx, diags := h.EvalContext(rc, in)
	if diags.HasErrors() {
		return nil, false
	}
	// Only the source block says where the directory is: the rest of
	// the body is decoded (and its mistakes reported) when the app is
	// planned.
	content, _, diags := rc.Config.PartialContent(sourceBlockSchema)
	if diags.HasErrors() || len(content.Blocks) != 1 {
		return nil, false
	}
	src := &appSource{Def: content.Blocks[0].DefRange}
	if diags := gohcl.DecodeBody(content.Blocks[0].Body, ectx, src); diags.HasErrors() {
		return nil, false
	}
	keep(sourceMemo{repo: src.Repo, path: src.Path, def: src.Def})
	return src, true
}

// appliedLowering is how apply lowers app block rc: as its plan did.
func appliedLowering(h kind.ApplyHost, rc *lang.Resource) (*lang.Resource, kind.Lowering) {
	if !detects(rc) {
		return rc, lowering(rc, typeOf(rc))
	}
	insts, diags := h.Expand(rc)
	if diags.HasErrors() {
		return rc, lowering(rc, typeOf(rc))
	}
	for _, in := range insts {
		if ch := h.Change(in.Addr); ch != nil && ch.Type == builtin.HelmRelease {
			cp := *rc
			cp.Provider = helmTwin(rc.Provider)
			return &cp, lowering(&cp, builtin.HelmRelease)
		}
	}
	return rc, lowering(rc, typeOf(rc))
}
