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

package policy

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
)

// costLimit bounds the work one evaluation of a rule may do, so that a
// rule that loops over everything in everything still ends.
const costLimit = 100_000_000

// attributionBudget bounds the work of finding which changes make a rule
// hold, all runs of the rule together (one per change): as much as one
// evaluation may do. Past it, the rule is reported as about the plan as
// a whole, naming every change, rather than running for hours over a
// plan of thousands of changes.
const attributionBudget uint64 = costLimit

// Set is a compiled set of policies, ready to evaluate. It is immutable
// and safe for concurrent use.
type Set struct {
	rules []*rule
}

type rule struct {
	policy *lang.Policy
	prg    cel.Program
}

// Len is the number of policies in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// newEnv is the CEL environment of every rule: the plan as `plan`, a map
// of the JSON plan document's fields, and the standard extensions for
// strings, lists and sets.
func newEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("plan", cel.MapType(cel.StringType, cel.DynType)),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
	)
}

// Compile compiles policies. files are the parsed files the policies were
// read from (lang.Config.Files, lang.PolicyDir.Files), by name: a mistake
// in a rule is reported at its line and column in the file.
func Compile(policies []*lang.Policy, files map[string]*hcl.File) (*Set, hcl.Diagnostics) {
	env, err := newEnv()
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot prepare policies", Detail: fmt.Sprintf("The CEL environment for policies could not be made: %v. This is a bug in slipway.", err)}}
	}
	set := &Set{}
	var diags hcl.Diagnostics
	for _, p := range policies {
		r, d := compile(env, p, files[p.RuleExpr.Range().Filename])
		diags = append(diags, d...)
		if r != nil {
			set.rules = append(set.rules, r)
		}
	}
	return set, diags
}

// ruleHint is what every diagnostic about a rule ends with.
const ruleHint = "A rule is a CEL expression over the plan, which it reads as `plan` (the document `slipway show -json` prints), and is true when the policy should deny or warn, like plan.changes.exists(c, c.action == 'delete' && c.namespace.startsWith('prod'))."

func compile(env *cel.Env, p *lang.Policy, file *hcl.File) (*rule, hcl.Diagnostics) {
	ast, iss := env.Compile(p.Rule)
	if iss.Err() != nil {
		var diags hcl.Diagnostics
		for _, e := range iss.Errors() {
			subject := rulePos(p, file, e.Location.Line(), e.Location.Column())
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid policy rule",
				Detail:   fmt.Sprintf("The rule of policy %q is not valid CEL: %s.%s\n\n%s", p.Name, strings.TrimSuffix(e.Message, "."), fixHint(e.Message), ruleHint),
				Subject:  subject.Ptr(),
			})
		}
		return nil, diags
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		rng := p.RuleExpr.Range()
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Policy rule is not a condition",
			Detail:   fmt.Sprintf("The rule of policy %q is a %s, but a rule must be true or false: true when the policy should %s. Compare the value with something, like size(plan.changes) > 100.\n\n%s", p.Name, t, p.Effect, ruleHint),
			Subject:  &rng,
		}}
	}
	// The cost is tracked, for the budget of finding which changes make
	// a rule hold (Evaluate), and the evaluation checks its context every
	// hundred iterations of a comprehension, so a Ctrl-C ends it.
	prg, err := env.Program(ast, cel.CostLimit(costLimit), cel.EvalOptions(cel.OptTrackCost), cel.InterruptCheckFrequency(100))
	if err != nil {
		rng := p.RuleExpr.Range()
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid policy rule",
			Detail:   fmt.Sprintf("The rule of policy %q cannot be prepared: %v.\n\n%s", p.Name, err, ruleHint),
			Subject:  &rng,
		}}
	}
	return &rule{policy: p, prg: prg}, nil
}

// fixHint suggests a fix for the mistakes people make most in rules.
func fixHint(msg string) string {
	switch {
	case strings.Contains(msg, "undeclared reference"):
		return " The only name a rule starts from is `plan`; fields of the plan are read from it, like plan.changes or plan.summary.destroy, and a string is written in quotes, like 'prod'."
	case strings.Contains(msg, "Syntax error") && strings.Contains(msg, "token recognition error"):
		return " CEL quotes strings with ' or \" (write 'prod', not `prod`)."
	case strings.Contains(msg, "Syntax error"):
		return " Check the brackets, quotes and operators near this place: CEL writes && and || for and and or, and == to compare."
	case strings.Contains(msg, "found no matching overload"):
		return " The operands' types do not fit this operator or function; compare strings with strings and numbers with numbers."
	}
	return ""
}

// rulePos maps a position of CEL's, a 1-based line and a 0-based column
// in runes within the rule, to where that character is in the file, so
// that a diagnostic points at the character itself: the rule is a string
// in the file, with escapes (\" and \\) and, for a heredoc, indentation
// that the rule does not have. It falls back to the whole string.
func rulePos(p *lang.Policy, file *hcl.File, line, col int) hcl.Range {
	whole := p.RuleExpr.Range()
	if file == nil || whole.End.Byte > len(file.Bytes) || line < 1 {
		return whole
	}
	// The byte offset in the rule of CEL's line and column.
	off, l, c := -1, 1, 0
	for i, r := range p.Rule {
		if l == line && c == col {
			off = i
			break
		}
		if r == '\n' {
			l, c = l+1, 0
		} else {
			c++
		}
	}
	if off < 0 {
		if l != line || c != col {
			return whole
		}
		off = len(p.Rule) // the end of the rule
	}
	pos, ok := alignRule(p.Rule, file.Bytes[whole.Start.Byte:whole.End.Byte], whole.Start, off)
	if !ok {
		return whole
	}
	end := pos
	end.Byte++
	end.Column++
	return hcl.Range{Filename: whole.Filename, Start: pos, End: end}
}

// alignRule finds where the rule's byte off was written in src, the
// source of the string expression that begins at start. It walks the
// rule and the source together: an escape in the source stands for one
// character of the rule, and source characters the rule lacks (the
// quotes, a heredoc's header and indentation) are skipped.
func alignRule(rule string, src []byte, start hcl.Pos, off int) (hcl.Pos, bool) {
	pos := start
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				pos.Line, pos.Column = pos.Line+1, 1
			} else if src[i]&0xC0 != 0x80 {
				pos.Column++
			}
			pos.Byte++
			i++
		}
	}
	// Skip the opening quote, or a heredoc's header line.
	switch {
	case strings.HasPrefix(string(src), `"`):
		advance(1)
	case strings.HasPrefix(string(src), "<<"):
		nl := strings.IndexByte(string(src), '\n')
		if nl < 0 {
			return start, false
		}
		advance(nl + 1)
	}
	for j := 0; j < len(rule); {
		for i < len(src) {
			if n := matchAt(rule[j:], src[i:]); n > 0 {
				if j == off {
					return pos, true
				}
				advance(n)
				j += runeLen(rule[j:])
				break
			}
			advance(1) // a source byte the rule does not have
		}
		if i >= len(src) {
			return start, false
		}
	}
	// CEL points just past the rule's end when it ends too early.
	return pos, off == len(rule)
}

// matchAt reports how many source bytes stand for the rule's first
// character: the character itself, an escape of it, or the doubled $ or
// % that escape an interpolation; 0 when the source does not begin with
// it.
func matchAt(rule string, src []byte) int {
	if len(src) >= 2 && src[0] == '\\' {
		var want byte
		switch src[1] {
		case 'n':
			want = '\n'
		case 't':
			want = '\t'
		case 'r':
			want = '\r'
		case '"', '\\':
			want = src[1]
		case 'u':
			if len(src) >= 6 && rule[0] != '\\' {
				return 6
			}
		case 'U':
			if len(src) >= 10 && rule[0] != '\\' {
				return 10
			}
		}
		if want != 0 && rule[0] == want {
			return 2
		}
	}
	if n := runeLen(rule); len(src) >= n && string(src[:n]) == rule[:n] {
		return n
	}
	if len(src) >= 3 && (rule[0] == '$' || rule[0] == '%') && src[0] == rule[0] && src[1] == rule[0] && src[2] == '{' {
		return 1
	}
	return 0
}

func runeLen(s string) int {
	for i := range s {
		if i > 0 {
			return i
		}
	}
	return len(s)
}
