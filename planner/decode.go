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
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// decodeBody decodes a block body against a schema into an object of the
// schema's implied type. hcl reports unknown arguments with a "Did you
// mean" suggestion and missing required ones with their block's range.
func decodeBody(body hcl.Body, schema sdk.Schema, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := hcldec.Decode(body, decodeSpec(schema), ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return fillObject(schema, v), diags
}

// providerDiagsIn converts a provider's diagnostics as kind.ProviderDiags
// does, and points each that names an attribute at where body writes it
// (file:line:col of `port = 99999`), when body is the block's own and
// writes it. body may be nil.
func providerDiagsIn(pd sdk.Diagnostics, who string, subject *hcl.Range, body hcl.Body) hcl.Diagnostics {
	out := kind.ProviderDiags(pd, who, subject)
	if body == nil || len(out) != len(pd) {
		return out
	}
	for i, d := range pd {
		if len(d.Attribute) == 0 {
			continue
		}
		if r := attrRange(body, d.Attribute); r != nil {
			out[i].Subject = r
		}
	}
	return out
}

// attrRange is the range in body of the attribute, nested block or
// element that path names, or the nearest enclosing one written there;
// nil when body writes none of it (a value from a default, or a body
// not in native syntax).
func attrRange(body hcl.Body, path cty.Path) *hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok || len(path) == 0 {
		return nil
	}
	step, ok := path[0].(cty.GetAttrStep)
	if !ok {
		return nil
	}
	if a, ok := sb.Attributes[step.Name]; ok {
		r := a.SrcRange
		if inner := exprRange(a.Expr, path[1:]); inner != nil {
			r = *inner
		}
		return &r
	}
	var blocks []*hclsyntax.Block
	for _, b := range sb.Blocks {
		if b.Type == step.Name {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	rest := path[1:]
	b := blocks[0]
	if len(rest) > 0 {
		if idx, ok := rest[0].(cty.IndexStep); ok {
			rest = rest[1:]
			b = nil
			switch idx.Key.Type() {
			case cty.Number:
				if i, acc := idx.Key.AsBigFloat().Int64(); acc == big.Exact && i >= 0 && int(i) < len(blocks) {
					b = blocks[i]
				}
			case cty.String:
				for _, c := range blocks {
					if len(c.Labels) > 0 && c.Labels[0] == idx.Key.AsString() {
						b = c
					}
				}
			}
			if b == nil {
				r := blocks[0].TypeRange
				return &r
			}
		}
	}
	if len(rest) > 0 {
		if r := attrRange(b.Body, rest); r != nil {
			return r
		}
	}
	r := hcl.RangeBetween(b.TypeRange, b.OpenBraceRange)
	return &r
}

// exprRange follows path into an object or tuple constructor
// (`limits = { rate = 500 }`), so that a diagnostic about rate points at
// rate; nil when the expression is not one.
func exprRange(expr hclsyntax.Expression, path cty.Path) *hcl.Range {
	if len(path) == 0 {
		return nil
	}
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		var name string
		switch st := path[0].(type) {
		case cty.GetAttrStep:
			name = st.Name
		case cty.IndexStep:
			if st.Key.Type() != cty.String {
				return nil
			}
			name = st.Key.AsString()
		}
		for _, item := range e.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || k.Type() != cty.String || k.IsNull() || k.AsString() != name {
				continue
			}
			if inner := exprRange(item.ValueExpr, path[1:]); inner != nil {
				return inner
			}
			r := hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
			return &r
		}
	case *hclsyntax.TupleConsExpr:
		st, ok := path[0].(cty.IndexStep)
		if !ok || st.Key.Type() != cty.Number {
			return nil
		}
		i, acc := st.Key.AsBigFloat().Int64()
		if acc != big.Exact || i < 0 || int(i) >= len(e.Exprs) {
			return nil
		}
		if inner := exprRange(e.Exprs[i], path[1:]); inner != nil {
			return inner
		}
		r := e.Exprs[i].Range()
		return &r
	}
	return nil
}
