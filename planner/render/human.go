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
	"sort"
	"strings"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// legend lists every symbol a plan may use, in the order it is explained.
var legend = []struct {
	action plans.Action
	text   string
}{
	{plans.Create, "create"},
	{plans.Update, "update in-place"},
	{plans.Delete, "destroy"},
	{plans.DeleteThenCreate, "destroy and then create replacement"},
	{plans.CreateThenDelete, "create replacement and then destroy"},
	{plans.Read, "read (sources)"},
	{plans.Run, "run (pipelines)"},
}

// Human writes the plan as a person reads it in a terminal: drift first,
// then every change with its attribute diff, output changes, and the
// summary line. Sensitive values are masked; write errors are ignored, as
// for any terminal output.
func Human(w io.Writer, p *plans.Plan, opts Options) {
	h := &human{p: painter(opts.Color), width: opts.width()}
	h.plan(p)
	io.WriteString(w, strings.TrimRight(h.b.String(), "\n")+"\n")
}

type human struct {
	p     painter
	width int
	b     strings.Builder
}

func (h *human) para(text string) {
	h.b.WriteString(wrap(text, h.width))
	h.b.WriteString("\n\n")
}

// leadPara is a paragraph whose first words are bold, in sgr colours.
func (h *human) leadPara(lead, rest string, sgr ...string) {
	text := wrap(lead+" "+rest, h.width)
	painted := lead
	for _, c := range sgr {
		painted = h.p.paint(c, painted)
	}
	h.b.WriteString(h.p.bold(painted) + text[len(lead):] + "\n\n")
}

func (h *human) lines(ls []line) {
	for _, l := range ls {
		h.b.WriteString(formatLine(h.p, l))
		h.b.WriteByte('\n')
	}
}

// formatLine writes a diff line for a terminal.
func formatLine(p painter, l line) string {
	if l.sym == "" {
		if l.text == "" {
			return ""
		}
		return spaces(l.indent) + l.text
	}
	return spaces(l.indent) + spaces(3-len(l.sym)) + p.symbol(l.sym) + " " + l.text
}

func (h *human) plan(p *plans.Plan) {
	h.b.WriteString(h.p.bold("Workspace:") + " " + printable(p.WorkspaceName()) + "\n\n")
	if partial := partialText(p, plainCode); partial != "" {
		h.leadPara("Warning: "+partialLead, partial, sgrYellow)
	}
	if p.Errored {
		h.leadPara("Planning failed.", erroredText(p), sgrRed)
	}
	h.preview(p)

	if len(p.Interrupted) > 0 {
		h.interrupted(p.Interrupted)
	}

	drift := changed(p.Drift)
	if len(drift) > 0 {
		h.drift(p.Mode, drift)
	}

	if p.Mode == plans.RefreshOnlyMode {
		switch {
		case p.Errored && len(drift) == 0:
			// Planning failed: nothing is known to match.
		case len(drift) > 0:
			h.para("This is a refresh-only plan, so slipway will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the slipway state without changing any remote objects.")
		default:
			h.leadPara("No changes.", "Your infrastructure still matches the configuration.")
			h.para("slipway has checked that the real remote objects still match the result of your most recent changes, and found no differences.")
		}
		return
	}

	// Pipelines that will not run say why: up to date, or skipped.
	for _, c := range p.Changes {
		if c != nil && c.Type == "pipeline" && c.Action == plans.NoOp && c.ReasonDetail != "" {
			h.para(h.p.bold(printable(c.Addr.String())) + " is " + printable(c.ReasonDetail) + ".")
		}
	}

	// A rollout the plan holds (an aborted revision) or moves on while
	// the app itself does not change is never silent.
	if held := rolloutOnly(p.Changes); len(held) > 0 {
		for _, c := range held {
			head, rest := rolloutText(c)
			h.lines([]line{commentLine(0, h.p.bold("# "+printable(c.Addr.String())+":")+" "+head)})
			for _, r := range rest {
				h.lines([]line{commentLine(0, "#   "+r)})
			}
		}
		h.b.WriteByte('\n')
	}

	if !p.HasChanges() {
		switch {
		case p.Errored:
			// A failed plan says nothing about changes: what it could not
			// plan may well differ.
		case p.Mode == plans.DestroyMode:
			h.leadPara("No changes.", "No objects need to be destroyed.")
			h.para("Either you have not created any objects yet or the existing objects were already deleted outside of slipway.")
		case len(drift) > 0:
			h.leadPara("No changes.", "Your infrastructure matches the configuration.")
			h.para("Your configuration already matches the changes detected above. If you'd like to update the slipway state to match, make and apply a refresh-only plan.")
		default:
			h.leadPara("No changes.", "Your infrastructure matches the configuration.")
			h.para("slipway has compared your real infrastructure against your configuration and found no differences, so no changes are needed.")
		}
		return
	}

	actions := changed(p.Changes)
	if len(actions) > 0 {
		h.legend(actions)
		h.b.WriteString(h.p.bold("slipway will perform the following actions:") + "\n\n")
		for _, c := range actions {
			comments, body := changeLines(h.p, c, false)
			h.lines(comments)
			h.lines(body)
			h.b.WriteByte('\n')
		}
	}

	if outs := outputLines(h.p, p.Outputs); len(outs) > 0 {
		h.b.WriteString(h.p.bold("Changes to Outputs:") + "\n")
		h.lines(outs)
		h.b.WriteByte('\n')
		if len(actions) == 0 && !p.Errored {
			h.para("You can apply this plan to save these new output values to the slipway state, without changing any real infrastructure.")
		}
	}

	if len(actions) > 0 && !p.Errored {
		h.b.WriteString(h.p.bold("Plan:") + " " + summaryText(p.Summary()) + "\n")
	}
}

// erroredText is what follows "Planning failed." A failed plan never
// says there are no changes: what it could not plan may well differ.
func erroredText(p *plans.Plan) string {
	shown := len(changed(p.Changes)) > 0 || len(changed(p.Drift)) > 0
	for _, o := range p.Outputs {
		shown = shown || (o != nil && o.Action != plans.NoOp)
	}
	if shown {
		return "slipway met errors while making this plan, so what follows is incomplete and this plan cannot be applied."
	}
	return "slipway met errors while making this plan, so this plan cannot be applied and does not tell whether anything would change."
}

// interrupted lists the changes an interrupted apply left unfinished, and
// what reading each back found.
func (h *human) interrupted(ins []*plans.Interrupted) {
	h.leadPara("Interrupted changes:", "an earlier apply was stopped while these changes were under way. slipway read each back through its provider, so nothing is made a second time. Applying this plan records what was found.", sgrYellow)
	for _, in := range ins {
		h.b.WriteString("  " + h.p.bold(printable(in.Addr.String())) + " (" + in.Action.String() + "): " + InterruptedOutcome(in.Outcome) + "\n")
	}
	h.b.WriteByte('\n')
}

// InterruptedOutcome words what reading an interrupted change back found.
func InterruptedOutcome(outcome string) string {
	switch outcome {
	case plans.InterruptedAdopted:
		return "it exists, and is taken into state instead of being made again"
	case plans.InterruptedAbsent:
		return "nothing was made; it is planned as usual"
	}
	return "it is in state, and refresh read it as usual"
}

// summaryText is the counts of the summary line, without "Plan:".
func summaryText(s plans.Summary) string {
	text := itoa(s.Add) + " to add, " + itoa(s.Change) + " to change, " + itoa(s.Destroy) + " to destroy."
	if s.Run > 0 {
		// What runs first comes first: the pipelines feed the rest.
		text = itoa(s.Run) + " " + plural(s.Run, "pipeline", "pipelines") + " to run, " + text
	}
	return text
}

func (h *human) legend(actions []*plans.ResourceChange) {
	used := map[plans.Action]bool{}
	for _, c := range actions {
		used[c.Action] = true
		for _, n := range c.Nested {
			if n != nil {
				used[n.Action] = true
			}
		}
	}
	h.b.WriteString(wrap("slipway used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:", h.width) + "\n")
	for _, l := range legend {
		if used[l.action] {
			h.b.WriteString(formatLine(h.p, symLine(0, l.action.Symbol(), l.text)) + "\n")
		}
	}
	h.b.WriteByte('\n')
}

func (h *human) drift(mode plans.Mode, drift []*plans.ResourceChange) {
	h.b.WriteString(h.p.bold("Note: Objects have changed outside of slipway") + "\n\n")
	if mode == plans.RefreshOnlyMode {
		h.para(`slipway detected the following changes made outside of slipway since the last "slipway apply":`)
	} else {
		h.para(`slipway detected the following changes made outside of slipway since the last "slipway apply" which may have affected this plan:`)
	}
	for _, c := range drift {
		comments, body := changeLines(h.p, c, true)
		h.lines(comments)
		h.lines(body)
		h.b.WriteByte('\n')
	}
	if mode == plans.RefreshOnlyMode {
		return
	}
	h.para("Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.")
	h.b.WriteString(strings.Repeat("─", h.width) + "\n\n")
}

// changed returns the changes that do something, in plan order: a move
// of an object to another address is one, even when nothing else of it
// changes.
func changed(cs []*plans.ResourceChange) []*plans.ResourceChange {
	var out []*plans.ResourceChange
	for _, c := range cs {
		if c != nil && (c.Action != plans.NoOp || c.PreviousAddr != nil) {
			out = append(out, c)
		}
	}
	// Pipelines run before what reads their images and promotes: they come
	// first, the rest in address order as planned.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Addr.Resource.Kind == addrs.Pipeline && out[j].Addr.Resource.Kind != addrs.Pipeline
	})
	return out
}

// rolloutOnly returns the no-op changes for whose rollout the plan still
// proposes something, such as holding an aborted revision.
func rolloutOnly(cs []*plans.ResourceChange) []*plans.ResourceChange {
	var out []*plans.ResourceChange
	for _, c := range cs {
		if c != nil && c.Action == plans.NoOp && rolloutProposed(c) {
			out = append(out, c)
		}
	}
	return out
}
