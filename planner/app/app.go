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
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// An app block is lowered to one provider resource per instance: a
// builtin.KubernetesApp of the kubernetes provider, holding every
// Kubernetes object of the app, or for a helm chart a builtin.HelmRelease
// of the helm provider, which holds its objects the same way.

// isAppType reports whether a resource type is one apps are lowered to.
func isAppType(t string) bool { return t == builtin.KubernetesApp || t == builtin.HelmRelease }

// appDirAttr names the attribute of a lowered app that holds the local
// directory it syncs from: the manifests, or a chart from a source.
func appDirAttr(v cty.Value) string {
	if v.Type().IsObjectType() && v.Type().HasAttribute(builtin.HelmChartDir) {
		return builtin.HelmChartDir
	}
	return builtin.AppManifestsDir
}

// appNestedFrom are the attributes of an app whose content the nested
// per-object changes show.
var appNestedFrom = []string{builtin.AppObjects, builtin.AppInventory, builtin.AppAdopted, builtin.AppHooks, builtin.HelmRandomFields}

// typeOf is the provider resource type an app block is lowered to (lang
// chose its provider from its body: helm for a chart).
func typeOf(rc *lang.Resource) string {
	if lang.AppUsesHelm(rc) {
		return builtin.HelmRelease
	}
	return builtin.KubernetesApp
}

// appBlock is the language of an app block (Argo CD's Application).
type appBlock struct {
	Source            *appSource      `hcl:"source,block"`
	Chart             *appChart       `hcl:"chart,block"`
	Destination       *appDestination `hcl:"destination,block"`
	Sync              *appSync        `hcl:"sync,block"`
	IgnoreDifferences []*appIgnore    `hcl:"ignore_differences,block"`
	Rollout           *appRollout     `hcl:"rollout,block"`
}

type appSource struct {
	Repo cty.Value `hcl:"repo"`
	Path cty.Value `hcl:"path,optional"`
	Helm *appHelm  `hcl:"helm,block"`
	Rest hcl.Body  `hcl:",remain"`
	Def  hcl.Range `hcl:",def_range"`
}

type appHelm struct {
	Values      cty.Value `hcl:"values,optional"`
	ValuesFiles cty.Value `hcl:"values_files,optional"`
	Def         hcl.Range `hcl:",def_range"`
}

type appChart struct {
	Repository  cty.Value `hcl:"repository"`
	Name        cty.Value `hcl:"name"`
	Version     cty.Value `hcl:"version,optional"`
	Values      cty.Value `hcl:"values,optional"`
	ValuesFiles cty.Value `hcl:"values_files,optional"`
	Def         hcl.Range `hcl:",def_range"`
}

type appDestination struct {
	Namespace cty.Value      `hcl:"namespace,optional"`
	Provider  hcl.Expression `hcl:"provider,optional"`
}

type appSync struct {
	Prune           cty.Value `hcl:"prune,optional"`
	SelfHeal        cty.Value `hcl:"self_heal,optional"`
	CreateNamespace cty.Value `hcl:"create_namespace,optional"`
	PruneLast       cty.Value `hcl:"prune_last,optional"`
	Retry           *appRetry `hcl:"retry,block"`
	Wait            *appWait  `hcl:"wait,block"`
	Adopt           *appAdopt `hcl:"adopt,block"`
}

// appAdopt names the Argo CD Application or Flux Kustomization whose
// objects the app takes over in place.
type appAdopt struct {
	From cty.Value `hcl:"from"`
	Name cty.Value `hcl:"name"`
	Def  hcl.Range `hcl:",def_range"`
}

type appRetry struct {
	Limit      cty.Value `hcl:"limit,optional"`
	Backoff    cty.Value `hcl:"backoff,optional"`
	Factor     cty.Value `hcl:"factor,optional"`
	MaxBackoff cty.Value `hcl:"max_backoff,optional"`
}

type appWait struct {
	Timeout cty.Value `hcl:"timeout,optional"`
}

type appIgnore struct {
	Group        cty.Value `hcl:"group,optional"`
	Kind         cty.Value `hcl:"kind,optional"`
	Name         cty.Value `hcl:"name,optional"`
	Namespace    cty.Value `hcl:"namespace,optional"`
	JSONPointers cty.Value `hcl:"json_pointers,optional"`
}

// appMemo is what recalledApp keeps of an instance's configuration: the
// configuration, and what of it came from the filesystem (the directory
// sourceDir resolved, through the checkout's links) with what it was
// resolved from.
type appMemo struct {
	out cty.Value
	// src is the source block's repo and path (nil for a chart from a
	// repository), dirAttr the attribute sourceDir set, and dir and
	// revision what it set.
	src           *appSource
	dirAttr       string
	dir, revision cty.Value
}

// recalledApp is decodeApp, or, with h, the configuration an earlier
// plan decoded from the same text and values (kind.Host.Recall) once the
// directory it names resolves in the checkout as it did then; a decode
// with any diagnostic is not kept, so that each plan reports it.
func recalledApp(h kind.Host, rc *lang.Resource, in kind.Instance, typ string, schema sdk.Schema, ctx *hcl.EvalContext, roots *confine.Roots) (cty.Value, hcl.Diagnostics) {
	if h == nil {
		return decodeApp(rc, typ, schema, ctx, roots, nil)
	}
	name := "app config " + typ
	v, ok, keep := h.Recall(rc, in, name)
	if m, isMemo := v.(*appMemo); ok && isMemo {
		if m.src == nil {
			return m.out, nil
		}
		attrs := map[string]cty.Value{}
		if d := sourceDir(attrs, m.dirAttr, m.src, roots); !d.HasErrors() &&
			sameValue(attrs[m.dirAttr], m.dir) && sameValue(attrs[builtin.AppRevision], m.revision) {
			return m.out, nil
		}
	}
	var m appMemo
	out, diags := decodeApp(rc, typ, schema, ctx, roots, &m)
	if len(diags) == 0 {
		m.out = out
		keep(&m)
	}
	return out, diags
}

// sameValue reports whether a and b are the same value with the same
// marks, either possibly cty.NilVal (not set).
func sameValue(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	return a.RawEquals(b)
}

// decodeApp evaluates an app block and lowers it to the configuration of
// a resource of type typ (kubernetes_app or helm_release) and the given
// schema.
// With m, it says there what of the configuration came from the
// filesystem (see appMemo).
func decodeApp(rc *lang.Resource, typ string, schema sdk.Schema, ctx *hcl.EvalContext, roots *confine.Roots, m *appMemo) (cty.Value, hcl.Diagnostics) {
	var ab appBlock
	diags := gohcl.DecodeBody(rc.Config, ctx, &ab)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	decl := rc.DeclRange
	helm := typ == builtin.HelmRelease
	switch {
	case ab.Chart != nil && ab.Source != nil:
		r := ab.Chart.Def
		return cty.DynamicVal, append(diags, kind.Errorf("Two sources for one app", &r,
			"%s has both a chart block and a source block. An app takes its manifests from one place: a chart from a repository (chart block), or a directory of a git source (source block, with a helm block when it holds a chart).", rc.Addr))
	case ab.Chart == nil && ab.Source == nil:
		return cty.DynamicVal, append(diags, kind.Errorf("Missing source block", &decl,
			"%s needs a source block naming where its manifests are: source { repo = source.git.NAME, path = \"apps/NAME\" }, or a chart block naming a chart in a repository.", rc.Addr))
	}

	attrs := map[string]cty.Value{
		builtin.AppName: cty.StringVal(rc.Addr.Name),
	}
	if k, ok := ctx.Variables["each"]; ok && k.Type().IsObjectType() && k.Type().HasAttribute("key") {
		// app.web["eu"] syncs as web-eu, so instances own distinct objects.
		if key := k.GetAttr("key"); key.IsKnown() && !key.IsNull() {
			attrs[builtin.AppName] = cty.StringVal(rc.Addr.Name + "-" + key.AsString())
		}
	}
	if c, ok := ctx.Variables["count"]; ok && c.Type().IsObjectType() && c.Type().HasAttribute("index") {
		if idx := c.GetAttr("index"); idx.IsKnown() && !idx.IsNull() {
			attrs[builtin.AppName] = cty.StringVal(fmt.Sprintf("%s-%s", rc.Addr.Name, idx.AsBigFloat().String()))
		}
	}

	if ab.Chart != nil {
		attrs[builtin.HelmRepository], attrs[builtin.HelmChart], attrs[builtin.HelmVersion] = ab.Chart.Repository, ab.Chart.Name, ab.Chart.Version
		attrs[builtin.AppRevision] = ab.Chart.Version
		d := helmValues(attrs, ab.Chart.Values, ab.Chart.ValuesFiles, cty.StringVal(rc.Config.MissingItemRange().Filename), ab.Chart.Def, true)
		diags = append(diags, d...)
	} else {
		dirAttr := builtin.AppManifestsDir
		if helm {
			dirAttr = builtin.HelmChartDir
		}
		d := sourceDir(attrs, dirAttr, ab.Source, roots)
		diags = append(diags, d...)
		if m != nil {
			m.src = &appSource{Repo: ab.Source.Repo, Path: ab.Source.Path, Def: ab.Source.Def}
			m.dirAttr, m.dir, m.revision = dirAttr, attrs[dirAttr], attrs[builtin.AppRevision]
		}
		if ab.Source.Helm != nil {
			d := helmValues(attrs, ab.Source.Helm.Values, ab.Source.Helm.ValuesFiles, attrs[builtin.HelmChartDir], ab.Source.Helm.Def, false)
			diags = append(diags, d...)
		}
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	if d := ab.Destination; d != nil {
		attrs[builtin.AppNamespace] = d.Namespace
	}
	if s := ab.Sync; s != nil {
		attrs[builtin.AppPrune], attrs[builtin.AppSelfHeal], attrs[builtin.AppCreateNamespace], attrs[builtin.AppPruneLast] = s.Prune, s.SelfHeal, s.CreateNamespace, s.PruneLast
		if s.Retry != nil {
			attrs[builtin.AppRetry] = nested(builtin.RetryType, map[string]cty.Value{
				builtin.RetryLimit: s.Retry.Limit, builtin.RetryBackoff: s.Retry.Backoff,
				builtin.RetryFactor: s.Retry.Factor, builtin.RetryMaxBackoff: s.Retry.MaxBackoff,
			})
		}
		if s.Wait != nil {
			attrs[builtin.AppWaitTimeout] = s.Wait.Timeout
		}
		if a := s.Adopt; a != nil {
			// A chart's release takes the objects over at install (the
			// helm provider); other apps at their first sync.
			attrs[builtin.AppAdopt] = nested(builtin.AdoptType, map[string]cty.Value{builtin.AdoptFrom: a.From, builtin.AdoptName: a.Name})
		}
	}
	if r := ab.Rollout; r != nil {
		v, d := rolloutAttr(rc, r, helm, ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.DynamicVal, diags
		}
		attrs[builtin.AppRollout] = v
	}
	if len(ab.IgnoreDifferences) > 0 {
		var list []cty.Value
		for _, ig := range ab.IgnoreDifferences {
			list = append(list, nested(builtin.IgnoreDifferenceType, map[string]cty.Value{
				builtin.IgnoreGroup: ig.Group, builtin.IgnoreKind: ig.Kind, builtin.IgnoreName: ig.Name,
				builtin.IgnoreNamespace: ig.Namespace, builtin.IgnoreJSONPointers: ig.JSONPointers,
			}))
		}
		attrs[builtin.AppIgnoreDifferences] = cty.TupleVal(list)
	}

	// Convert every attribute to the provider's type, so mistakes are
	// reported against the app block rather than deep in the provider.
	out := kind.SchemaObject(schema, attrs, func(name string, err error) {
		diags = append(diags, kind.Errorf("Invalid app setting", &decl, "%s: %s: %v.", rc.Addr, name, err))
	})
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return out, diags
}

// nested builds an object of a nested block's settings: an argument the
// block leaves out (cty.NilVal from gohcl) is null of its type in ty, so
// that each one left out keeps its default in the provider.
func nested(ty cty.Type, attrs map[string]cty.Value) cty.Value {
	out := make(map[string]cty.Value, len(attrs))
	for name, v := range attrs {
		if v == cty.NilVal {
			v = cty.NullVal(ty.AttributeType(name))
		}
		out[name] = v
	}
	return cty.ObjectVal(out)
}

// sourceDir sets attrs[dirAttr] to the source checkout's directory joined
// with the source block's path, and revision to its commit.
func sourceDir(attrs map[string]cty.Value, dirAttr string, src *appSource, roots *confine.Roots) hcl.Diagnostics {
	repo := src.Repo
	srcRange := src.Def
	switch {
	case !repo.IsKnown():
		attrs[dirAttr] = cty.UnknownVal(cty.String)
		attrs[builtin.AppRevision] = cty.UnknownVal(cty.String)
		return nil
	case repo.IsNull() || !repo.Type().IsObjectType() || !repo.Type().HasAttribute(builtin.SourceDir):
		return hcl.Diagnostics{kind.ErrorDiag("Invalid app source",
			"repo must be a git source, like repo = source.git.gitops: slipway reads the manifests from that source's checkout.", &srcRange)}
	}
	dir := repo.GetAttr(builtin.SourceDir)
	path := src.Path
	switch {
	case !dir.IsKnown() || (!path.IsNull() && !path.IsKnown()):
		attrs[dirAttr] = cty.UnknownVal(cty.String)
	case path.IsNull():
		attrs[dirAttr] = dir
	default:
		// A path from a sensitive value makes a sensitive directory.
		path, marks := path.UnmarkDeep()
		p, err := convert.Convert(path, cty.String)
		if err != nil {
			return hcl.Diagnostics{kind.Errorf("Invalid app source path", &srcRange, "path must be a string: %v.", err)}
		}
		clean := filepath.Clean(p.AsString())
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return hcl.Diagnostics{kind.Errorf("Invalid app source path", &srcRange,
				"path %q must be relative and stay inside the repository, like \"apps/web\".", p.AsString())}
		}
		// The links on the way are followed before the check that the
		// path is inside the checkout: a path through a link to /etc
		// must not make the app read the host's files.
		rel, err := roots.Rel(dir.AsString(), clean)
		var outside *confine.EscapeError
		switch {
		case errors.As(err, &outside):
			return hcl.Diagnostics{kind.Errorf("Invalid app source path", &srcRange,
				"path %q leads outside the repository: %v.", p.AsString(), err)}
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return hcl.Diagnostics{kind.Errorf("Invalid app source path", &srcRange,
				"path %q cannot be read in the repository: %v.", p.AsString(), err)}
		case err != nil:
			// No checkout to follow links in: the provider says what is
			// missing.
			rel = clean
		}
		attrs[dirAttr] = cty.StringVal(filepath.Join(dir.AsString(), rel)).WithMarks(marks)
	}
	if repo.Type().HasAttribute(builtin.SourceCommit) {
		attrs[builtin.AppRevision] = repo.GetAttr(builtin.SourceCommit)
	}
	return nil
}

// helmValues sets a helm_release's values (the HCL object as one JSON
// document, which is YAML too) and values_files, resolved against base:
// the chart directory for a chart from a source, the configuration file's
// directory for a chart from a repository.
func helmValues(attrs map[string]cty.Value, values, files, base cty.Value, rng hcl.Range, baseIsFile bool) hcl.Diagnostics {
	if !values.IsNull() {
		if !values.IsWhollyKnown() {
			attrs[builtin.HelmValues] = cty.UnknownVal(cty.String)
		} else {
			// A document that holds a sensitive value is sensitive as a
			// whole.
			plain, marks := values.UnmarkDeep()
			b, err := ctyjson.Marshal(plain, plain.Type())
			if err != nil {
				return hcl.Diagnostics{kind.Errorf("Invalid helm values", &rng, "values must be an object: %v.", err)}
			}
			attrs[builtin.HelmValues] = cty.StringVal(string(b)).WithMarks(marks)
		}
	}
	if files.IsNull() {
		return nil
	}
	if !files.IsWhollyKnown() || !base.IsKnown() {
		attrs[builtin.HelmValuesFiles] = cty.UnknownVal(cty.List(cty.String))
		return nil
	}
	list, err := convert.Convert(files, cty.List(cty.String))
	if err != nil {
		return hcl.Diagnostics{kind.Errorf("Invalid helm values_files", &rng, "values_files must be a list of paths: %v.", err)}
	}
	// A file named from a sensitive value is sensitive.
	base, baseMarks := base.Unmark()
	list, listMarks := list.Unmark()
	dir := base.AsString()
	if baseIsFile {
		dir = filepath.Dir(dir)
	}
	var out []cty.Value
	for _, f := range list.AsValueSlice() {
		f, marks := f.Unmark()
		p := f.AsString()
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		out = append(out, cty.StringVal(p).WithMarks(marks, listMarks, baseMarks))
	}
	if len(out) == 0 {
		attrs[builtin.HelmValuesFiles] = cty.ListValEmpty(cty.String)
	} else {
		attrs[builtin.HelmValuesFiles] = cty.ListVal(out)
	}
	return nil
}

// keptNamespace reports whether id is a Namespace that holds an object
// the destroy leaves in place (keptIn, by namespace).
func keptNamespace(id string, keptIn map[string]bool) bool {
	_, isNamespace, name := builtin.NamespaceOfID(id)
	return isNamespace && keptIn[name]
}

// nestedChanges breaks an app's change into one change per Kubernetes
// object, from the objects attribute on each side.
func nestedChanges(ch *plans.ResourceChange) []*plans.NestedChange {
	before, after := objectsOf(ch.Before), objectsOf(ch.After)
	if before == nil && after == nil {
		return nil
	}
	// Objects known only after apply (a promote to the app's source may
	// change anything in it) are not gone: each may change.
	afterUnknown := objectsUnknown(ch.After)
	// Objects taken over from Argo CD or Flux (sync.adopt) are compared
	// with what they are live, not created.
	adopted := adoptedOf(ch.After)
	random := randomOf(ch.After)
	// A destroy leaves a Namespace of the app in place while it holds an
	// object the destroy leaves in place: deleting it would delete them.
	keptIn := map[string]bool{}
	// A helm release's uninstall deletes its Namespace whatever it holds.
	if ch.Action == plans.Delete && ch.Type == builtin.KubernetesApp {
		for id, b := range before {
			if _, inAfter := after[id]; !inAfter && builtin.KeptOnDestroyValue(ch.Type, b) != "" {
				if ns, _, _ := builtin.NamespaceOfID(id); ns != "" {
					keptIn[ns] = true
				}
			}
		}
	}
	// An object whose manifest moved to another version of its API is
	// the object it was, updated, as the provider applies it (and as Helm
	// upgrades it: it matches objects by group and kind): not a delete
	// and a create, which a policy against deletes would deny.
	movedFrom := map[string]string{}
	if (ch.Type == builtin.KubernetesApp || ch.Type == builtin.HelmRelease) && !afterUnknown {
		gone := map[string]string{}
		for id := range before {
			if _, ok := after[id]; !ok {
				gone[builtin.UnversionedID(id)] = id
			}
		}
		for id := range after {
			if _, ok := before[id]; ok {
				continue
			}
			if old, ok := gone[builtin.UnversionedID(id)]; ok {
				movedFrom[id] = old
				delete(gone, builtin.UnversionedID(id))
			}
		}
	}
	moved := map[string]bool{}
	for _, old := range movedFrom {
		moved[old] = true
	}
	ids := map[string]bool{}
	for id := range before {
		if !moved[id] {
			ids[id] = true
		}
	}
	for id := range after {
		ids[id] = true
	}
	var out []*plans.NestedChange
	for _, id := range kind.SortedKeys(ids) {
		beforeID := id
		if old, ok := movedFrom[id]; ok {
			beforeID = old
		}
		b, inBefore := before[beforeID]
		a, inAfter := after[id]
		nc := &plans.NestedChange{Address: id, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.NullVal(cty.DynamicPseudoType)}
		if inBefore {
			nc.Before = b
		}
		if inAfter {
			nc.After = a
		}
		av, isAdopted := adopted[id]
		switch {
		case !inBefore && isAdopted && inAfter:
			nc.Before, nc.Reason = av, plans.ReasonAdopted
			// The live object it takes over, as sensitive as the
			// provider marked it under adopted (a Secret's data).
			nc.BeforeSensitive = withinAttr(ch.AfterSensitive, builtin.AppAdopted, id)
			nc.Action = plans.Update
			if kind.SameValue(av, a) {
				nc.Action = plans.NoOp
			}
		case !inBefore:
			nc.Action = plans.Create
		case !inAfter && afterUnknown:
			nc.Action, nc.After = plans.Update, cty.DynamicVal
		case !inAfter && ch.Action == plans.Delete && (builtin.KeptOnDestroyValue(ch.Type, b) != "" || keptNamespace(id, keptIn)):
			// The app goes, the object stays (Helm's keep, Argo CD's
			// Delete=false, a Namespace that holds such an object):
			// nothing happens to it.
			nc.Action, nc.Reason, nc.After = plans.NoOp, plans.ReasonKept, b
		case !inAfter && ch.Type == builtin.HelmRelease && builtin.KeptOnDestroyValue(ch.Type, b) != "":
			// Out of the chart, but Helm's upgrade leaves an object
			// with resource-policy keep where it is, as its uninstall
			// does.
			nc.Action, nc.Reason, nc.After = plans.NoOp, plans.ReasonKept, b
		case !inAfter:
			nc.Action, nc.Reason = plans.Delete, plans.ReasonRemoved
		case kind.SameValue(b, a):
			nc.Action = plans.NoOp
		default:
			nc.Action = plans.Update
		}
		if nc.Reason != plans.ReasonAdopted {
			nc.BeforeSensitive = within(ch.BeforeSensitive, beforeID)
		}
		nc.AfterSensitive = within(ch.AfterSensitive, id)
		if nc.Reason == plans.ReasonKept {
			nc.AfterSensitive = nc.BeforeSensitive // the object as it stays
		}
		nc.Random = random[id]
		out = append(out, nc)
	}
	if ch.Action == plans.Update && !slices.ContainsFunc(out, func(nc *plans.NestedChange) bool { return nc.Action != plans.NoOp }) {
		// No object changes (only the revision moved, say): the sync
		// changes nothing in the cluster and runs no hooks. A hook
		// that changed is recorded, and shown, for the next sync.
		return append(out, hookRecords(ch)...)
	}
	return append(out, hookRuns(ch)...)
}

// hookRecords are the hooks that changed in an update that runs none:
// each added, changed or removed hook, as the apply records it for the
// sync that runs it.
func hookRecords(ch *plans.ResourceChange) []*plans.NestedChange {
	type rec struct {
		h    cty.Value
		k    cty.Value
		sens []cty.Path
	}
	collect := func(v cty.Value, sens []cty.Path) (map[string]rec, []string) {
		m := map[string]rec{}
		var order []string
		if hooks := hooksOf(v); hooks != cty.NilVal {
			for it := hooks.ElementIterator(); it.Next(); {
				k, h := it.Element()
				key := h.GetAttr(builtin.HookPhase).AsString() + " " + h.GetAttr(builtin.HookID).AsString()
				m[key] = rec{h, k, sens}
				order = append(order, key)
			}
		}
		return m, order
	}
	before, beforeOrder := collect(ch.Before, ch.BeforeSensitive)
	after, afterOrder := collect(ch.After, ch.AfterSensitive)
	var out []*plans.NestedChange
	add := func(key string, action plans.Action, b, a *rec) {
		nc := &plans.NestedChange{Address: "hook " + key + " (runs at the next sync)", Action: action,
			Before: cty.NullVal(cty.DynamicPseudoType), After: cty.NullVal(cty.DynamicPseudoType)}
		if b != nil {
			nc.Before, nc.BeforeSensitive = hookRunValue(b.h, manifestSensitive(b.sens, b.k))
		}
		if a != nil {
			nc.After, nc.AfterSensitive = hookRunValue(a.h, manifestSensitive(a.sens, a.k))
		}
		out = append(out, nc)
	}
	for _, key := range afterOrder {
		a := after[key]
		b, was := before[key]
		switch {
		case !was:
			add(key, plans.Create, nil, &a)
		case !kind.SameValue(b.h, a.h):
			add(key, plans.Update, &b, &a)
		}
	}
	for _, key := range beforeOrder {
		if _, stays := after[key]; !stays {
			b := before[key]
			add(key, plans.Delete, &b, nil)
		}
	}
	return out
}

// hookRuns are the hooks the change runs, each as a nested run: those of
// a sync when the app is created or changed, its PostDelete hooks when it
// is destroyed. SyncFail hooks run only if the sync fails and are not
// listed. Hooks are runs, not objects: they are never created, changed
// or destroyed as objects of the app. Each run shows the object it
// creates (its manifest), against the one the last apply recorded for
// the same hook: a reviewer sees what a changed hook now runs.
func hookRuns(ch *plans.ResourceChange) []*plans.NestedChange {
	v, sens, phases := ch.After, ch.AfterSensitive, []string{builtin.HookPreSync, builtin.HookSync, builtin.HookPostSync}
	prior, priorSens := ch.Before, ch.BeforeSensitive
	switch ch.Action {
	case plans.Delete:
		v, sens, phases = ch.Before, ch.BeforeSensitive, []string{builtin.HookPostDelete}
		prior = cty.NilVal
	case plans.Create, plans.Update, plans.DeleteThenCreate, plans.CreateThenDelete:
	default:
		return nil
	}
	hooks := hooksOf(v)
	if hooks == cty.NilVal {
		return nil
	}
	// The hooks the last apply recorded, by phase and ID.
	last := map[string]cty.Value{}
	lastIndex := map[string]cty.Value{}
	if ph := hooksOf(prior); ph != cty.NilVal {
		for it := ph.ElementIterator(); it.Next(); {
			k, h := it.Element()
			key := h.GetAttr(builtin.HookPhase).AsString() + " " + h.GetAttr(builtin.HookID).AsString()
			last[key], lastIndex[key] = h, k
		}
	}
	var out []*plans.NestedChange
	for _, phase := range phases {
		for it := hooks.ElementIterator(); it.Next(); {
			k, h := it.Element()
			if h.GetAttr(builtin.HookPhase).AsString() != phase {
				continue
			}
			id := h.GetAttr(builtin.HookID).AsString()
			addr := "hook " + phase + " " + id
			if g := h.GetAttr(builtin.HookGenerateName); !g.IsNull() {
				addr += " (generateName " + g.AsString() + ")"
			}
			nc := &plans.NestedChange{Address: addr, Action: plans.Run, Before: cty.NullVal(cty.DynamicPseudoType)}
			nc.After, nc.AfterSensitive = hookRunValue(h, manifestSensitive(sens, k))
			if lh, ok := last[phase+" "+id]; ok {
				nc.Before, nc.BeforeSensitive = hookRunValue(lh, manifestSensitive(priorSens, lastIndex[phase+" "+id]))
			}
			out = append(out, nc)
		}
	}
	return out
}

// hooksOf returns the hooks attribute of an app value when it is known
// and holds some, else cty.NilVal.
func hooksOf(v cty.Value) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppHooks) {
		return cty.NilVal
	}
	hooks := v.GetAttr(builtin.AppHooks)
	if hooks.IsNull() || !hooks.IsWhollyKnown() || !hooks.CanIterateElements() {
		return cty.NilVal
	}
	return hooks
}

// hookRunValue is a hook as its nested run shows it: its manifest, a
// JSON string in the hooks attribute, as the object it is, and with the
// path that hides it when it is sensitive (a Secret).
func hookRunValue(h cty.Value, sensitive bool) (cty.Value, []cty.Path) {
	attrs := h.AsValueMap()
	if m, ok := attrs[builtin.HookManifest]; ok && !m.IsNull() {
		if ty, err := ctyjson.ImpliedType([]byte(m.AsString())); err == nil {
			if obj, err := ctyjson.Unmarshal([]byte(m.AsString()), ty); err == nil {
				attrs[builtin.HookManifest] = obj
			}
		}
	}
	var paths []cty.Path
	if sensitive {
		paths = []cty.Path{cty.GetAttrPath(builtin.HookManifest)}
	}
	return cty.ObjectVal(attrs), paths
}

// manifestSensitive reports whether paths, of an app's value, mark the
// manifest of the hook at index k of its hooks attribute sensitive (or
// the hook, or every hook).
func manifestSensitive(paths []cty.Path, k cty.Value) bool {
	for _, p := range paths {
		if len(p) == 0 {
			return true
		}
		if a, ok := p[0].(cty.GetAttrStep); !ok || a.Name != builtin.AppHooks {
			continue
		}
		if len(p) == 1 {
			return true
		}
		if ix, ok := p[1].(cty.IndexStep); ok && ix.Key.RawEquals(k) {
			return true
		}
	}
	return false
}

// objectsOf returns the objects attribute of an app value by ID; nil when
// the value has none or it is unknown.
func objectsOf(v cty.Value) map[string]cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppObjects) {
		return nil
	}
	o := v.GetAttr(builtin.AppObjects)
	if o.IsNull() || !o.IsKnown() || !(o.Type().IsObjectType() || o.Type().IsMapType()) {
		return nil
	}
	return o.AsValueMap()
}

// adoptedOf returns the objects an app's plan adopts, by ID, as they are
// live; nil when it adopts none.
func adoptedOf(v cty.Value) map[string]cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppAdopted) {
		return nil
	}
	o := v.GetAttr(builtin.AppAdopted)
	if o.IsNull() || !o.IsWhollyKnown() || !(o.Type().IsObjectType() || o.Type().IsMapType()) {
		return nil
	}
	return o.AsValueMap()
}

// objectsUnknown reports whether an app value's objects are known only
// after apply.
func objectsUnknown(v cty.Value) bool {
	if !v.IsKnown() {
		return true
	}
	if v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.AppObjects) {
		return false
	}
	return !v.GetAttr(builtin.AppObjects).IsKnown()
}

// within returns the paths under objects[id], relative to that object.
func within(paths []cty.Path, id string) []cty.Path {
	return withinAttr(paths, builtin.AppObjects, id)
}

// withinAttr is within for the objects held in attribute attr of the app
// value (adopted, say), not objects.
func withinAttr(paths []cty.Path, attr, id string) []cty.Path {
	var out []cty.Path
	for _, p := range paths {
		if len(p) == 0 {
			continue
		}
		if a, ok := p[0].(cty.GetAttrStep); !ok || a.Name != attr {
			continue
		}
		if len(p) == 1 {
			// All the objects are sensitive (computed from a sensitive
			// argument of the app): so is each one.
			out = append(out, cty.Path{})
			continue
		}
		switch st := p[1].(type) {
		case cty.GetAttrStep:
			if st.Name != id {
				continue
			}
		case cty.IndexStep:
			if st.Key.Type() != cty.String || st.Key.AsString() != id {
				continue
			}
		default:
			continue
		}
		out = append(out, p[2:])
	}
	return out
}

// pinAppInputs makes an app's configuration at apply time read the
// manifests the plan showed: the manifests directory and revision the plan
// recorded win over today's, so that a saved plan (or a rollback) applies
// exactly what it displayed.
func pinAppInputs(cfg, planned cty.Value) cty.Value {
	if cfg.IsNull() || !cfg.IsKnown() || planned.IsNull() || !planned.IsKnown() {
		return cfg
	}
	m := cfg.AsValueMap()
	for _, name := range []string{builtin.AppManifestsDir, builtin.HelmChartDir, builtin.AppRevision, builtin.AppRollout} {
		if planned.Type().HasAttribute(name) {
			if v := planned.GetAttr(name); v.IsKnown() && !v.IsNull() {
				m[name] = v
			}
		}
	}
	return cty.ObjectVal(m)
}

// randomOf returns, by object ID, the fields of a helm_release's objects
// that its chart renders differently each time (random_fields).
func randomOf(v cty.Value) map[string][]cty.Path {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(builtin.HelmRandomFields) {
		return nil
	}
	r := v.GetAttr(builtin.HelmRandomFields)
	if r.IsNull() || !r.IsWhollyKnown() || !(r.Type().IsMapType() || r.Type().IsObjectType()) {
		return nil
	}
	out := map[string][]cty.Path{}
	for id, ptrs := range r.AsValueMap() {
		if ptrs.IsNull() || !ptrs.CanIterateElements() {
			continue
		}
		for it := ptrs.ElementIterator(); it.Next(); {
			_, p := it.Element()
			if p.Type() == cty.String && !p.IsNull() {
				out[id] = append(out[id], builtin.PointerPath(p.AsString()))
			}
		}
	}
	return out
}
