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
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// PolicyEffect is what a policy does when its rule holds.
type PolicyEffect string

const (
	// PolicyDeny stops plan and apply.
	PolicyDeny PolicyEffect = "deny"
	// PolicyWarn prints and lets the plan pass.
	PolicyWarn PolicyEffect = "warn"
)

// Policy is `policy "NAME" { deny = "CEL" message = "..." }` (or warn
// instead of deny): a rule over the plan, written in CEL. lang only
// reads the block; the rule is compiled and evaluated elsewhere.
type Policy struct {
	Name   string
	Effect PolicyEffect
	// Rule is the CEL source, as the string decoded from the file.
	Rule string
	// RuleExpr is the expression the rule was written as, to map a
	// position inside the rule back to the file.
	RuleExpr hcl.Expression
	Message  string
	// External says the policy came from a -policy directory, not from
	// the configuration.
	External  bool
	DeclRange hcl.Range
}

var policySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: string(PolicyDeny)}, {Name: string(PolicyWarn)}, {Name: "message", Required: true},
}}

// policy decodes a policy block into policies, which it keys by name.
func (l *loader) policy(b *hcl.Block, policies map[string]*Policy, external bool) {
	p := &Policy{Name: b.Labels[0], External: external, DeclRange: b.DefRange}
	if !l.validName("policy", p.Name, b.LabelRanges[0]) {
		return
	}
	content, diags := b.Body.Content(policySchema)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	deny, warn := content.Attributes[string(PolicyDeny)], content.Attributes[string(PolicyWarn)]
	var rule *hcl.Attribute
	switch {
	case deny != nil && warn != nil:
		l.errorf(warn.NameRange, "Invalid policy", "A policy either denies (deny = \"...\") or warns (warn = \"...\"), not both. Split policy %q into two policies, or remove one of the two arguments.", p.Name)
		return
	case deny != nil:
		p.Effect, rule = PolicyDeny, deny
	case warn != nil:
		p.Effect, rule = PolicyWarn, warn
	default:
		l.errorf(b.DefRange, "Invalid policy", "Policy %q has no rule. Give it deny = \"CEL\" to stop plans where the rule holds, or warn = \"CEL\" to print its message and let them pass, for example deny = \"plan.summary.destroy > 0\".", p.Name)
		return
	}
	if !l.literalString(rule, &p.Rule, "policy rule", "The rule is CEL, written as one string (or a heredoc) that refers to no variables, like deny = \"plan.summary.destroy > 0\".") {
		return
	}
	p.RuleExpr = rule.Expr
	if !l.literalString(content.Attributes["message"], &p.Message, "policy message", "The message is a string printed when the rule holds, like message = \"deleting objects in prod needs an approval\".") {
		return
	}
	if prev, ok := policies[p.Name]; ok {
		l.duplicate("policy", "policy."+p.Name, prev.DeclRange, p.DeclRange)
		return
	}
	policies[p.Name] = p
}

// literalString decodes an argument that must be a string known without
// evaluating anything: policies are read before, and apart from, the
// values of the configuration.
func (l *loader) literalString(attr *hcl.Attribute, target *string, what, how string) bool {
	if len(attr.Expr.Variables()) > 0 {
		l.errorf(attr.Expr.Range(), "Invalid "+what, "The %s must be a literal string, without references to variables or other blocks. %s", what, how)
		return false
	}
	n := len(l.diags)
	l.decode(attr, target)
	if len(l.diags) > n {
		// gohcl's own diagnostic says what was wrong; say what is right.
		l.diags[len(l.diags)-1].Detail += " " + how
		return false
	}
	return true
}

// PolicyDir is the policies of a -policy directory: policies kept outside
// the configuration, so that a change to the configuration cannot remove
// the rules that gate it.
type PolicyDir struct {
	Dir      string
	Files    map[string]*hcl.File
	Policies map[string]*Policy
}

// LoadPolicyDir reads every *.slip.hcl file directly inside dir, which
// must hold policy blocks and nothing else.
func LoadPolicyDir(dir string) (*PolicyDir, hcl.Diagnostics) {
	pd := &PolicyDir{Dir: dir, Files: map[string]*hcl.File{}, Policies: map[string]*Policy{}}
	l := newLoader(dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return pd, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read policy directory",
			Detail:   fmt.Sprintf("-policy names the directory %s, but it could not be listed: %s. Check the path.", dir, err),
		}}
	}
	parser := hclparse.NewParser()
	found := false
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".slip.hcl") {
			continue
		}
		found = true
		path := filepath.Join(dir, e.Name())
		src, err := os.ReadFile(path)
		if err != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read policy file",
				Detail:   fmt.Sprintf("Reading %s failed: %s. Check that the file is readable.", path, err),
			})
			continue
		}
		if diags := CheckNesting(src, path); diags.HasErrors() {
			l.diags = append(l.diags, diags...)
			continue
		}
		file, diags := parser.ParseHCL(src, path)
		l.diags = append(l.diags, diags...)
		if file == nil {
			continue
		}
		pd.Files[path] = file
		l.policyFile(file.Body, pd.Policies)
	}
	if !found && len(l.diags) == 0 {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No policy files",
			Detail:   fmt.Sprintf("-policy names %s, which holds no *.slip.hcl files. Put the policy blocks in files named like policies.slip.hcl there, or fix the path.", dir),
		})
	}
	return pd, l.diags
}

// policyFile decodes a file of a policy directory. Anything else than
// policy blocks is an error: a policy directory cannot change what is
// planned.
func (l *loader) policyFile(body hcl.Body, policies map[string]*Policy) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	attrs := hcl.Attributes{}
	for name, a := range sb.Attributes {
		attrs[name] = a.AsHCLAttribute()
	}
	for _, a := range sortedAttrs(attrs) {
		l.errorf(a.NameRange, "Only policies in a policy directory", "A file of a -policy directory holds policy blocks only, so that it cannot change what is planned; the argument %q is not one. Move it into the configuration.", a.Name)
	}
	for _, b := range sb.Blocks {
		if b.Type != "policy" {
			l.errorf(b.TypeRange, "Only policies in a policy directory", "A file of a -policy directory holds policy blocks only, so that it cannot change what is planned; this is a %s block. Move it into the configuration.", b.Type)
			continue
		}
		hb := b.AsHCLBlock()
		if len(hb.Labels) != 1 {
			l.errorf(hb.DefRange, "Invalid policy", "A policy block has one label, its name, like policy \"no_prod_deletes\" { ... }.")
			continue
		}
		l.policy(hb, policies, true)
	}
}

// PolicyConflicts reports policies of the configuration and of policy
// directories that share a name: a policy from outside the configuration
// must not be shadowed by one of the same name inside it.
func PolicyConflicts(cfg *Config, dirs []*PolicyDir) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*Policy{}
	add := func(p *Policy) {
		if prev, ok := seen[p.Name]; ok {
			r := p.DeclRange
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate policy",
				Detail:   fmt.Sprintf("The policy %q is declared at %s and again here. Policies from -policy directories and from the configuration share one set of names; rename one of the two.", p.Name, prev.DeclRange),
				Subject:  &r,
			})
			return
		}
		seen[p.Name] = p
	}
	if cfg != nil {
		for _, p := range SortedPolicies(cfg.Policies) {
			add(p)
		}
	}
	for _, d := range dirs {
		for _, p := range SortedPolicies(d.Policies) {
			add(p)
		}
	}
	return diags
}

// SortedPolicies returns policies in declaration order.
func SortedPolicies(m map[string]*Policy) []*Policy {
	out := make([]*Policy, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return rangeLess(out[i].DeclRange, out[j].DeclRange) })
	return out
}
