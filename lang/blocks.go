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

package lang

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/lang/addrs"
)

var slipwaySchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "required_providers"},
	{Type: "backend", LabelNames: []string{"type"}},
	{Type: "encryption"},
}}

// slipway decodes a slipway block. Several may appear, as in Terraform;
// their contents merge.
func (l *loader) slipway(b *hcl.Block) {
	sw := l.cfg.Slipway
	if sw.DeclRange == (hcl.Range{}) {
		sw.DeclRange = b.DefRange
	}
	content, diags := b.Body.Content(slipwaySchema)
	l.diags = append(l.diags, diags...)
	for _, blk := range content.Blocks {
		if blk.Type == "backend" {
			if sw.Backend != nil {
				l.errorf(blk.DefRange, "Duplicate backend configuration", "A backend was already configured at %s; a configuration stores its state in exactly one backend. Remove one of the two.", sw.Backend.DeclRange)
				continue
			}
			sw.Backend = &Backend{Type: blk.Labels[0], Config: blk.Body, DeclRange: blk.DefRange}
			continue
		}
		if blk.Type == "encryption" {
			l.encryption(blk)
			continue
		}
		attrs, diags := blk.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		for _, attr := range sortedAttrs(attrs) {
			l.requiredProvider(attr)
		}
	}
}

// requiredProvider decodes `NAME = { source = "...", version = "..." }`.
func (l *loader) requiredProvider(attr *hcl.Attribute) {
	if prev, ok := l.cfg.Slipway.RequiredProviders[attr.Name]; ok {
		l.duplicate("required provider", attr.Name, prev.DeclRange, attr.NameRange)
		return
	}
	rp := &RequiredProvider{Name: attr.Name, DeclRange: attr.Range}
	pairs, diags := hcl.ExprMap(attr.Expr)
	if diags.HasErrors() {
		l.errorf(attr.Expr.Range(), "Invalid required provider", "A required provider is an object with a source and a version constraint, like %s = { source = \"example/%s\", version = \">= 1.0\" }.", attr.Name, attr.Name)
		return
	}
	for _, p := range pairs {
		var key string
		l.decodeExpr(p.Key, &key)
		switch key {
		case "source":
			l.decodeExpr(p.Value, &rp.Source)
		case "version":
			l.decodeExpr(p.Value, &rp.Version)
		default:
			l.errorf(p.Key.Range(), "Unsupported argument", "A required provider has only the arguments \"source\" and \"version\", not %q.%s", key, didYouMean(key, []string{"source", "version"}))
		}
	}
	l.cfg.Slipway.RequiredProviders[attr.Name] = rp
}

var providerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "alias"}}}

func (l *loader) provider(b *hcl.Block) {
	p := &ProviderBlock{Name: b.Labels[0], DeclRange: b.DefRange}
	if !l.validName("provider", p.Name, b.LabelRanges[0]) {
		return
	}
	content, rest, diags := b.Body.PartialContent(providerSchema)
	l.diags = append(l.diags, diags...)
	p.Config = rest
	if attr, ok := content.Attributes["alias"]; ok {
		l.decode(attr, &p.Alias)
		if p.Alias != "" && !l.validName("provider alias", p.Alias, attr.Expr.Range()) {
			return
		}
	}
	key := addrs.Provider{Name: p.Name, Alias: p.Alias}.Key()
	if prev, ok := l.cfg.Providers[key]; ok {
		l.duplicate("provider configuration", key, prev.DeclRange, p.DeclRange)
		return
	}
	l.cfg.Providers[key] = p
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"}, {Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "condition", Required: true}, {Name: "error_message", Required: true},
}}

func (l *loader) variable(b *hcl.Block) {
	v := &Variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, Nullable: true, DeclRange: b.DefRange}
	if !l.validName("variable", v.Name, b.LabelRanges[0]) {
		return
	}
	content, diags := b.Body.Content(variableSchema)
	l.diags = append(l.diags, diags...)
	l.decode(content.Attributes["description"], &v.Description)
	l.decode(content.Attributes["sensitive"], &v.Sensitive)
	l.decode(content.Attributes["nullable"], &v.Nullable)
	if attr, ok := content.Attributes["type"]; ok {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(attr.Expr)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			v.Type, v.TypeDefaults = ty, defaults
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		l.variableDefault(v, attr)
	}
	for _, blk := range content.Blocks {
		c, diags := blk.Body.Content(validationSchema)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		v.Validations = append(v.Validations, &Validation{
			Condition:    c.Attributes["condition"].Expr,
			ErrorMessage: c.Attributes["error_message"].Expr,
			DeclRange:    blk.DefRange,
		})
	}
	if prev, ok := l.cfg.Variables[v.Name]; ok {
		l.duplicate("variable", "var."+v.Name, prev.DeclRange, v.DeclRange)
		return
	}
	l.cfg.Variables[v.Name] = v
}

// variableDefault evaluates a default and converts it to the declared
// type, so that every value a variable can take has that type.
func (l *loader) variableDefault(v *Variable, attr *hcl.Attribute) {
	val, diags := attr.Expr.Value(nil)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	if v.TypeDefaults != nil && !val.IsNull() {
		val = v.TypeDefaults.Apply(val)
	}
	val, err := convert.Convert(val, v.Type)
	switch {
	case err != nil:
		l.errorf(attr.Expr.Range(), "Invalid default value for variable", "The default of var.%s does not match its type %s: %s. Change the default or the type.", v.Name, typeexpr.TypeString(v.Type), err)
	case val.IsNull() && !v.Nullable:
		l.errorf(attr.Expr.Range(), "Invalid default value for variable", "var.%s is declared with nullable = false, so its default cannot be null. Give a non-null default, or remove the default to make the variable required.", v.Name)
	default:
		v.Default = val
	}
}

func (l *loader) locals(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	for _, attr := range sortedAttrs(attrs) {
		if !l.validName("local value", attr.Name, attr.NameRange) {
			continue
		}
		if prev, ok := l.cfg.Locals[attr.Name]; ok {
			l.duplicate("local value", "local."+attr.Name, prev.DeclRange, attr.NameRange)
			continue
		}
		l.cfg.Locals[attr.Name] = &Local{Name: attr.Name, Expr: attr.Expr, DeclRange: attr.Range}
	}
}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"}, {Name: "depends_on"},
}}

func (l *loader) output(b *hcl.Block) {
	o := &Output{Name: b.Labels[0], DeclRange: b.DefRange}
	if !l.validName("output", o.Name, b.LabelRanges[0]) {
		return
	}
	content, diags := b.Body.Content(outputSchema)
	l.diags = append(l.diags, diags...)
	if attr, ok := content.Attributes["value"]; ok {
		o.Expr = attr.Expr
	}
	l.decode(content.Attributes["description"], &o.Description)
	l.decode(content.Attributes["sensitive"], &o.Sensitive)
	if attr, ok := content.Attributes["depends_on"]; ok {
		o.DependsOn = l.traversals(attr, hcl.AbsTraversalForExpr)
	}
	if prev, ok := l.cfg.Outputs[o.Name]; ok {
		l.duplicate("output", o.Name, prev.DeclRange, o.DeclRange)
		return
	}
	l.cfg.Outputs[o.Name] = o
}

// traversals decodes a list of static references, as depends_on and
// ignore_changes hold.
func (l *loader) traversals(attr *hcl.Attribute, parse func(hcl.Expression) (hcl.Traversal, hcl.Diagnostics)) []hcl.Traversal {
	exprs, diags := hcl.ExprList(attr.Expr)
	l.diags = append(l.diags, diags...)
	var out []hcl.Traversal
	for _, e := range exprs {
		t, diags := parse(e)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			out = append(out, t)
		}
	}
	return out
}

// metaSchema takes the meta-arguments out of resource-like blocks; the
// rest of the body belongs to the block's own decoder.
var metaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: "depends_on"}, {Name: "provider"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

// analysisMetaSchema is metaSchema for analysis blocks, whose count is
// their own argument (how many measurements to take), not a
// meta-argument: an analysis is one thing, as a rollout is.
var analysisMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "depends_on"}, {Name: "provider"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

var lifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "create_before_destroy"}, {Name: "prevent_destroy"}, {Name: "ignore_changes"}, {Name: "replace_triggered_by"},
}}

// repeatable lists the kinds that may have count or for_each: a source,
// rollout or provider is one thing, while resources, apps (one per
// cluster) and pipelines (one per service) commonly come in sets.
var repeatable = map[addrs.Kind]bool{addrs.Managed: true, addrs.App: true, addrs.Pipeline: true}

func (l *loader) resource(b *hcl.Block, kind addrs.Kind) {
	addr := addrs.Resource{Kind: kind, Name: b.Labels[len(b.Labels)-1]}
	r := &Resource{DeclRange: b.DefRange, TypeRange: b.TypeRange}
	if len(b.Labels) == 2 {
		addr.Type, r.TypeRange = b.Labels[0], b.LabelRanges[0]
		if !l.validName(kind.String()+" type", addr.Type, b.LabelRanges[0]) {
			return
		}
		if kind == addrs.Managed && addrs.IsReservedRoot(addr.Type) {
			l.errorf(b.LabelRanges[0], "Reserved resource type", "%q is a keyword in references (as in %s.NAME), so it cannot be a resource type. Use the provider's type name, like \"kubernetes_manifest\".", addr.Type, addr.Type)
			return
		}
	}
	if !l.validName(kind.String(), addr.Name, b.LabelRanges[len(b.LabelRanges)-1]) {
		return
	}
	r.Addr, r.Provider = addr, DefaultProvider(addr)

	meta := metaSchema
	if kind == addrs.Analysis {
		meta = analysisMetaSchema
	}
	content, rest, diags := b.Body.PartialContent(meta)
	l.diags = append(l.diags, diags...)
	r.Config = rest
	count, forEach := content.Attributes["count"], content.Attributes["for_each"]
	switch {
	case !repeatable[kind]:
		for _, attr := range []*hcl.Attribute{count, forEach} {
			if attr != nil {
				l.errorf(attr.NameRange, "Unsupported meta-argument", "The %q meta-argument is allowed only in resource, app and pipeline blocks; %s block always declares exactly one instance. Remove it, or declare one %s block per instance.", attr.Name, article(kind.String()), kind)
			}
		}
	case count != nil && forEach != nil:
		l.errorf(forEach.NameRange, `Invalid combination of "count" and "for_each"`, `The "count" and "for_each" meta-arguments both say how many instances to create, so only one of them may be set. Remove one of them.`)
	case count != nil:
		r.Count = count.Expr
	case forEach != nil:
		r.ForEach = forEach.Expr
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		r.DependsOn = l.traversals(attr, hcl.AbsTraversalForExpr)
	}
	if attr, ok := content.Attributes["provider"]; ok {
		l.providerArg(r, attr)
	}
	if kind == addrs.App {
		l.appDestinationProvider(r)
	}
	for i, blk := range content.Blocks {
		if i > 0 {
			l.errorf(blk.DefRange, "Duplicate lifecycle block", "A lifecycle block was already given at %s; put all lifecycle arguments in that one block.", content.Blocks[0].DefRange)
			continue
		}
		l.lifecycle(&r.Lifecycle, blk)
	}

	key := addr.String()
	if prev, ok := l.cfg.Resources[key]; ok {
		l.duplicate(kind.String(), key, prev.DeclRange, r.DeclRange)
		return
	}
	l.cfg.Resources[key] = r
}

// appDestinationProvider reads `destination { provider = NAME.ALIAS }`
// of an app: the provider configuration of the cluster the app syncs to.
//
// An app from a helm chart (a chart block, or source { helm { ... } }) is
// synced by the helm provider instead, with the same alias: helm.prod for
// kubernetes.prod.
func (l *loader) appDestinationProvider(r *Resource) {
	sb, ok := r.Config.(*hclsyntax.Body)
	if !ok {
		return
	}
	for _, blk := range sb.Blocks {
		if blk.Type != "destination" {
			continue
		}
		if attr, ok := blk.Body.Attributes["provider"]; ok {
			l.providerArg(r, attr.AsHCLAttribute())
		}
	}
	if AppUsesHelm(r) {
		r.Provider.Name = "helm"
	}
}

// AppUsesHelm reports whether an app block syncs a helm chart: it has a
// chart block, or a source block with a helm block.
func AppUsesHelm(r *Resource) bool {
	sb, ok := r.Config.(*hclsyntax.Body)
	if !ok {
		return false
	}
	for _, blk := range sb.Blocks {
		if blk.Type == "chart" {
			return true
		}
		if blk.Type == "source" {
			for _, inner := range blk.Body.Blocks {
				if inner.Type == "helm" {
					return true
				}
			}
		}
	}
	return false
}

// providerArg decodes `provider = NAME` or `provider = NAME.ALIAS`.
func (l *loader) providerArg(r *Resource, attr *hcl.Attribute) {
	trav, diags := hcl.AbsTraversalForExpr(attr.Expr)
	p, ok := providerFromTraversal(trav)
	if diags.HasErrors() || !ok {
		l.errorf(attr.Expr.Range(), "Invalid provider reference", "The provider argument names a provider configuration as NAME or NAME.ALIAS, without quotes, like provider = kubernetes.prod.")
		return
	}
	r.Provider, r.ProviderSet, r.ProviderRange = p, true, attr.Expr.Range()
}

func providerFromTraversal(trav hcl.Traversal) (addrs.Provider, bool) {
	switch len(trav) {
	case 1:
		return addrs.Provider{Name: trav.RootName()}, true
	case 2:
		if step, ok := trav[1].(hcl.TraverseAttr); ok {
			return addrs.Provider{Name: trav.RootName(), Alias: step.Name}, true
		}
	}
	return addrs.Provider{}, false
}

func (l *loader) lifecycle(lc *Lifecycle, blk *hcl.Block) {
	content, diags := blk.Body.Content(lifecycleSchema)
	l.diags = append(l.diags, diags...)
	l.decode(content.Attributes["create_before_destroy"], &lc.CreateBeforeDestroy)
	l.decode(content.Attributes["prevent_destroy"], &lc.PreventDestroy)
	if attr, ok := content.Attributes["ignore_changes"]; ok {
		if hcl.ExprAsKeyword(attr.Expr) == "all" {
			lc.IgnoreAllChanges = true
		} else {
			lc.IgnoreChanges = l.traversals(attr, hcl.RelTraversalForExpr)
		}
	}
	if attr, ok := content.Attributes["replace_triggered_by"]; ok {
		exprs, diags := hcl.ExprList(attr.Expr)
		l.diags = append(l.diags, diags...)
		for _, e := range exprs {
			if why := triggerProblem(e); why != "" {
				l.errorf(e.Range(), "Invalid replace_triggered_by expression", "%s Each entry names a resource (file.cfg), one of its instances (file.cfg[count.index], file.cfg[each.key]), or an attribute of either (file.cfg.content), as in Terraform.", why)
				continue
			}
			lc.ReplaceTriggeredBy = append(lc.ReplaceTriggeredBy, e)
		}
	}
}

// triggerProblem says why e cannot be an entry of replace_triggered_by,
// or "": it must refer to resources alone, and to nothing but count and
// each besides, in an index.
func triggerProblem(e hcl.Expression) string {
	refs, diags := ReferencesInExpr(e)
	if diags.HasErrors() {
		return "It is not a reference."
	}
	resources := 0
	for _, ref := range refs {
		switch ref.Subject.(type) {
		case addrs.Resource, addrs.ResourceInstance:
			resources++
		case addrs.CountAttr, addrs.EachAttr:
		default:
			return fmt.Sprintf("It refers to %s, which is not a resource: a replacement follows changes of resources only.", ref.Subject)
		}
	}
	if resources != 1 {
		return "It must name exactly one resource."
	}
	return ""
}

// sourceProviders maps source types whose provider is named differently.
var sourceProviders = map[string]string{"git": "git", "image": "registry", "chart": "helm"}

// DefaultProvider returns the provider configuration a resource-like block
// uses when it has no provider meta-argument. A managed resource's provider
// is the prefix of its type before the first underscore (kubernetes_manifest
// -> kubernetes), and so is a source's (distribution_tags -> distribution),
// except that an image source reads from the registry provider and a chart
// source from helm; apps and rollouts are applied by kubernetes.
// Pipelines and analyses have no provider of their own (an analysis is
// run by the provider of the app whose rollout names it): the zero
// Provider.
func DefaultProvider(addr addrs.Resource) addrs.Provider {
	switch addr.Kind {
	case addrs.Managed:
		name, _, _ := strings.Cut(addr.Type, "_")
		return addrs.Provider{Name: name}
	case addrs.Source:
		if p, ok := sourceProviders[addr.Type]; ok {
			return addrs.Provider{Name: p}
		}
		// Other sources follow managed resources: distribution_tags is
		// read by the distribution provider.
		name, _, _ := strings.Cut(addr.Type, "_")
		return addrs.Provider{Name: name}
	case addrs.App, addrs.Rollout:
		return addrs.Provider{Name: "kubernetes"}
	}
	return addrs.Provider{}
}

// blockHeader spells the block that declares addr, as a user wrote it.
func blockHeader(addr addrs.Resource) string {
	if addr.Type != "" {
		return fmt.Sprintf("%s %q %q", addr.Kind, addr.Type, addr.Name)
	}
	return fmt.Sprintf("%s %q", addr.Kind, addr.Name)
}

// article puts "a" or "an" before a word: "an analysis", "a rollout".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}
