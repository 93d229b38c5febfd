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

package command

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/planfile"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/policy"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/state"
)

// PlanArgs are plan's flags (and apply's and destroy's, which plan first).
type PlanArgs struct {
	VarArgs
	LockArgs
	Out              string
	DetailedExitcode bool
	Targets          []string
	Excludes         []string
	Replace          []string
	Refresh          bool
	HardRefresh      bool
	Destroy          bool
	JSON             bool
	Markdown         bool
	// Input false (-input=false) means nobody answers questions: apply
	// needs -auto-approve or a saved plan, and approval gates need
	// -approve.
	Input bool
	// CompactWarnings prints warnings as summaries (-compact-warnings).
	CompactWarnings bool
	// Offline and Sources make a preview (plan only): no cluster access,
	// and sources read from local checkouts (NAME=DIR).
	Offline bool
	Sources []string
	// PolicyDirs are -policy directories: policies from outside the
	// configuration, checked with its own.
	PolicyDirs []string
	// MarkdownLimit is the most characters -markdown writes; 0 means no
	// limit.
	MarkdownLimit int
	Parallelism   int

	// rollback pins apps to recorded syncs (slipway rollback).
	pins map[string]kind.Pin
	// requests are the requests of slipway rollout, by app.
	requests map[addrs.ResourceInstance]string
	// holdDrift are the instances whose drift the plan leaves as it is
	// (slipway reconcile's apps that do not self-heal).
	holdDrift []addrs.ResourceInstance
}

// parse turns address flags into addresses.
func (a *PlanArgs) options() (planner.PlanOpts, hcl.Diagnostics) {
	opts := planner.PlanOpts{Refresh: a.Refresh, HardRefresh: a.HardRefresh, Pins: a.pins, RolloutRequests: a.requests, HoldDrift: a.holdDrift}
	if a.Destroy {
		opts.Mode = plans.DestroyMode
	}
	var diags hcl.Diagnostics
	parse := func(flag string, list []string) []addrs.ResourceInstance {
		var out []addrs.ResourceInstance
		for _, s := range list {
			ai, d := addrs.ParseResourceInstance(s)
			if d.HasErrors() {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + flag + " address",
					Detail: fmt.Sprintf("%q: %s", s, d[0].Detail)})
				continue
			}
			out = append(out, ai)
		}
		return out
	}
	opts.Offline = a.Offline
	for _, s := range a.Sources {
		name, dir, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(dir) == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -source",
				Detail: fmt.Sprintf("%q is not NAME=DIR: write -source gitops=../gitops-pr to read source gitops from that local checkout.", s)})
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -source", Detail: fmt.Sprintf("%q: %v", s, err)})
			continue
		}
		if opts.LocalSources == nil {
			opts.LocalSources = map[string]string{}
		}
		if prev, ok := opts.LocalSources[name]; ok && prev != abs {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Source given twice",
				Detail: fmt.Sprintf("-source names %s twice, with %s and %s. Give one checkout per source.", name, prev, abs)})
			continue
		}
		opts.LocalSources[name] = abs
	}
	opts.Targets = parse("-target", a.Targets)
	opts.Excludes = parse("-exclude", a.Excludes)
	opts.Replace = parse("-replace", a.Replace)
	return opts, diags
}

// checkViews refuses flags that ask for two forms of output at once, and
// a Markdown limit that cannot be met.
func checkViews(json, markdown bool, limit int) error {
	if json && markdown {
		return fmt.Errorf("-json and -markdown cannot be used together: -json prints JSON events for machines, -markdown a comment for a pull request; give one of them, and run the command again for the other")
	}
	if limit < 0 || (limit > 0 && limit < render.MinMarkdownLimit) {
		return fmt.Errorf("-markdown-limit=%d: give the most characters the comment may hold, at least %d, or 0 for no limit", limit, render.MinMarkdownLimit)
	}
	return nil
}

// startViews sets the view up for plan, apply and destroy: compact
// warnings, and with -json the stream of events (version, planned_change,
// apply_start, diagnostic, ...), so that no human text reaches standard
// output. It refuses flags that ask for two views at once.
func (m *Meta) startViews(a PlanArgs) bool {
	m.View.CompactWarnings = a.CompactWarnings
	if a.JSON {
		m.View.StartStream(m.Version)
	}
	if err := checkViews(a.JSON, a.Markdown, a.MarkdownLimit); err != nil {
		m.View.Error(err)
		return false
	}
	return true
}

// Plan runs `slipway plan`. With -json, standard output is the
// machine-readable UI: a version event, the plan's events and the
// diagnostics, one JSON event a line.
func (m *Meta) Plan(ctx context.Context, a PlanArgs) int {
	if !m.startViews(a) {
		return 1
	}
	// With -markdown, standard output is the comment and nothing else:
	// what fails before there is a plan is written into it as well.
	m.View.Record = a.Markdown
	opts, diags := a.options()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		m.failedMarkdown(a)
		return 1
	}
	s := m.open(ctx, a.VarArgs, a.LockArgs, "plan", a.Parallelism)
	if s == nil {
		m.failedMarkdown(a)
		return 1
	}
	defer s.close()
	rules, diags := m.policies(s.cfg, a.PolicyDirs)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		m.failedMarkdown(a)
		return 1
	}
	m.View.Diagnostics(diags)
	p, diags := s.ctx.Plan(ctx, opts)
	// The policies' findings are part of what a reviewer reads: the
	// comment states the verdict in its head and carries the findings
	// below the plan.
	verdict, policyDiags, judged := 0, hcl.Diagnostics(nil), (*render.PolicyVerdict)(nil)
	if !diags.HasErrors() {
		verdict, policyDiags, judged = m.judgePlan(rules, p)
	}
	if a.JSON {
		m.View.PlanEvents(p)
	} else {
		m.showPlan(p, a, diags, policyDiags, judged)
	}
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	// A denied plan is still saved, for review; apply checks it again.
	m.View.Diagnostics(policyDiags)
	if verdict == 1 {
		return 1
	}
	if a.Out != "" {
		_, ps, _ := m.sealers(s.cfg, nil)
		if err := planfile.WriteSealed(a.Out, p, ps); err != nil {
			m.View.Error(err)
			return 1
		}
		m.warnPlainPlan(a.Out)
		// With -markdown, standard output is the comment alone.
		say := m.View.Printf
		if a.Markdown {
			say = m.View.Eprintf
		}
		switch {
		case a.JSON:
		case p.Preview():
			// The saved plan is for review (show); apply refuses it.
			say("\nSaved the plan to: %s\n\nIt is a preview (-offline or -source): slipway show %s displays it, and slipway apply refuses it.\n", a.Out, a.Out)
		case verdict == ExitDenied:
			say("\nSaved the plan to: %s\n\nA policy denies it, so slipway apply %s will refuse it.\n", a.Out, a.Out)
		default:
			say("\nSaved the plan to: %s\n", a.Out)
			if !m.InAutomation() {
				say("\nTo perform exactly these actions, run:\n  slipway apply %s\n", a.Out)
			}
		}
	}
	if verdict == ExitDenied {
		return ExitDenied
	}
	if a.DetailedExitcode && p.HasChanges() {
		return 2
	}
	return 0
}

// showPlan prints a plan in the form a asks for. diags are planning's
// own and policyDiags what the policies found, which the Markdown comment
// holds (the other forms leave them to standard error); verdict is the
// policies' verdict the comment states in its head, nil when they were
// not checked; a.Out is the saved plan the comment points to.
func (m *Meta) showPlan(p *plans.Plan, a PlanArgs, diags, policyDiags hcl.Diagnostics, verdict *render.PolicyVerdict) {
	switch {
	case a.JSON:
		b, err := render.JSON(p)
		if err != nil {
			m.View.Error(err)
			return
		}
		m.View.Stdout.Write(append(b, '\n'))
	case a.Markdown:
		planFile := a.Out
		if p.Errored || diags.HasErrors() {
			planFile = "" // a failed plan is never saved
		}
		all := m.View.Recorded()
		for _, d := range append(append(hcl.Diagnostics(nil), diags...), policyDiags...) {
			all = append(all, m.View.MaskDiagnostic(d))
		}
		render.MarkdownComment(m.View.Stdout, p, render.MarkdownOptions{
			Limit: a.MarkdownLimit, PlanFile: planFile, Diagnostics: all, Files: m.View.Files,
			Policies: verdict,
		})
	default:
		render.Human(m.View.Stdout, p, render.Options{Color: m.View.Color})
	}
}

// judgePlan is policyVerdict with the verdict as the pull-request comment
// states it: the names of the policies that deny the plan, that could not
// be evaluated over it, and that warn; nil when there are no policies.
func (m *Meta) judgePlan(set *policy.Set, p *plans.Plan) (int, hcl.Diagnostics, *render.PolicyVerdict) {
	if set.Len() == 0 {
		return 0, nil, nil
	}
	model, err := policy.Model(p)
	if err != nil {
		return 1, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot check the policies", Detail: err.Error()}}, nil
	}
	ctx := context.Background()
	if m.Stop != nil {
		ctx = m.Stop // a Ctrl-C ends a rule that takes long
	}
	results := set.Evaluate(ctx, model)
	diags, denied, failed := policy.Report(results)
	v := &render.PolicyVerdict{}
	for _, r := range results {
		switch {
		case r.Err != nil:
			v.Failed = append(v.Failed, r.Policy.Name)
		case r.Denies():
			v.Denied = append(v.Denied, r.Policy.Name)
		case r.Holds:
			v.Warned = append(v.Warned, r.Policy.Name)
		}
	}
	switch {
	case failed:
		return 1, diags, v
	case denied:
		return ExitDenied, diags, v
	}
	return 0, diags, v
}

// failedMarkdown writes, for -markdown, the comment of a plan that failed
// before there was a plan: the errors printed so far.
func (m *Meta) failedMarkdown(a PlanArgs) {
	if !a.Markdown {
		return
	}
	render.MarkdownComment(m.View.Stdout, nil, render.MarkdownOptions{
		Limit: a.MarkdownLimit, Diagnostics: m.View.Recorded(), Files: m.View.Files,
	})
}

// ApplyArgs are apply's flags.
type ApplyArgs struct {
	PlanArgs
	AutoApprove bool
	// Approve names pipeline approval gates (pipeline.NAME.STAGE) that
	// pass without asking.
	Approve []string
	// PlanFile is a saved plan to apply exactly, or "".
	PlanFile string

	// rollout is the request of slipway rollout this apply carries out.
	rollout *rolloutRequest
}

// Apply runs `slipway apply` (and `slipway destroy`, with Destroy set).
func (m *Meta) Apply(ctx context.Context, a ApplyArgs) int {
	op := "apply"
	if a.Destroy {
		op = "destroy"
	}
	if !m.startViews(a.PlanArgs) {
		return 1
	}
	// A rollout request asks only when its plan changes more than its
	// app (checkRolloutPlan).
	if a.JSON && !a.AutoApprove && a.PlanFile == "" && a.rollout == nil {
		m.View.Error(fmt.Errorf("%s -json needs -auto-approve or a saved plan: with -json, standard output is for machines, and nobody can answer the prompt there", op))
		return 1
	}
	if !a.Input && !a.AutoApprove && a.PlanFile == "" && a.rollout == nil {
		m.View.Error(fmt.Errorf("%s -input=false needs -auto-approve or a saved plan: nobody is there to confirm the changes", op))
		return 1
	}
	progress := views.NewProgress(m.View, a.JSON)
	var saved *plans.Plan
	// -var may give what the encryption block needs to open a saved plan.
	encVars, encNote := false, ""
	if a.PlanFile != "" {
		cfg, ps, ok := m.planSealerFor(a.VarArgs)
		if !ok {
			return 1
		}
		encVars = len(a.Vars) > 0 && encryptionVarsOnly(cfg, a.Vars)
		if cfg != nil && cfg.Slipway.Encryption != nil {
			encNote = " (-var may set only the variables the encryption block uses)"
		}
		var err error
		if saved, err = planfile.ReadSealed(a.PlanFile, ps); err != nil {
			m.View.Error(err)
			return 1
		}
	}
	opts, diags := a.options()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	if saved != nil {
		if len(a.Vars) > 0 && !encVars || len(a.VarFiles) > 0 || len(a.Targets) > 0 || len(a.Excludes) > 0 || len(a.Replace) > 0 || a.Destroy {
			m.View.Error(fmt.Errorf("a saved plan is applied exactly as it was made: -var, -var-file, -target, -exclude, -replace and -destroy belong to the slipway plan that made it%s", encNote))
			return 1
		}
		a.VarArgs.fromPlan = true
	}
	s := m.open(ctx, a.VarArgs, a.LockArgs, op, a.Parallelism)
	if s == nil {
		return 1
	}
	defer s.close()
	if r := a.rollout; r != nil {
		// Again under the lock: the rollout may have moved on.
		if _, err := checkRolloutRequest(s.ctx.State, r.addr, r.request); err != nil {
			m.View.Error(err)
			return 1
		}
	}
	rules, diags := m.policies(s.cfg, a.PolicyDirs)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}

	p := saved
	if p != nil {
		// A saved plan carries the variables it was made with.
		s.ctx.Variables = p.Variables
		m.View.SetSecrets(lang.SensitiveStrings(s.cfg, p.Variables))
		if err := s.ctx.CheckPlanApplicable(p); err != nil {
			m.View.Error(err)
			return 1
		}
		// The policies in force now judge the saved plan, before
		// anything changes.
		if verdict := m.checkPolicies(rules, p); verdict != 0 {
			return verdict
		}
	} else {
		// Planning changes nothing: the first Ctrl-C ends it.
		planCtx := ctx
		if m.Stop != nil {
			planCtx = m.Stop
		}
		p, diags = s.ctx.Plan(planCtx, opts)
		// Before anything changes, and before anyone is asked; the
		// comment of -markdown states the verdict as plan's does.
		verdict, policyDiags, judged := 0, hcl.Diagnostics(nil), (*render.PolicyVerdict)(nil)
		if !diags.HasErrors() {
			verdict, policyDiags, judged = m.judgePlan(rules, p)
		}
		if a.JSON {
			m.View.PlanEvents(p)
		} else {
			m.showPlan(p, a.PlanArgs, diags, policyDiags, judged)
		}
		m.View.Diagnostics(diags)
		if diags.HasErrors() {
			if a.Destroy {
				m.reportDestroyPlanFailed(s.ctx.State, opts.Targets, diags)
			}
			return 1
		}
		m.View.Diagnostics(policyDiags)
		if verdict != 0 {
			return verdict
		}
		if a.rollout != nil && !m.checkRolloutPlan(a, p) {
			return 1
		}
		// An upgraded state, or private data a refresh read anew,
		// changes nothing outside, but is recorded by applying the plan.
		if !p.HasChanges() && !hasReads(p) && len(p.Upgraded) == 0 && !p.RecordsRefresh() {
			if err := s.checkpoint(context.WithoutCancel(ctx)); err != nil {
				m.View.Error(fmt.Errorf("saving state: %w", err))
				return 1
			}
			return 0
		}
		// Only sources moved: nothing outside slipway changes, so record
		// what they resolved to without asking.
		if p.HasChanges() && !a.AutoApprove && a.rollout == nil && !m.confirm(a.Destroy) {
			m.View.Printf("\n%s cancelled.\n", strings.ToUpper(op[:1])+op[1:])
			return 1
		}
	}

	s.ctx.Hooks = progress
	s.ctx.Approved = a.Approve
	if views.IsTerminal(m.Stdin) && !a.JSON && a.Input {
		s.ctx.Ask = m.askApproval
	}
	applier := s.ctx.NewApplier()
	rec := state.NewRecorder(context.WithoutCancel(ctx), s.backend, applier.Snapshot)
	if s.ctx.Journal != nil {
		// Each outcome is durable in the intent journal as it finishes,
		// so the whole state need not be rewritten after every one.
		rec.Every(stateCheckpoint)
	}
	before := s.ctx.State
	if s.resumeGC != nil {
		// Applying takes minutes and allocates as it waits: the heap
		// held for the plan is not held for it.
		s.resumeGC()
	}
	diags = s.ctx.Apply(ctx, p, applier, rec.Record)
	rec.Record(nil)
	werr := rec.Close()
	progress.Stop()
	// Changes cut short by a cancelled context are one error, not one
	// per instance.
	m.View.Diagnostics(views.CollapseCancelled(diags, progress.Cancelled()))
	interrupted := m.Stop != nil && m.Stop.Err() != nil
	if p.Mode == plans.DestroyMode && (diags.HasErrors() || werr != nil || interrupted) {
		m.reportDestroyIncomplete(before, applier.Snapshot(), parseTargets(p.Targets), diags, interrupted)
	}
	if werr != nil || stateStopped(diags) {
		// What finished must not be lost: the state goes to a fallback
		// file the user pushes back once the cause is fixed.
		if werr != nil {
			m.View.Error(fmt.Errorf("saving state: %w", werr))
		}
		snap := applier.Snapshot()
		cur, err := s.backend.Read(context.WithoutCancel(ctx))
		if err != nil {
			cur = nil
		}
		var other bool
		snap.Serial, other = erroredSerial(snap, rec.Written(), cur)
		if other {
			m.View.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "State written by another run",
				Detail: fmt.Sprintf("The state was written by another run since this apply last wrote it (serial %d, now %d), most likely after this run's lock was lost: pushing the file below would undo what that run recorded. slipway state push refuses it as older; compare it with slipway state pull first, and push it with -force only if it should win.", snap.Serial-1, cur.Serial)}})
		}
		stateSealer, _, _ := m.sealers(s.cfg, nil)
		if path, err := writeErrored(m.Dir, snap, stateSealer); err != nil {
			// With -json, standard output is for events: the state goes
			// to standard error instead.
			out, where := m.View.Stdout, "standard output"
			if a.JSON {
				out, where = m.View.Stderr, "standard error"
			}
			m.View.Error(fmt.Errorf("%w; the state that could not be saved follows on %s, save it and run slipway state push with it", err, where))
			data, err := state.Encode(snap)
			if err == nil && stateSealer != nil {
				// Sealed as the file would have been: state push opens it.
				data, err = stateSealer.Seal(data)
			}
			if err == nil {
				out.Write(data)
			}
		} else {
			m.View.Eprintf("\nThe state that could not be saved was written to %s. Once the cause is fixed, run:\n  slipway state push %s\n", path, path)
		}
		return 1
	}
	// The state now holds every finished change: the journal keeps only
	// what was never resolved.
	if err := compactJournal(context.WithoutCancel(ctx), s.backend); err != nil {
		m.View.Error(err)
		return 1
	}
	if m.Stop != nil && m.Stop.Err() != nil {
		msg := "Apply interrupted: the changes in flight finished and are recorded; nothing else was started."
		if ctx.Err() != nil {
			// The second Ctrl-C: providers were told to stop.
			msg = "Apply stopped: the changes in flight were cancelled; the next plan reads back what they did."
		}
		if !m.InAutomation() {
			msg += " Run slipway apply again to carry out the rest."
		}
		m.View.Eprintf("\n%s\n", m.View.Bold(msg))
		return 130
	}
	if diags.HasErrors() {
		return 1
	}
	verb := "Apply"
	if a.Destroy {
		verb = "Destroy"
	}
	progress.Complete(verb, p.Summary())
	if !a.Destroy && !a.JSON {
		m.printOutputs(applier.Snapshot())
	}
	return 0
}

// confirm asks the user to type yes.
func (m *Meta) confirm(destroy bool) bool {
	q := "Do you want to perform these actions?"
	if destroy {
		q = "Do you really want to destroy all resources?"
	}
	m.View.Printf("\n%s\n  slipway will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", m.View.Bold(q))
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return false
	}
	m.View.Printf("\n")
	return strings.TrimSpace(line) == "yes"
}

// askApproval asks the person at the terminal to pass a pipeline's
// approval gate, as Jenkins' input step does.
func (m *Meta) askApproval(_ context.Context, gate, message string) (bool, error) {
	m.askMu.Lock()
	defer m.askMu.Unlock()
	m.View.Printf("\n%s %s\n  Only 'yes' will be accepted to approve (or run with -approve=%s).\n\n  Enter a value: ", m.View.Bold(gate+":"), message, gate)
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	m.View.Printf("\n")
	return strings.TrimSpace(line) == "yes", nil
}

// hasReads reports whether a plan reads sources that moved since state
// recorded them.
func hasReads(p *plans.Plan) bool {
	for _, c := range p.Changes {
		if c.Action == plans.Read {
			return true
		}
	}
	return false
}

// stateCheckpoint is how often apply rewrites the whole state when the
// backend keeps an intent journal.
const stateCheckpoint = 2 * time.Second

// stateStopped reports whether apply stopped because it could not write
// state or its journal.
func stateStopped(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == planner.StateStoppedSummary {
			return true
		}
	}
	return false
}

// erroredSerial is the serial of the fallback state of an apply that
// could not save snap (read at serial snap.Serial, its own last write at
// serial written, 0 for none), given what the backend holds now (cur, nil
// if unreadable). Pushed back, the file must win over what this apply's
// own checkpoints wrote, so it is one past the later of them; but not
// over what another run wrote since (a serial past this apply's own last
// write, after its lock was lost): then the file keeps one past this
// apply's own, which state push refuses as older, and other is true.
func erroredSerial(snap *state.State, written uint64, cur *state.State) (serial uint64, other bool) {
	own := max(snap.Serial, written)
	if cur == nil || cur.Lineage != snap.Lineage || cur.Serial < own {
		return snap.Serial, false
	}
	if cur.Serial > own {
		return own + 1, true
	}
	return cur.Serial + 1, false
}
