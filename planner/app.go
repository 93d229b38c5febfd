package planner

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
)

// appResourceType is the resource type an app block is lowered to: one
// instance per app instance, planned and applied by the kubernetes
// provider, holding every Kubernetes object of the app.
const appResourceType = "kubernetes_app"

// appNestedFrom are the attributes of an app whose content the nested
// per-object changes show.
var appNestedFrom = []string{"objects", "inventory"}

// typeOf is the provider resource type a block is planned as.
func typeOf(rc *lang.Resource) string {
	if rc.Addr.Kind == addrs.App {
		return appResourceType
	}
	return rc.Addr.Type
}

// appBlock is the language of an app block (Argo CD's Application).
type appBlock struct {
	Source            *appSource      `hcl:"source,block"`
	Chart             *appChart       `hcl:"chart,block"`
	Destination       *appDestination `hcl:"destination,block"`
	Sync              *appSync        `hcl:"sync,block"`
	IgnoreDifferences []*appIgnore    `hcl:"ignore_differences,block"`
	Rollout           cty.Value       `hcl:"rollout,optional"`
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
	Repository cty.Value `hcl:"repository"`
	Name       cty.Value `hcl:"name"`
	Version    cty.Value `hcl:"version,optional"`
	Def        hcl.Range `hcl:",def_range"`
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

// decodeApp evaluates an app block and lowers it to the configuration of
// a kubernetes_app resource of the given schema.
func decodeApp(rc *lang.Resource, schema sdk.Schema, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	var ab appBlock
	diags := gohcl.DecodeBody(rc.Config, ctx, &ab)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	decl := rc.DeclRange
	if ab.Chart != nil {
		r := ab.Chart.Def
		return cty.DynamicVal, append(diags, errorDiag("Charts are not supported yet",
			"This version of slipway syncs apps from plain YAML and kustomize directories of a git source; apps from helm charts need the helm provider, which it does not include yet. Render the chart into the GitOps repository, or use a source block.", &r))
	}
	if ab.Source == nil {
		return cty.DynamicVal, append(diags, errorf("Missing source block", &decl,
			"%s needs a source block naming where its manifests are: source { repo = source.git.NAME, path = \"apps/NAME\" }.", rc.Addr))
	}
	if ab.Source.Helm != nil {
		r := ab.Source.Helm.Def
		return cty.DynamicVal, append(diags, errorDiag("Charts are not supported yet",
			"This version of slipway syncs apps from plain YAML and kustomize directories; the helm block needs the helm provider, which it does not include yet.", &r))
	}

	attrs := map[string]cty.Value{
		"name": cty.StringVal(rc.Addr.Name),
	}
	if k, ok := ctx.Variables["each"]; ok && k.Type().IsObjectType() && k.Type().HasAttribute("key") {
		// app.web["eu"] syncs as web-eu, so instances own distinct objects.
		if key := k.GetAttr("key"); key.IsKnown() && !key.IsNull() {
			attrs["name"] = cty.StringVal(rc.Addr.Name + "-" + key.AsString())
		}
	}
	if c, ok := ctx.Variables["count"]; ok && c.Type().IsObjectType() && c.Type().HasAttribute("index") {
		if idx := c.GetAttr("index"); idx.IsKnown() && !idx.IsNull() {
			attrs["name"] = cty.StringVal(fmt.Sprintf("%s-%s", rc.Addr.Name, idx.AsBigFloat().String()))
		}
	}

	repo := ab.Source.Repo
	srcRange := ab.Source.Def
	switch {
	case !repo.IsKnown():
		attrs["manifests_dir"] = cty.UnknownVal(cty.String)
		attrs["revision"] = cty.UnknownVal(cty.String)
	case repo.IsNull() || !repo.Type().IsObjectType() || !repo.Type().HasAttribute("dir"):
		return cty.DynamicVal, append(diags, errorDiag("Invalid app source",
			"repo must be a git source, like repo = source.git.gitops: slipway reads the manifests from that source's checkout.", &srcRange))
	default:
		dir := repo.GetAttr("dir")
		path := ab.Source.Path
		switch {
		case !dir.IsKnown() || (!path.IsNull() && !path.IsKnown()):
			attrs["manifests_dir"] = cty.UnknownVal(cty.String)
		case path.IsNull():
			attrs["manifests_dir"] = dir
		default:
			p, err := convert.Convert(path, cty.String)
			if err != nil {
				return cty.DynamicVal, append(diags, errorf("Invalid app source path", &srcRange, "path must be a string: %v.", err))
			}
			clean := filepath.Clean(p.AsString())
			if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
				return cty.DynamicVal, append(diags, errorf("Invalid app source path", &srcRange,
					"path %q must be relative and stay inside the repository, like \"apps/web\".", p.AsString()))
			}
			attrs["manifests_dir"] = cty.StringVal(filepath.Join(dir.AsString(), clean))
		}
		if repo.Type().HasAttribute("commit") {
			attrs["revision"] = repo.GetAttr("commit")
		}
	}
	if d := ab.Destination; d != nil {
		attrs["namespace"] = d.Namespace
	}
	if s := ab.Sync; s != nil {
		attrs["prune"], attrs["self_heal"], attrs["create_namespace"], attrs["prune_last"] = s.Prune, s.SelfHeal, s.CreateNamespace, s.PruneLast
		if s.Retry != nil {
			attrs["retry"] = cty.ObjectVal(map[string]cty.Value{
				"limit": s.Retry.Limit, "backoff": s.Retry.Backoff, "factor": s.Retry.Factor, "max_backoff": s.Retry.MaxBackoff,
			})
		}
		if s.Wait != nil {
			attrs["wait_timeout"] = s.Wait.Timeout
		}
	}
	if len(ab.IgnoreDifferences) > 0 {
		var list []cty.Value
		for _, ig := range ab.IgnoreDifferences {
			list = append(list, cty.ObjectVal(map[string]cty.Value{
				"group": ig.Group, "kind": ig.Kind, "name": ig.Name, "namespace": ig.Namespace, "json_pointers": ig.JSONPointers,
			}))
		}
		attrs["ignore_differences"] = cty.TupleVal(list)
	}

	// Convert every attribute to the provider's type, so mistakes are
	// reported against the app block rather than deep in the provider.
	out := make(map[string]cty.Value, len(schema.Attributes))
	for name, a := range schema.Attributes {
		v, ok := attrs[name]
		if !ok || v == cty.NilVal {
			out[name] = cty.NullVal(a.Type)
			continue
		}
		cv, err := convert.Convert(v, a.Type)
		if err != nil {
			diags = append(diags, errorf("Invalid app setting", &decl, "%s: %s: %v.", rc.Addr, name, err))
			continue
		}
		out[name] = cv
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return cty.ObjectVal(out), diags
}

// nestedChanges breaks an app's change into one change per Kubernetes
// object, from the objects attribute on each side.
func nestedChanges(ch *plans.ResourceChange) []*plans.NestedChange {
	before, after := objectsOf(ch.Before), objectsOf(ch.After)
	if before == nil && after == nil {
		return nil
	}
	ids := map[string]bool{}
	for id := range before {
		ids[id] = true
	}
	for id := range after {
		ids[id] = true
	}
	var out []*plans.NestedChange
	for _, id := range sortedKeys(ids) {
		b, inBefore := before[id]
		a, inAfter := after[id]
		nc := &plans.NestedChange{Address: id, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.NullVal(cty.DynamicPseudoType)}
		if inBefore {
			nc.Before = b
		}
		if inAfter {
			nc.After = a
		}
		switch {
		case !inBefore:
			nc.Action = plans.Create
		case !inAfter:
			nc.Action, nc.Reason = plans.Delete, plans.ReasonRemoved
		case sameValue(b, a):
			nc.Action = plans.NoOp
		default:
			nc.Action = plans.Update
		}
		nc.BeforeSensitive = within(ch.BeforeSensitive, id)
		nc.AfterSensitive = within(ch.AfterSensitive, id)
		out = append(out, nc)
	}
	return out
}

// objectsOf returns the objects attribute of an app value by ID; nil when
// the value has none or it is unknown.
func objectsOf(v cty.Value) map[string]cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute("objects") {
		return nil
	}
	o := v.GetAttr("objects")
	if o.IsNull() || !o.IsKnown() || !(o.Type().IsObjectType() || o.Type().IsMapType()) {
		return nil
	}
	return o.AsValueMap()
}

// within returns the paths under objects[id], relative to that object.
func within(paths []cty.Path, id string) []cty.Path {
	var out []cty.Path
	for _, p := range paths {
		if len(p) < 2 {
			continue
		}
		if a, ok := p[0].(cty.GetAttrStep); !ok || a.Name != "objects" {
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
	for _, name := range []string{"manifests_dir", "revision"} {
		if planned.Type().HasAttribute(name) {
			if v := planned.GetAttr(name); v.IsKnown() && !v.IsNull() {
				m[name] = v
			}
		}
	}
	return cty.ObjectVal(m)
}
