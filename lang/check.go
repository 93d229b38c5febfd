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
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang/addrs"
)

// refScope says which of the context-bound objects (count, each, self) a
// place in the configuration offers, and which block it belongs to.
type refScope struct {
	count, each, self bool
	block             *addrs.Resource
}

// CheckReferences checks, without evaluating anything, that every
// reference in the configuration names something declared and uses
// count, each and self only where they exist.
func (c *Config) CheckReferences() hcl.Diagnostics {
	ch := &checker{cfg: c}
	for _, v := range inDeclOrder(c.Variables, func(v *Variable) hcl.Range { return v.DeclRange }) {
		for _, val := range v.Validations {
			var col refCollector
			col.expr(val.Condition)
			col.expr(val.ErrorMessage)
			ch.validation(v, col)
		}
	}
	for _, l := range inDeclOrder(c.Locals, func(l *Local) hcl.Range { return l.DeclRange }) {
		refs, diags := l.References()
		ch.check(refs, diags, refScope{})
	}
	for _, o := range inDeclOrder(c.Outputs, func(o *Output) hcl.Range { return o.DeclRange }) {
		refs, diags := o.References()
		ch.check(refs, diags, refScope{})
	}
	for _, p := range inDeclOrder(c.Providers, func(p *ProviderBlock) hcl.Range { return p.DeclRange }) {
		refs, diags := p.References()
		ch.check(refs, diags, refScope{})
	}
	if b := c.Slipway.Backend; b != nil {
		refs, diags := ReferencesInBody(b.Config)
		ch.diags = append(ch.diags, diags...)
		for _, ref := range refs {
			ch.errorf(ref.SourceRange, "Reference in backend configuration", "The backend is set up before any variable or resource has a value, so its arguments must be literal values, not references like %s.", ref.Subject)
		}
	}
	if e := c.Slipway.Encryption; e != nil {
		ch.checkEncryption(e)
	}
	for _, r := range inDeclOrder(c.Resources, func(r *Resource) hcl.Range { return r.DeclRange }) {
		var meta, body refCollector
		r.collectMeta(&meta)
		r.collectBody(&body)
		ch.check(meta.refs, meta.diags, refScope{block: &r.Addr})
		ch.check(body.refs, body.diags, refScope{
			count: r.Count != nil, each: r.ForEach != nil, self: r.Addr.Kind == addrs.Pipeline, block: &r.Addr,
		})
		if r.ProviderSet && r.Provider.Alias != "" {
			ch.provider(r)
		}
	}
	// Blocks were visited kind by kind; people read diagnostics best in
	// the order of the source.
	sort.SliceStable(ch.diags, func(i, j int) bool {
		a, b := ch.diags[i].Subject, ch.diags[j].Subject
		return a != nil && (b == nil || rangeLess(*a, *b))
	})
	return ch.diags
}

// checker collects the diagnostics of CheckReferences.
type checker struct {
	cfg   *Config
	diags hcl.Diagnostics
}

func (ch *checker) errorf(subject hcl.Range, summary, format string, args ...any) {
	ch.diags = append(ch.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  subject.Ptr(),
	})
}

// validation checks that a variable's validation refers only to the
// variable itself: it runs while variable values are read, before
// anything else has a value.
func (ch *checker) validation(v *Variable, col refCollector) {
	ch.diags = append(ch.diags, col.diags...)
	for _, ref := range col.refs {
		switch s := ref.Subject.(type) {
		case addrs.PathAttr:
			ch.check([]*addrs.Reference{ref}, nil, refScope{})
			continue
		case addrs.InputVariable:
			if s.Name == v.Name {
				continue
			}
		}
		ch.errorf(ref.SourceRange, "Invalid reference in variable validation", "The validation of var.%s runs before anything else has a value, so it may refer only to the variable itself, as var.%s, not to %s.", v.Name, v.Name, ref.Subject)
	}
}

func (ch *checker) check(refs []*addrs.Reference, diags hcl.Diagnostics, scope refScope) {
	ch.diags = append(ch.diags, diags...)
	for _, ref := range refs {
		ch.ref(ref, scope)
	}
}

func (ch *checker) ref(ref *addrs.Reference, scope refScope) {
	rng := ref.SourceRange
	switch s := ref.Subject.(type) {
	case addrs.InputVariable:
		if _, ok := ch.cfg.Variables[s.Name]; !ok {
			ch.errorf(rng, "Reference to undeclared input variable", "There is no variable %q block in this configuration.%s Declare the variable, or correct the name.", s.Name, didYouMean(s.Name, sortedKeys(ch.cfg.Variables)))
		}
	case addrs.LocalValue:
		if _, ok := ch.cfg.Locals[s.Name]; !ok {
			ch.errorf(rng, "Reference to undeclared local value", "No locals block in this configuration sets %q.%s Add it to a locals block, or correct the name.", s.Name, didYouMean(s.Name, sortedKeys(ch.cfg.Locals)))
		}
	case addrs.Resource:
		ch.resource(s, rng, scope)
	case addrs.ResourceInstance:
		if ch.resource(s.Resource, rng, scope) {
			ch.instanceKey(s, rng)
		}
	case addrs.CountAttr:
		switch {
		case !scope.count:
			ch.errorf(rng, `Reference to "count" in non-counted context`, `The "count" object exists only in resource, app and pipeline blocks that set the "count" argument, and not in "count" itself. Set "count" on the block, or remove the reference.`)
		case s.Name != "index":
			ch.errorf(rng, `Invalid "count" attribute`, `The "count" object has one attribute, count.index, not %q.`, s.Name)
		}
	case addrs.EachAttr:
		switch {
		case !scope.each:
			ch.errorf(rng, `Reference to "each" in context without for_each`, `The "each" object exists only in resource, app and pipeline blocks that set the "for_each" argument, and not in "for_each" itself. Set "for_each" on the block, or remove the reference.`)
		case s.Name != "key" && s.Name != "value":
			ch.errorf(rng, `Invalid "each" attribute`, `The "each" object has two attributes, each.key and each.value, not %q.%s`, s.Name, didYouMean(s.Name, []string{"key", "value"}))
		}
	case addrs.PathAttr:
		if s.Name != "module" && s.Name != "root" && s.Name != "cwd" {
			ch.errorf(rng, `Invalid "path" attribute`, `The "path" object has the attributes path.module, path.root and path.cwd, not %q.%s`, s.Name, didYouMean(s.Name, []string{"module", "root", "cwd"}))
		}
	case addrs.SlipwayAttr:
		if s.Name != "workspace" {
			ch.errorf(rng, `Invalid "slipway" attribute`, `The "slipway" object has one attribute, slipway.workspace (the selected workspace's name), not %q.%s`, s.Name, didYouMean(s.Name, []string{"workspace"}))
		}
	case addrs.SelfRef:
		if !scope.self {
			ch.errorf(rng, `Invalid "self" reference`, `The "self" object exists only inside a pipeline block, where it is that pipeline. Refer to the block by its address instead, like pipeline.NAME.`)
		}
	}
}

// resource checks a reference to addr and reports whether addr is declared.
func (ch *checker) resource(addr addrs.Resource, rng hcl.Range, scope refScope) bool {
	key := addr.String()
	if _, ok := ch.cfg.Resources[key]; !ok {
		ch.errorf(rng, "Reference to undeclared resource", "There is no %s block in this configuration.%s Declare the block, or correct the reference.", blockHeader(addr), didYouMean(key, sortedKeys(ch.cfg.Resources)))
		return false
	}
	if scope.block != nil && *scope.block == addr {
		ch.errorf(rng, "Self-referential block", "The configuration of %s refers to %s itself, which would need its value before it has one. Remove the reference.", addr, addr)
	}
	return true
}

// instanceKey checks that the key of a reference to one instance fits
// how the resource is repeated: a number for count, a string for
// for_each, and no key at all for a single instance.
func (ch *checker) instanceKey(ri addrs.ResourceInstance, rng hcl.Range) {
	r := ch.cfg.Resources[ri.Resource.String()]
	_, isInt := ri.Key.(addrs.IntKey)
	switch {
	case r.Count == nil && r.ForEach == nil:
		ch.errorf(rng, "Unexpected resource instance key", "%s sets neither count nor for_each, so it has a single instance without a key. Refer to it as %s.", ri.Resource, ri.Resource)
	case r.Count != nil && !isInt:
		ch.errorf(rng, "Invalid resource instance key", "%s sets count, so its instances are numbered: refer to one like %s[0].", ri.Resource, ri.Resource)
	case r.ForEach != nil && isInt:
		ch.errorf(rng, "Invalid resource instance key", "%s sets for_each, so its instances are keyed by strings: refer to one like %s[\"key\"].", ri.Resource, ri.Resource)
	}
}

// provider checks that an aliased provider named by a provider
// meta-argument is configured: unlike a default provider, an alias exists
// only through its provider block.
func (ch *checker) provider(r *Resource) {
	key := r.Provider.Name + "." + r.Provider.Alias
	if _, ok := ch.cfg.Providers[key]; ok {
		return
	}
	ch.errorf(r.ProviderRange, "Reference to undeclared provider configuration", "There is no provider %q block with alias = %q in this configuration.%s Add one, or correct the reference.", r.Provider.Name, r.Provider.Alias, didYouMean(key, sortedKeys(ch.cfg.Providers)))
}

// inDeclOrder returns the values of m in the order they were declared, so
// that diagnostics come out in a stable, readable order.
func inDeclOrder[T any](m map[string]T, declRange func(T) hcl.Range) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return rangeLess(declRange(out[i]), declRange(out[j])) })
	return out
}

func sortedKeys[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }
