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

package convert

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"sigs.k8s.io/yaml"
)

// body is a block body being written.
type body struct{ b *hclwrite.Body }

// set writes name = v.
func (w body) set(name string, v cty.Value) { w.b.SetAttributeRaw(name, valueTokens(v, nil)) }

// raw writes name = expr, expr being HCL source (a reference, a template,
// a function call).
func (w body) raw(name, expr string) { w.b.SetAttributeRaw(name, exprTokens(expr)) }

// block appends a nested block.
func (w body) block(typ string, labels ...string) body {
	return body{w.b.AppendNewBlock(typ, labels).Body()}
}

// comment writes comment lines, each prefixed with "# ".
func (w body) comment(lines ...string) {
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			w.b.AppendUnstructuredTokens(hclwrite.Tokens{
				{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("# "+part, " ") + "\n")},
			})
		}
	}
}

func (w body) newline() { w.b.AppendNewline() }

// exprTokens parses expr as an HCL expression. The converter builds every
// expression it writes itself, so a parse error is a bug; it is written
// as a quoted string so that the output still parses.
func exprTokens(expr string) hclwrite.Tokens {
	f, diags := hclwrite.ParseConfig([]byte("x = "+expr+"\n"), "", hcl.InitialPos)
	if diags.HasErrors() {
		return hclwrite.TokensForValue(cty.StringVal(expr))
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

// valueTokens is v as an HCL literal, written as hclwrite.TokensForValue
// writes it, except that an object key HCL would not read back as that key
// is quoted ({ for = 1 } starts a for expression), and that a string for
// which leaf returns an expression (HCL source) is written as that
// expression.
func valueTokens(v cty.Value, leaf func(s string) (expr string, ok bool)) hclwrite.Tokens {
	ty := v.Type()
	switch {
	case v.IsNull() || !v.IsKnown():
	case ty == cty.String && leaf != nil:
		if e, ok := leaf(v.AsString()); ok {
			return exprTokens(e)
		}
	case (ty.IsObjectType() || ty.IsMapType()) && v.LengthInt() > 0:
		var attrs []hclwrite.ObjectAttrTokens
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: keyTokens(k.AsString()), Value: valueTokens(ev, leaf)})
		}
		return hclwrite.TokensForObject(attrs)
	case (ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) && v.LengthInt() > 0:
		var elems []hclwrite.Tokens
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			elems = append(elems, valueTokens(ev, leaf))
		}
		return hclwrite.TokensForTuple(elems)
	}
	return hclwrite.TokensForValue(v)
}

// keyTokens is an object key: a bare name when HCL reads it back as that
// name, a quoted string otherwise. "for" is quoted wherever it is, since
// as the first key of an object it starts a for expression ("if" and "in"
// are read back as keys).
func keyTokens(k string) hclwrite.Tokens {
	if hclsyntax.ValidIdentifier(k) && k != "for" {
		return hclwrite.TokensForIdentifier(k)
	}
	return hclwrite.TokensForValue(cty.StringVal(k))
}

// quote is s as an HCL string literal, with ${ and %{ escaped.
func quote(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// quotedPart is s escaped for the inside of an HCL template.
func quotedPart(s string) string {
	q := quote(s)
	return q[1 : len(q)-1]
}

// valueOf converts decoded YAML or JSON (maps, lists, scalars) to a cty
// value, through JSON, so that it can be written as an HCL literal.
func valueOf(v any) (cty.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cty.NilVal, err
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(b, ty)
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// ident makes s a valid block name: a Kubernetes name's dots become
// underscores, and a name that starts with a digit gets a prefix.
func ident(s, prefix string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	out := b.String()
	if out == "" || !identRe.MatchString(out) {
		out = prefix + "_" + out
	}
	return out
}

// attrRef is obj.key in HCL: a traversal step when key is an identifier,
// an index otherwise.
func attrRef(obj, key string) string {
	if identRe.MatchString(key) && !strings.Contains(key, "-") {
		return obj + "." + key
	}
	return obj + "[" + quote(key) + "]"
}

// names hands out unique block names.
type names map[string]bool

func (n names) take(want string) string {
	name := want
	for i := 2; n[name]; i++ {
		name = fmt.Sprintf("%s_%d", want, i)
	}
	n[name] = true
	return name
}

func ctyString(s string) cty.Value { return cty.StringVal(s) }

func yamlMarshal(v any) ([]byte, error) { return yaml.Marshal(v) }
