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
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// Encryption is the `encryption` block of the slipway block: how state
// and saved plans are encrypted at rest. Package state/encryption gives
// its key providers and methods their meaning. It is set up before
// anything else has a value, so its expressions may refer only to input
// variables (var.NAME) and to its own blocks: a method to key providers
// (key_provider.TYPE.NAME), a target to methods (method.TYPE.NAME).
type Encryption struct {
	KeyProviders []*EncryptionBlock // in source order
	Methods      []*EncryptionBlock // in source order
	// State and Plan are the targets; nil when not configured, which
	// leaves that target unencrypted.
	State, Plan *EncryptionTarget
	DeclRange   hcl.Range
}

// EncryptionBlock is `key_provider "TYPE" "NAME" { ... }` or
// `method "TYPE" "NAME" { ... }`, its body left for its type to decode.
type EncryptionBlock struct {
	Kind      string // "key_provider" or "method"
	Type      string
	Name      string
	Config    hcl.Body
	DeclRange hcl.Range
	TypeRange hcl.Range
}

// Addr is how expressions refer to the block: KIND.TYPE.NAME.
func (b *EncryptionBlock) Addr() string { return b.Kind + "." + b.Type + "." + b.Name }

// EncryptionTarget is the `state` or `plan` block of an encryption block.
type EncryptionTarget struct {
	Name string // "state" or "plan"
	// Method seals and opens; it is a reference method.TYPE.NAME.
	Method hcl.Expression
	// Fallbacks are the methods of the fallback blocks, in order: tried
	// when Method cannot open what is stored, never used to seal.
	Fallbacks []hcl.Expression
	// Enforced forbids the unencrypted method as Method.
	Enforced  bool
	DeclRange hcl.Range
}

var encryptionSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "key_provider", LabelNames: []string{"type", "name"}},
	{Type: "method", LabelNames: []string{"type", "name"}},
	{Type: "state"},
	{Type: "plan"},
}}

var encryptionTargetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "method", Required: true}, {Name: "enforced"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "fallback"}},
}

var encryptionFallbackSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "method", Required: true}}}

// encryption decodes an encryption block of a slipway block.
func (l *loader) encryption(b *hcl.Block) {
	sw := l.cfg.Slipway
	if sw.Encryption != nil {
		l.errorf(b.DefRange, "Duplicate encryption configuration", "An encryption block was already given at %s; a configuration has at most one. Merge the two.", sw.Encryption.DeclRange)
		return
	}
	e := &Encryption{DeclRange: b.DefRange}
	sw.Encryption = e
	content, diags := b.Body.Content(encryptionSchema)
	l.diags = append(l.diags, diags...)
	seen := map[string]*EncryptionBlock{}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "key_provider", "method":
			eb := &EncryptionBlock{Kind: blk.Type, Type: blk.Labels[0], Name: blk.Labels[1], Config: blk.Body, DeclRange: blk.DefRange, TypeRange: blk.LabelRanges[0]}
			if !l.validName(blk.Type, eb.Name, blk.LabelRanges[1]) {
				continue
			}
			if prev := seen[eb.Addr()]; prev != nil {
				l.duplicate(blk.Type, eb.Addr(), prev.DeclRange, blk.DefRange)
				continue
			}
			seen[eb.Addr()] = eb
			if blk.Type == "method" {
				e.Methods = append(e.Methods, eb)
			} else {
				e.KeyProviders = append(e.KeyProviders, eb)
			}
		case "state", "plan":
			target := &e.State
			if blk.Type == "plan" {
				target = &e.Plan
			}
			if *target != nil {
				l.errorf(blk.DefRange, "Duplicate encryption target", "The %s target was already configured at %s. Remove one of the two.", blk.Type, (*target).DeclRange)
				continue
			}
			*target = l.encryptionTarget(blk)
		}
	}
}

func (l *loader) encryptionTarget(b *hcl.Block) *EncryptionTarget {
	t := &EncryptionTarget{Name: b.Type, DeclRange: b.DefRange}
	content, diags := b.Body.Content(encryptionTargetSchema)
	l.diags = append(l.diags, diags...)
	if attr := content.Attributes["method"]; attr != nil {
		t.Method = attr.Expr
	}
	l.decode(content.Attributes["enforced"], &t.Enforced)
	for _, fb := range content.Blocks {
		c, diags := fb.Body.Content(encryptionFallbackSchema)
		l.diags = append(l.diags, diags...)
		if attr := c.Attributes["method"]; attr != nil {
			t.Fallbacks = append(t.Fallbacks, attr.Expr)
		}
	}
	return t
}

// Variables lists the input variables the encryption block refers to,
// sorted: their values are needed before anything else is evaluated.
func (e *Encryption) Variables() []string {
	seen := map[string]bool{}
	for _, b := range append(append([]*EncryptionBlock(nil), e.KeyProviders...), e.Methods...) {
		attrs, _ := b.Config.JustAttributes()
		for _, attr := range attrs {
			for _, t := range attr.Expr.Variables() {
				if t.RootName() == "var" && len(t) > 1 {
					if step, ok := t[1].(hcl.TraverseAttr); ok {
						seen[step.Name] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// checkEncryption checks, without evaluating anything, that the
// encryption block refers only to what it may: key providers to
// variables; methods to variables and key providers; targets to methods.
func (ch *checker) checkEncryption(e *Encryption) {
	declared := map[string]bool{}
	for _, b := range e.KeyProviders {
		declared[b.Addr()] = true
	}
	for _, b := range e.Methods {
		declared[b.Addr()] = true
	}
	for _, b := range e.KeyProviders {
		ch.encryptionRefs(b.Config, declared, "var")
	}
	for _, b := range e.Methods {
		ch.encryptionRefs(b.Config, declared, "var", "key_provider")
	}
	for _, t := range []*EncryptionTarget{e.State, e.Plan} {
		if t == nil {
			continue
		}
		for _, expr := range append([]hcl.Expression{t.Method}, t.Fallbacks...) {
			if expr != nil {
				ch.encryptionExprRefs(expr, declared, "method")
			}
		}
	}
}

// encryptionRefs checks the references of every argument of body.
func (ch *checker) encryptionRefs(body hcl.Body, declared map[string]bool, roots ...string) {
	// Key providers and methods are bodies of arguments only; a nested
	// block is reported when the body is decoded by its type.
	attrs, _ := body.JustAttributes()
	for _, attr := range sortedAttrs(attrs) {
		ch.encryptionExprRefs(attr.Expr, declared, roots...)
	}
}

// encryptionExprRefs checks that every reference in expr has one of
// roots, and names something declared.
func (ch *checker) encryptionExprRefs(expr hcl.Expression, declared map[string]bool, roots ...string) {
	for _, t := range expr.Variables() {
		root := t.RootName()
		allowed := false
		for _, r := range roots {
			allowed = allowed || r == root
		}
		rng := t.SourceRange()
		if !allowed {
			ch.errorf(rng, "Invalid reference in encryption configuration",
				"The encryption block is set up before anything else has a value, so here it may refer only to %s, not to %s.", encryptionRootsText(roots), traversalText(t))
			continue
		}
		switch root {
		case "var":
			name, ok := attrStep(t, 1)
			if !ok {
				ch.errorf(rng, "Invalid reference", "A variable is referred to as var.NAME.")
				continue
			}
			if _, ok := ch.cfg.Variables[name]; !ok {
				ch.errorf(rng, "Reference to undeclared input variable", "No variable %q is declared.%s Declare it with a variable block, or correct the name.", name, didYouMean(name, sortedKeys(ch.cfg.Variables)))
			}
		default:
			typ, ok1 := attrStep(t, 1)
			name, ok2 := attrStep(t, 2)
			if !ok1 || !ok2 || len(t) != 3 {
				ch.errorf(rng, "Invalid reference", "A %s is referred to as %s.TYPE.NAME, like %s.", root, root, encryptionExample(root))
				continue
			}
			if addr := root + "." + typ + "." + name; !declared[addr] {
				ch.errorf(rng, "Reference to undeclared "+root, "The encryption block declares no %s %q %q. Declare it, or correct the reference.", root, typ, name)
			}
		}
	}
}

func attrStep(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	a, ok := t[i].(hcl.TraverseAttr)
	return a.Name, ok
}

func traversalText(t hcl.Traversal) string {
	s := t.RootName()
	for _, step := range t[1:] {
		if a, ok := step.(hcl.TraverseAttr); ok {
			s += "." + a.Name
		} else {
			s += "[...]"
		}
	}
	return s
}

func encryptionRootsText(roots []string) string {
	var s string
	for i, r := range roots {
		if i > 0 {
			s += " and "
		}
		switch r {
		case "var":
			s += "input variables (var.NAME)"
		default:
			s += fmt.Sprintf("its own %s blocks (%s)", r, encryptionExample(r))
		}
	}
	return s
}

func encryptionExample(root string) string {
	if root == "method" {
		return "method.aes_gcm.main"
	}
	return "key_provider.pbkdf2.main"
}
