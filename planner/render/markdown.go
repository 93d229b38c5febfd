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
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner/plans"
)

// DefaultMarkdownLimit is the size budget of a pull-request comment, in
// characters: under GitHub's limit of 65,536, with room for the line or
// two a bot adds around it.
const DefaultMarkdownLimit = 65000

// MinMarkdownLimit is the smallest budget a comment is fitted to: the
// summary, the notices and the last line need about this much. A smaller
// limit is taken as this one.
const MinMarkdownLimit = 1000

// MarkdownOptions shape the pull-request comment.
type MarkdownOptions struct {
	// Limit is the most characters the comment may hold; 0 means no
	// limit. Characters are counted as UTF-8 bytes, which are never fewer
	// than the characters (or UTF-16 units) a forge counts, so a comment
	// under the limit here is under it there.
	Limit int
	// PlanFile is the saved plan the comment shows (plan -out, or the
	// file given to show), named in the last line when something is left
	// out; "" when the plan was not saved.
	PlanFile string
	// Diagnostics are the errors and warnings of planning, written after
	// the summary. To fit the limit, warnings are left out before errors
	// (a policy's denial is an error).
	Diagnostics hcl.Diagnostics
	// Policies is what the policies decided about the plan, stated in
	// the comment's head, which is never left out; nil when they were
	// not checked (show of a saved plan, or a plan that failed first).
	Policies *PolicyVerdict
	// Files are the configuration's parsed files, for the source lines
	// of diagnostics.
	Files map[string]*hcl.File
}

// PolicyVerdict is what the policies decided about a plan, by the names
// of the policies, in the order they were checked. A verdict with no
// names says the policies were checked and none holds.
type PolicyVerdict struct {
	// Denied are the deny policies whose rule holds.
	Denied []string
	// Failed are the policies whose rule could not be evaluated over the
	// plan, which deny it too: no one can tell whether they hold.
	Failed []string
	// Warned are the warn policies whose rule holds; they let the plan
	// pass.
	Warned []string
}

// Denies reports whether the verdict stops the plan.
func (v *PolicyVerdict) Denies() bool {
	return v != nil && len(v.Denied)+len(v.Failed) > 0
}

// Markdown writes the plan as a pull-request comment with no size limit.
// See MarkdownComment.
func Markdown(w io.Writer, p *plans.Plan) {
	MarkdownComment(w, p, MarkdownOptions{})
}

// MarkdownComment writes the plan as a pull-request comment: the
// policies' verdict (when opts has one) and the summary, the diagnostics,
// a table of changes, and each change's diff in a ```diff block folded in
// a <details>. The diffs are the human view's, without colour, with each
// line's symbol moved to the first column so that the forge highlights
// it (+ added, - removed, ! changed).
//
// A comment over opts.Limit keeps the verdict, the summary and every
// address with its action: it leaves out the biggest diffs first, and
// when the table still does not fit, the reasons (the table becomes a
// compact list of addresses). Diagnostics take at most half of the
// limit, warnings left out before errors. Its last line says what was
// left out (errors and warnings counted apart) and where the full plan
// is. Counts are always exact; when not even the list of addresses fits,
// the last line says how many it does not name.
//
// p may be nil when planning failed before there was a plan: the comment
// is then the diagnostics.
func MarkdownComment(w io.Writer, p *plans.Plan, opts MarkdownOptions) {
	io.WriteString(w, composeMarkdown(p, opts).fit(opts))
}

// comment is a pull-request comment in parts, so that it can be fitted to
// a budget by leaving parts out. Every part ends with a newline.
type comment struct {
	head        string // workspace, policies' verdict, notices and status
	diags       []*diagPart
	interrupted string
	drift       *block // the objects changed outside slipway
	drifted     int
	table       string // every change: action, address and reason
	// list is the compact form of table: a line per change, between
	// listHead and listTail.
	list               []string
	listHead, listTail string
	rollouts           bool // the table words a rollout

	diffs   []*block // a folded diff per change, in plan order
	outputs *block   // the changes to outputs

	// What fitting decided, and running sums that keep it linear in
	// the number of changes.
	compact      bool // list instead of table
	listed       int  // lines of list written
	listSize     int  // the size of list[:listed]
	diagsSize    int  // the size of the diagnostics not dropped
	errorCount   int  // of diags, and of them dropped
	warningCount int
	droppedErrs  int
	droppedWarns int
	keptSize     int // the size of the blocks not dropped
	droppedDiffs int
	// cutShort: the comment's fixed parts alone were over the limit, and
	// it was cut at a line (see cut).
	cutShort bool
}

// block is a part of a comment that may be left out to fit.
type block struct {
	text    string
	diff    bool // a change's diff (not drift, not outputs)
	dropped bool
}

// diagPart is a diagnostic as a part of a comment.
type diagPart struct {
	text    string
	warning bool
	dropped bool
}

// dropDiag leaves d out.
func (c *comment) dropDiag(d *diagPart) {
	if d.dropped {
		return
	}
	d.dropped = true
	c.diagsSize -= len(d.text)
	if d.warning {
		c.droppedWarns++
	} else {
		c.droppedErrs++
	}
}

// drop leaves b out.
func (c *comment) drop(b *block) {
	if b.dropped {
		return
	}
	b.dropped = true
	c.keptSize -= len(b.text)
	if b.diff {
		c.droppedDiffs++
	}
}

func composeMarkdown(p *plans.Plan, opts MarkdownOptions) *comment {
	c := &comment{}
	for _, d := range opts.Diagnostics {
		for _, text := range markdownDiagnostics(hcl.Diagnostics{d}, opts.Files) {
			part := &diagPart{text: text, warning: d.Severity == hcl.DiagWarning}
			c.diags = append(c.diags, part)
			c.diagsSize += len(text)
			if part.warning {
				c.warningCount++
			} else {
				c.errorCount++
			}
		}
	}
	if p == nil {
		c.head = policyVerdictText(opts.Policies) + "**Planning failed.** slipway met errors before it could make a plan, so there is no plan to apply and nothing tells whether anything would change.\n\n"
		return c
	}
	m := &markdown{b: &strings.Builder{}}
	m.head(p, opts.Policies)
	c.head = m.take()

	if len(p.Interrupted) > 0 {
		m.b.WriteString("**Interrupted changes.** An earlier apply was stopped while these were under way; slipway read each back through its provider, so nothing is made a second time:\n\n")
		for _, in := range p.Interrupted {
			m.b.WriteString("- " + mdCode(in.Addr.String()) + " (" + in.Action.String() + "): " + InterruptedOutcome(in.Outcome) + "\n")
		}
		m.b.WriteString("\n")
		c.interrupted = m.take()
	}

	if drift := changed(p.Drift); len(drift) > 0 {
		var ls []line
		for i, ch := range drift {
			if i > 0 {
				ls = append(ls, line{})
			}
			comments, body := changeLines(m.p, ch, true)
			ls = append(ls, comments...)
			ls = append(ls, body...)
		}
		n := len(drift)
		m.details(itoa(n)+" "+plural(n, "object has", "objects have")+" changed outside of slipway", ls)
		c.drift, c.drifted = &block{text: m.take()}, n
	}

	actions := changed(p.Changes)
	if p.Mode != plans.RefreshOnlyMode && p.HasChanges() && len(actions) > 0 {
		m.table(actions)
		c.table = m.take()
		c.listHead, c.list, c.listTail = compactList(actions)
		c.listed, c.listSize = len(c.list), sumLen(c.list)
		for _, ch := range actions {
			c.rollouts = c.rollouts || rolloutProposed(ch)
		}
		for _, ch := range actions {
			_, body := changeLines(m.p, ch, false)
			m.details(changeSummary(ch), body)
			c.diffs = append(c.diffs, &block{text: m.take(), diff: true})
		}
	}

	if p.Mode != plans.RefreshOnlyMode {
		if outs := outputLines(m.p, p.Outputs); len(outs) > 0 {
			m.b.WriteString("**Changes to Outputs:**\n\n")
			m.fence(outs)
			m.b.WriteString("\n")
			c.outputs = &block{text: m.take()}
		}
	}
	for _, b := range c.blocks() {
		c.keptSize += len(b.text)
	}
	return c
}

// fit lays the comment out within the limit and writes it.
func (c *comment) fit(opts MarkdownOptions) string {
	limit := opts.Limit
	if limit > 0 {
		limit = max(limit, MinMarkdownLimit)
		opts.Limit = limit
	}
	out := c.assemble(opts)
	if limit == 0 || len(out) <= limit {
		return out
	}

	// Diagnostics may take half of the budget; a failed plan has few
	// changes, and the rest is what the reviewer needs of them. Warnings
	// go first, from the last, then errors, from the last: an error (a
	// policy's denial among them) is what a reviewer must not miss.
	fixed := len(c.head) + len(c.interrupted)
	for _, warnings := range []bool{true, false} {
		for i := len(c.diags) - 1; i >= 0 && fixed+c.diagsSize > limit/2; i-- {
			if d := c.diags[i]; d.warning == warnings {
				c.dropDiag(d)
			}
		}
	}

	// The biggest diffs go first.
	blocks := c.blocks()
	sort.SliceStable(blocks, func(i, j int) bool { return len(blocks[i].text) > len(blocks[j].text) })
	for _, b := range blocks {
		if c.size(opts) <= limit {
			break
		}
		c.drop(b)
	}
	// Then the reasons, when even the bare table does not fit; the list
	// may leave room for some diffs again, the smallest first.
	if c.size(opts) > limit {
		c.compact = true
		for i := len(blocks) - 1; i >= 0; i-- {
			b := blocks[i]
			if c.size(opts)+len(b.text) > limit {
				break
			}
			b.dropped = false
			c.keptSize += len(b.text)
			if b.diff {
				c.droppedDiffs--
			}
			if c.size(opts) > limit { // the last line grew shorter, never longer
				c.drop(b)
				break
			}
		}
	}
	// Then the addresses from the end, when not even they fit.
	for c.listed > 0 && c.size(opts) > limit {
		c.listed--
		c.listSize -= len(c.list[c.listed])
	}
	out = c.assemble(opts)
	if len(out) > limit {
		// What cannot be left out part by part is over the limit: a
		// tiny limit, with a long partial warning or many interrupted
		// changes.
		out = c.cut(out, opts)
	}
	return out
}

// cut shortens an assembled comment to the limit: it keeps whole lines
// from the top, closes the fence and fold it stops in, and ends with the
// last line.
func (c *comment) cut(out string, opts MarkdownOptions) string {
	body := strings.TrimSuffix(strings.TrimRight(out, "\n")+"\n", c.lastLine(opts))
	c.cutShort = true
	last := c.lastLine(opts)
	if len(last) >= opts.Limit {
		last = "**Cut short to fit " + itoa(opts.Limit) + " characters.**\n"
	}
	var kept strings.Builder
	fence, folds := "", 0 // open in what is kept
	for _, l := range strings.SplitAfter(body, "\n") {
		f, n := foldsAfter(fence, folds, strings.TrimRight(l, "\n"))
		if kept.Len()+len(l)+len(closing(f, n))+1+len(last) > opts.Limit {
			break
		}
		kept.WriteString(l)
		fence, folds = f, n
	}
	return kept.String() + closing(fence, folds) + "\n" + last
}

// foldsAfter is the fence and the number of folds open after line t,
// given those open before it.
func foldsAfter(fence string, folds int, t string) (string, int) {
	switch {
	case fence == "" && strings.HasPrefix(t, "```"):
		return t[:len(t)-len(strings.TrimLeft(t, "`"))], folds
	case fence != "" && t == fence:
		return "", folds
	case fence == "" && strings.HasPrefix(t, "<details>"):
		return fence, folds + 1
	case fence == "" && t == "</details>":
		return fence, folds - 1
	}
	return fence, folds
}

// closing closes an open fence and folds.
func closing(fence string, folds int) string {
	s := ""
	if fence != "" {
		s = fence + "\n"
	}
	return s + strings.Repeat("\n</details>\n", folds)
}

// blocks are the parts fit may leave out.
func (c *comment) blocks() []*block {
	var out []*block
	if c.drift != nil {
		out = append(out, c.drift)
	}
	out = append(out, c.diffs...)
	if c.outputs != nil {
		out = append(out, c.outputs)
	}
	return out
}

// size is the length of the comment as laid out now, last line included.
func (c *comment) size(opts MarkdownOptions) int {
	n := len(c.head) + c.diagsSize + len(c.interrupted) + c.keptSize
	if c.compact {
		n += len(c.listHead) + c.listSize + len(c.listTail)
	} else {
		n += len(c.table)
	}
	return n + len(c.lastLine(opts))
}

func (c *comment) assemble(opts MarkdownOptions) string {
	var b strings.Builder
	b.WriteString(c.head)
	for _, d := range c.diags {
		if !d.dropped {
			b.WriteString(d.text)
		}
	}
	b.WriteString(c.interrupted)
	if c.drift != nil && !c.drift.dropped {
		b.WriteString(c.drift.text)
	}
	if c.compact {
		b.WriteString(c.listHead)
		for _, l := range c.list[:c.listed] {
			b.WriteString(l)
		}
		b.WriteString(c.listTail)
	} else {
		b.WriteString(c.table)
	}
	for _, d := range c.diffs {
		if !d.dropped {
			b.WriteString(d.text)
		}
	}
	if c.outputs != nil && !c.outputs.dropped {
		b.WriteString(c.outputs.text)
	}
	b.WriteString(c.lastLine(opts))
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// lastLine says what the comment leaves out and where the full plan is,
// or is "" when it leaves nothing out.
func (c *comment) lastLine(opts MarkdownOptions) string {
	var out []string
	if dropped := c.droppedDiffs; dropped > 0 {
		if dropped == len(c.diffs) {
			out = append(out, "the diffs of all "+itoa(dropped)+" "+plural(dropped, "change", "changes"))
		} else {
			out = append(out, "the diffs of "+itoa(dropped)+" of "+itoa(len(c.diffs))+" changes (the biggest first)")
		}
	}
	if c.drift != nil && c.drift.dropped {
		out = append(out, "the "+itoa(c.drifted)+" "+plural(c.drifted, "object", "objects")+" changed outside of slipway")
	}
	if c.outputs != nil && c.outputs.dropped {
		out = append(out, "the changes to outputs")
	}
	if c.compact && c.rollouts {
		out = append(out, "the reasons for the changes and their rollouts")
	} else if c.compact {
		out = append(out, "the reasons for the changes")
	}
	if n := len(c.list) - c.listed; c.compact && n > 0 {
		out = append(out, "the addresses of "+itoa(n)+" of "+itoa(len(c.list))+" changes, which did not fit even as a list (the counts above are exact)")
	}
	if n := c.droppedErrs; n > 0 {
		out = append(out, itoa(n)+" of "+itoa(c.errorCount)+" "+plural(c.errorCount, "error", "errors"))
	}
	if n := c.droppedWarns; n > 0 {
		out = append(out, itoa(n)+" of "+itoa(c.warningCount)+" "+plural(c.warningCount, "warning", "warnings"))
	}
	if c.cutShort {
		out = append(out, "the end of this comment, which did not fit even so")
	}
	if len(out) == 0 {
		return ""
	}
	where := "The full plan is what <code>slipway plan</code> prints; save it with <code>slipway plan -out=PLANFILE</code> and see it as a page with <code>slipway show -html PLANFILE &gt; plan.html</code>."
	if opts.PlanFile != "" {
		f := mdLiteral(opts.PlanFile)
		where = "The full plan is the saved plan <code>" + f + "</code>: see it with <code>slipway show " + f + "</code>, or as a page with <code>slipway show -html " + f + " &gt; plan.html</code>."
	}
	return "**Left out to fit " + itoa(opts.Limit) + " characters:** " + strings.Join(out, "; ") + ". " + where + "\n"
}

func sumLen(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}

// markdown writes the parts of a comment.
type markdown struct {
	b *strings.Builder
	p painter // always off
}

// take returns what was written since the last take.
func (m *markdown) take() string {
	s := m.b.String()
	m.b.Reset()
	return s
}

func (m *markdown) head(p *plans.Plan, policies *PolicyVerdict) {
	m.b.WriteString("**Workspace:** " + mdCode(p.WorkspaceName()) + "\n\n")
	m.b.WriteString(policyVerdictText(policies))
	if partial := partialText(p, mdCode); partial != "" {
		m.b.WriteString("> [!WARNING]\n> **" + partialLead + "** " + partial + "\n\n")
	}
	if p.Errored {
		m.b.WriteString("**Planning failed.** " + erroredText(p) + "\n\n")
	}
	m.preview(p)
	if held := rolloutOnly(p.Changes); len(held) > 0 && p.Mode != plans.RefreshOnlyMode {
		for _, c := range held {
			m.b.WriteString("- " + mdCode(c.Addr.String()) + ": " + rolloutHTML(c) + "\n")
		}
		m.b.WriteString("\n")
	}
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
		m.b.WriteString("**Plan:** " + noObjectsText(p) + "\n\n")
	}
}

// maxVerdictNames, maxVerdictChars and maxVerdictName bound a list of
// policy names in the comment's head, which is never left out: it names
// at most maxVerdictNames policies, in at most maxVerdictChars characters
// (the first always), each cut to maxVerdictName characters, and counts
// the rest.
const (
	maxVerdictNames = 10
	maxVerdictChars = 400
	maxVerdictName  = 60
)

// policyVerdictText states the policies' verdict for the comment's head:
// a caution when they deny the plan, a warning when they only warn, and
// nothing when none holds or they were not checked. Its first line says
// it all, and is short, so that a comment cut to its smallest keeps it;
// the names follow.
func policyVerdictText(v *PolicyVerdict) string {
	if v == nil {
		return ""
	}
	var lines []string
	alert := "WARNING"
	if v.Denies() {
		alert = "CAUTION"
		n := len(v.Denied) + len(v.Failed)
		lines = append(lines, "**Denied by policy:** "+itoa(n)+" "+plural(n, "rule", "rules")+"; slipway apply refuses this plan, and each rule's error says why.")
		if len(v.Denied) > 0 {
			lines = append(lines, "Denied by "+verdictNames(v.Denied)+".")
		}
		if len(v.Failed) > 0 {
			lines = append(lines, "Could not be evaluated, which denies the plan as well: "+verdictNames(v.Failed)+".")
		}
	}
	if n := len(v.Warned); n > 0 {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		s := "**Policy warnings:** " + itoa(n) + " " + plural(n, "rule", "rules")
		if !v.Denies() {
			s += "; warnings let the plan pass, and each rule's warning says why"
		}
		lines = append(lines, s+".", "Warned by "+verdictNames(v.Warned)+".")
	}
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("> [!" + alert + "]\n")
	for _, l := range lines {
		b.WriteString(strings.TrimRight("> "+l, " ") + "\n")
	}
	return b.String() + "\n"
}

// verdictNames is "NAME, NAME and N more": the names that fit within
// maxVerdictNames and maxVerdictChars, and a count of the rest.
func verdictNames(names []string) string {
	var shown []string
	size := 0
	for _, n := range names {
		if r := []rune(n); len(r) > maxVerdictName {
			n = string(r[:maxVerdictName-1]) + "…"
		}
		code := mdCode(n)
		if len(shown) == maxVerdictNames || len(shown) > 0 && size+len(code) > maxVerdictChars {
			break
		}
		shown = append(shown, code)
		size += len(code) + 2
	}
	list := strings.Join(shown, ", ")
	if more := len(names) - len(shown); more > 0 {
		list += " and " + itoa(more) + " more"
	}
	return list
}

// noObjectsText is the plan line of a plan that changes no object: its
// outputs change, or it records what reading back the changes an
// interrupted apply left unfinished found, or both.
func noObjectsText(p *plans.Plan) string {
	outputs := false
	for _, o := range p.Outputs {
		outputs = outputs || (o != nil && o.Action != plans.NoOp)
	}
	switch {
	case outputs && len(p.Interrupted) > 0:
		return "no objects change; output values change, and applying it records what the interrupted changes were found to be."
	case len(p.Interrupted) > 0:
		return "no objects change; applying it records what the interrupted changes were found to be."
	default:
		return "only output values change."
	}
}

func (m *markdown) table(actions []*plans.ResourceChange) {
	m.b.WriteString("| Action | Address | Reason |\n|---|---|---|\n")
	for _, c := range actions {
		why := mdLiteralText(reasonText(c.Reason, c.ReasonDetail, c.Addr))
		if c.PreviousAddr != nil {
			moved := "moved from " + mdCode(c.PreviousAddr.String())
			if why != "" {
				moved += "<br>"
			}
			why = moved + why
		}
		// The rollout stays with the address: diffs are left out to fit
		// long before the table is.
		if ro := rolloutHTML(c); ro != "" {
			if why != "" {
				why += "<br>"
			}
			why += ro
		}
		m.b.WriteString("| `" + c.Action.Symbol() + "` " + c.Action.String() +
			" | " + cell(mdCode(c.Addr.String())) +
			" | " + cell(why) + " |\n")
	}
	m.b.WriteString("\n")
}

// compactList is the table without reasons: a line per change, its
// symbol and address, in a fence. The changes that destroy an object
// (deletes and replaces) come first: when not even the list fits, its
// addresses are left out from the end, and a pull request must not push
// a delete out of sight by adding many objects that sort before it.
func compactList(actions []*plans.ResourceChange) (head string, list []string, tail string) {
	actions = slices.Clone(actions)
	destroys := func(c *plans.ResourceChange) bool { return c.Action == plans.Delete || c.Action.IsReplace() }
	sort.SliceStable(actions, func(i, j int) bool { return destroys(actions[i]) && !destroys(actions[j]) })
	used := map[plans.Action]bool{}
	longest := 0
	for _, c := range actions {
		used[c.Action] = true
		addr := printable(c.Addr.String())
		list = append(list, spaces(3-len(c.Action.Symbol()))+c.Action.Symbol()+" "+addr+"\n")
		longest = max(longest, backtickRun(addr))
	}
	var symbols []string
	for _, l := range legend {
		if used[l.action] {
			symbols = append(symbols, mdCode(l.action.Symbol())+" "+l.text)
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	head = "Every change, those that destroy an object first (" + strings.Join(symbols, ", ") + "):\n\n" + fence + "\n"
	return head, list, fence + "\n\n"
}

// changeSummary is the summary line of a change's folded diff.
func changeSummary(c *plans.ResourceChange) string {
	if c.PreviousAddr != nil && c.Action == plans.NoOp {
		return mdCode(c.PreviousAddr.String()) + " has moved to " + mdCode(c.Addr.String())
	}
	return mdCode(c.Addr.String()) + " " + actionVerb(c.Action)
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

// fence writes lines as a diff block.
func (m *markdown) fence(ls []line) {
	text := make([]string, len(ls))
	for i, l := range ls {
		text[i] = diffLine(l)
	}
	m.b.WriteString(fenced("diff", text))
}

// fenced writes text in a fenced code block, with a fence longer than any
// run of backticks inside so no value can close it early.
func fenced(info string, text []string) string {
	longest := 0
	for _, t := range text {
		longest = max(longest, backtickRun(t))
	}
	fence := strings.Repeat("`", max(3, longest+1))
	var b strings.Builder
	b.WriteString(fence + info + "\n")
	for _, t := range text {
		b.WriteString(t + "\n")
	}
	b.WriteString(fence + "\n")
	return b.String()
}

// backtickRun is the longest run of backticks in s.
func backtickRun(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
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

// mdText escapes prose for Markdown: no HTML tag or entity can start;
// the characters that would start emphasis, code, links, tables or math
// are taken literally (a | as a reference, which a table cell keeps
// whole); an @ mentions no one; and the text cannot begin a heading, a
// list or a setext underline, so that a line of an error's detail cannot
// make itself a heading ("No changes.") under the plan's.
func mdText(s string) string {
	s = mdEscaper.Replace(printable(s))
	if s != "" && strings.IndexByte("=-+", s[0]) >= 0 {
		return `\` + s
	}
	// "1." and "1)" start an ordered list.
	if d := len(s) - len(strings.TrimLeft(s, "0123456789")); d > 0 && d < len(s) && (s[d] == '.' || s[d] == ')') {
		return s[:d] + `\` + s[d:]
	}
	return s
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "&#124;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`, "#", `\#`, "$", `\$`,
	// GitHub finds mentions in the text it shows, character references
	// decoded; a zero-width space after the @ keeps one from notifying
	// anyone (as Renovate writes them).
	"@", "@&#8203;",
)

// mdLiteral writes text that goes in a table cell or in <code> in the
// comment, such as an address, so that the forge shows it as it is.
// GitHub parses Markdown inside <code> and table cells, so escaping HTML
// is not enough there: a for_each key `[Approve](https://evil.example)`
// would be a live link. Every ASCII character that Markdown, HTML or the
// forge could read as syntax (links, images, emphasis, code, tables,
// tags, entities, mentions, math) is written as a numeric character
// reference, which the forge shows as that character and never as
// syntax, and a URL's "://" is broken so that it is not linked. A
// backslash is one too, so `app.web["a\"b"]` reads as that.
func mdLiteral(s string) string {
	return mdLiteralEscaper.Replace(printable(s))
}

var mdLiteralEscaper = func() *strings.Replacer {
	var pairs []string
	for _, r := range "\\`*_[]()!~@#<>|&\"'$" {
		pairs = append(pairs, string(r), "&#"+itoa(int(r))+";")
	}
	return strings.NewReplacer(append(pairs, "://", "&#58;//")...)
}()

// mdCode is s as inline code in the comment: <code>, and s as mdLiteral
// writes it. GitHub mentions no one inside code.
func mdCode(s string) string {
	return "<code>" + mdLiteral(s) + "</code>"
}

// mdLiteralText is mdLiteral for text outside <code>, such as a reason in
// the table, where an @ is kept from mentioning as mdText keeps it.
func mdLiteralText(s string) string {
	return strings.ReplaceAll(mdLiteral(s), "&#64;", "&#64;&#8203;")
}

// rolloutHTML is rolloutText on one line of HTML, its lines apart by
// <br>, or "" when the plan proposes nothing for the change's rollout.
func rolloutHTML(c *plans.ResourceChange) string {
	head, rest := rolloutText(c)
	if head == "" {
		return ""
	}
	parts := []string{mdText(head)}
	for _, r := range rest {
		parts = append(parts, mdText(r))
	}
	return strings.Join(parts, "<br>")
}
