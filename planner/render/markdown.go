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

package render

import (
	"html"
	"io"
	"strings"

	"slipway.dev/slipway/planner/plans"
)

// Markdown writes the plan as a pull-request comment: the summary, a
// table of changes, and each change's diff in a ```diff block folded in a
// <details>. The diffs are the human view's, without colour, with each
// line's symbol moved to the first column so that the forge highlights
// it (+ added, - removed, ! changed).
func Markdown(w io.Writer, p *plans.Plan) {
	var b strings.Builder
	m := &markdown{b: &b}
	m.plan(p)
	io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
}

type markdown struct {
	b *strings.Builder
	p painter // always off
}

func (m *markdown) plan(p *plans.Plan) {
	m.b.WriteString("**Workspace:** <code>" + html.EscapeString(printable(p.WorkspaceName())) + "</code>\n\n")
	if p.Errored {
		m.b.WriteString("**Planning failed.** " + erroredText(p) + "\n\n")
	}
	m.preview(p)
	actions := changed(p.Changes)
	switch {
	case p.Errored:
		// A failed plan says nothing about changes, beyond what it lists.
	case p.Mode == plans.RefreshOnlyMode:
		if len(changed(p.Drift)) > 0 {
			m.b.WriteString("**Refresh-only plan.** Applying it records the changes made outside slipway in the state, without changing any remote objects.\n\n")
		} else {
			m.b.WriteString("**No changes.** Your infrastructure still matches the configuration.\n\n")
		}
	case !p.HasChanges():
		m.b.WriteString("**No changes.** Your infrastructure matches the configuration.\n\n")
	case len(actions) > 0:
		m.b.WriteString("**Plan:** " + summaryText(p.Summary()) + "\n\n")
	default:
		m.b.WriteString("**Plan:** only output values change.\n\n")
	}

	if len(p.Interrupted) > 0 {
		m.b.WriteString("**Interrupted changes.** An earlier apply was stopped while these were under way; slipway read each back through its provider, so nothing is made a second time:\n\n")
		for _, in := range p.Interrupted {
			m.b.WriteString("- <code>" + html.EscapeString(printable(in.Addr.String())) + "</code> (" + in.Action.String() + "): " + InterruptedOutcome(in.Outcome) + "\n")
		}
		m.b.WriteString("\n")
	}

	if drift := changed(p.Drift); len(drift) > 0 {
		var ls []line
		for i, c := range drift {
			if i > 0 {
				ls = append(ls, line{})
			}
			comments, body := changeLines(m.p, c, true)
			ls = append(ls, comments...)
			ls = append(ls, body...)
		}
		n := len(drift)
		m.details(itoa(n)+" "+plural(n, "object has", "objects have")+" changed outside of slipway", ls)
	}

	if p.Mode != plans.RefreshOnlyMode && p.HasChanges() && len(actions) > 0 {
		m.table(actions)
		for _, c := range actions {
			_, body := changeLines(m.p, c, false)
			summary := "<code>" + html.EscapeString(printable(c.Addr.String())) + "</code> " + actionVerb(c.Action)
			m.details(summary, body)
		}
	}

	if p.Mode != plans.RefreshOnlyMode {
		if outs := outputLines(m.p, p.Outputs); len(outs) > 0 {
			m.b.WriteString("**Changes to Outputs:**\n\n")
			m.fence(outs)
			m.b.WriteString("\n")
		}
	}
}

func (m *markdown) table(actions []*plans.ResourceChange) {
	m.b.WriteString("| Action | Address | Reason |\n|---|---|---|\n")
	for _, c := range actions {
		why := reasonText(c.Reason, c.ReasonDetail, c.Addr)
		m.b.WriteString("| `" + c.Action.Symbol() + "` " + c.Action.String() +
			" | " + cell("<code>"+html.EscapeString(printable(c.Addr.String()))+"</code>") +
			" | " + cell(html.EscapeString(why)) + " |\n")
	}
	m.b.WriteString("\n")
}

// cell keeps text inside one table cell.
func cell(s string) string {
	return strings.NewReplacer("|", "&#124;", "\n", " ").Replace(s)
}

func (m *markdown) details(summary string, ls []line) {
	m.b.WriteString("<details><summary>" + summary + "</summary>\n\n")
	m.fence(ls)
	m.b.WriteString("\n</details>\n\n")
}

// fence writes lines as a diff block, with a fence longer than any run of
// backticks inside so no value can close it early.
func (m *markdown) fence(ls []line) {
	text := make([]string, len(ls))
	longest := 0
	for i, l := range ls {
		text[i] = diffLine(l)
		run := 0
		for _, r := range text[i] {
			if r == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	m.b.WriteString(fence + "diff\n")
	for _, t := range text {
		m.b.WriteString(t + "\n")
	}
	m.b.WriteString(fence + "\n")
}

// diffLine writes a line with its symbol as the diff marker in the first
// column and the rest where the human view has it.
func diffLine(l line) string {
	marker := " "
	switch l.sym {
	case "":
	case "+", "-":
		marker = l.sym
	default:
		marker = "!"
	}
	var s string
	if l.sym == "" {
		s = formatLine(painter(false), l)
	} else {
		s = spaces(l.indent) + "    " + l.text
	}
	if s == "" {
		return strings.TrimSpace(marker)
	}
	if strings.HasPrefix(s, " ") {
		return marker + s[1:]
	}
	return marker + s
}
