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
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"slipway.dev/slipway/lang/addrs"
)

// pipelineLocals are the roots of names a pipeline body declares for
// itself (image.NAME, stage.NAME). They are resolved by the pipeline's
// decoder, so they are not references between blocks.
var pipelineLocals = map[string]bool{"image": true, "stage": true}

// ReferencesInExpr returns the references expr makes, in source order.
func ReferencesInExpr(expr hcl.Expression) ([]*addrs.Reference, hcl.Diagnostics) {
	var c refCollector
	c.expr(expr)
	return c.refs, c.diags
}

// ReferencesInBody returns the references made anywhere in body, nested
// blocks included, so that bodies no schema describes yet still count
// towards the dependency graph. For bodies that are not native syntax
// (JSON) only the top-level arguments are read, as nothing tells blocks
// from object values there.
func ReferencesInBody(body hcl.Body) ([]*addrs.Reference, hcl.Diagnostics) {
	var c refCollector
	c.body(body)
	return c.refs, c.diags
}

// References returns what the block refers to: in count, for_each, its
// body, depends_on and lifecycle.replace_triggered_by. In a pipeline,
// image.NAME and stage.NAME name the pipeline's own blocks and are left out.
func (r *Resource) References() ([]*addrs.Reference, hcl.Diagnostics) {
	var c refCollector
	r.collectMeta(&c)
	r.collectBody(&c)
	return c.refs, c.diags
}

// collectMeta collects the references of count and for_each, which are
// evaluated before any instance exists.
func (r *Resource) collectMeta(c *refCollector) {
	c.expr(r.Count)
	c.expr(r.ForEach)
}

// collectBody collects the references evaluated once per instance.
func (r *Resource) collectBody(c *refCollector) {
	if r.Addr.Kind == addrs.Pipeline {
		c.local = pipelineLocals
	}
	if r.Addr.Kind == addrs.App {
		// destination { provider = kubernetes.prod } names a provider
		// configuration, not a value.
		c.skip = func(block, attr string) bool { return block == "destination" && attr == "provider" }
	}
	c.body(r.Config)
	c.skip = nil
	c.traversals(r.DependsOn)
	for _, e := range r.Lifecycle.ReplaceTriggeredBy {
		c.expr(e)
	}
	c.local = nil
}

// References returns what the local value's expression refers to.
func (l *Local) References() ([]*addrs.Reference, hcl.Diagnostics) {
	return ReferencesInExpr(l.Expr)
}

// References returns what the output's value and depends_on refer to.
func (o *Output) References() ([]*addrs.Reference, hcl.Diagnostics) {
	var c refCollector
	c.expr(o.Expr)
	c.traversals(o.DependsOn)
	return c.refs, c.diags
}

// References returns what the provider configuration refers to.
func (p *ProviderBlock) References() ([]*addrs.Reference, hcl.Diagnostics) {
	return ReferencesInBody(p.Config)
}

// refCollector gathers references, skipping traversals whose root is in
// local.
type refCollector struct {
	local map[string]bool
	// skip leaves out attributes that name things rather than refer to
	// values, by the type of the block they are in.
	skip  func(blockType, attr string) bool
	refs  []*addrs.Reference
	diags hcl.Diagnostics
}

func (c *refCollector) traversals(travs []hcl.Traversal) {
	for _, t := range travs {
		if c.local[t.RootName()] {
			continue
		}
		ref, diags := addrs.ParseRef(t)
		c.diags = append(c.diags, diags...)
		if ref != nil {
			c.refs = append(c.refs, ref)
		}
	}
}

func (c *refCollector) expr(e hcl.Expression) {
	if e != nil {
		c.traversals(e.Variables())
	}
}

func (c *refCollector) body(b hcl.Body) { c.blockBody("", b) }

// blockBody collects the references of a body that belongs to a block of
// type blockType ("" at the top).
func (c *refCollector) blockBody(blockType string, b hcl.Body) {
	if b == nil {
		return
	}
	sb, ok := b.(*hclsyntax.Body)
	if !ok {
		attrs, diags := b.JustAttributes()
		c.diags = append(c.diags, diags...)
		for _, a := range sortedAttrs(attrs) {
			c.expr(a.Expr)
		}
		return
	}
	attrs, blocks := visibleContent(sb)
	for _, a := range sortedAttrs(attrs) {
		if c.skip != nil && c.skip(blockType, a.Name) {
			continue
		}
		c.expr(a.Expr)
	}
	for _, blk := range blocks {
		c.blockBody(blk.Type, blk.Body)
	}
}

// visibleContent returns the attributes and blocks of b that earlier
// PartialContent calls did not take out. hclsyntax keeps
// taken items in the remaining body, merely hidden, and asking
// PartialContent again is the only public way to tell which they are.
func visibleContent(b *hclsyntax.Body) (hcl.Attributes, []*hclsyntax.Block) {
	schema := &hcl.BodySchema{}
	for name := range b.Attributes {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: name})
	}
	content, _, _ := b.PartialContent(schema)

	visible := map[string]bool{}
	var blocks []*hclsyntax.Block
	for _, blk := range b.Blocks {
		seen, ok := visible[blk.Type]
		if !ok {
			c, _, diags := b.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
				{Type: blk.Type, LabelNames: make([]string, len(blk.Labels))},
			}})
			seen = len(c.Blocks) > 0 || diags.HasErrors()
			visible[blk.Type] = seen
		}
		if seen {
			blocks = append(blocks, blk)
		}
	}
	return content.Attributes, blocks
}
