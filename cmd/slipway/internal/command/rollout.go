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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

// RolloutArgs are the flags of `slipway rollout promote|abort|retry`.
type RolloutArgs struct {
	ApplyArgs
	App string
	// Request is what the command asks of the rollout under way:
	// builtin.RolloutPromote, RolloutPromoteFull, RolloutAbort or
	// RolloutRetry.
	Request string
}

// rolloutRequest is a request of `slipway rollout` for one app, as apply
// carries it: the plan is made with it, and apply asks for confirmation
// only when the plan changes more than that app.
type rolloutRequest struct {
	addr    addrs.ResourceInstance
	request string
}

// Rollout runs `slipway rollout promote [--full]`, `abort` and `retry`:
// an apply of the one app with the request, as `slipway apply
// -target=app.NAME` makes it, under the state lock. It refuses, changing
// nothing, when state records no rollout the request fits.
func (m *Meta) Rollout(ctx context.Context, a RolloutArgs) int {
	if a.JSON {
		// Its own errors are events too; Apply goes on in the same stream.
		m.View.StartStream(m.Version)
	}
	cmd := rolloutCommandName(a.Request)
	addr, err := parseAddrs([]string{a.App})
	if err != nil || addr[0].Resource.Kind != addrs.App {
		m.View.Error(fmt.Errorf("slipway rollout %s takes an app address, like slipway rollout %s app.web", cmd, cmd))
		return 1
	}
	if cmd == "" {
		m.View.Error(fmt.Errorf("unknown rollout request %q", a.Request))
		return 1
	}
	// A first look without the lock refuses a request that cannot apply
	// before any provider starts; apply looks again under the lock.
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	rs, err := checkRolloutRequest(st, addr[0], a.Request)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	// With -json, standard output is for events: say it on standard error.
	say := m.View.Printf
	if a.JSON {
		say = m.View.Eprintf
	}
	say("%s\n\n", describeRequest(addr[0], rs, a.Request))
	a.rollout = &rolloutRequest{addr: addr[0], request: a.Request}
	a.requests = map[addrs.ResourceInstance]string{addr[0]: a.Request}
	a.Targets = []string{addr[0].String()}
	code := m.Apply(ctx, a.ApplyArgs)
	if code != 0 || a.JSON {
		return code
	}
	// Where the rollout stands now, and what moves it on.
	if st, ok := m.readState(ctx); ok {
		if rs, err := rolloutStatusOf(st, addr[0]); err == nil && rs != nil {
			m.View.Printf("\n%s %s\n", m.View.Bold(addr[0].String()+":"), rs.Standing())
			if next := rolloutNext(addr[0], rs); next != "" {
				m.Hint("%s\n", next)
			}
		}
	}
	return code
}

// rolloutCommandName is the command of a request.
func rolloutCommandName(request string) string {
	switch request {
	case builtin.RolloutPromote, builtin.RolloutPromoteFull:
		return "promote"
	case builtin.RolloutAbort:
		return "abort"
	case builtin.RolloutRetry:
		return "retry"
	}
	return ""
}

// checkRolloutRequest returns the rollout state records for addr, or an
// error when the request does not fit where it stands.
func checkRolloutRequest(st *state.State, addr addrs.ResourceInstance, request string) (*rolloutspec.Status, error) {
	cmd := rolloutCommandName(request)
	if st.Resources[addr.String()] == nil {
		var insts []string
		for _, k := range st.SortedAddrs() {
			if ri := st.Resources[k]; addr.Key == addrs.NoKey && ri.Addr.Resource == addr.Resource {
				insts = append(insts, rolloutspec.ShellWord(k))
			}
		}
		if len(insts) > 0 {
			return nil, fmt.Errorf("%s has instances (for_each or count); name the one whose rollout to %s: %s; nothing was changed", addr, cmd, strings.Join(insts, ", "))
		}
		return nil, fmt.Errorf("%s is not in the state, so it has no rollout to %s: apply it first; nothing was changed", addr, cmd)
	}
	rs, err := rolloutStatusOf(st, addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	if rs == nil {
		return nil, fmt.Errorf("%s has no rollout under way: the state records none for it (an app rolls out when it names a rollout and a Deployment's pod template changes); nothing was changed", addr)
	}
	underWay := rs.Phase == rolloutspec.PhaseProgressing || rs.Phase == rolloutspec.PhasePaused
	switch {
	case request == builtin.RolloutRetry && rs.Phase == rolloutspec.PhaseDegraded:
		return rs, nil
	case request == builtin.RolloutRetry && underWay:
		return nil, fmt.Errorf("%s has no aborted rollout to retry: the rollout of revision %s is under way (%s); nothing was changed", addr, rolloutspec.Short(rs.Revision), rs.Standing())
	case request == builtin.RolloutRetry:
		return nil, fmt.Errorf("%s has no aborted rollout to retry: it is %s; nothing was changed", addr, rs.Standing())
	case underWay:
		return rs, nil
	case rs.Phase == rolloutspec.PhaseDegraded:
		return nil, fmt.Errorf("%s has no rollout under way to %s: it is %s. Run slipway rollout retry %s to start that revision again; nothing was changed", addr, cmd, rs.Standing(), rolloutspec.ShellWord(addr.String()))
	default:
		return nil, fmt.Errorf("%s has no rollout under way to %s: it is %s; nothing was changed", addr, cmd, rs.Standing())
	}
}

// rolloutStatusOf is the rollout status state records for addr (its
// rollout_status attribute), or nil.
func rolloutStatusOf(st *state.State, addr addrs.ResourceInstance) (*rolloutspec.Status, error) {
	ri := st.Resources[addr.String()]
	if ri == nil {
		return nil, nil
	}
	v := attr(ri.Value, builtin.AppRolloutStatus)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return nil, nil
	}
	return rolloutspec.DecodeStatus(v.AsString())
}

// describeRequest says what a request is about to do.
func describeRequest(addr addrs.ResourceInstance, rs *rolloutspec.Status, request string) string {
	step := fmt.Sprintf("step %d/%d (%s)", rs.Step+1, len(rs.Steps), rs.StepName(rs.Step))
	switch request {
	case builtin.RolloutPromote:
		return fmt.Sprintf("Promoting %s: its rollout goes on past %s.", addr, step)
	case builtin.RolloutPromoteFull:
		return fmt.Sprintf("Promoting %s fully: its rollout skips the steps after %s and goes to 100%%.", addr, step)
	case builtin.RolloutAbort:
		return fmt.Sprintf("Aborting the rollout of %s at %s: traffic and replicas go back to the stable revision %s.", addr, step, rolloutspec.Short(rs.Stable))
	case builtin.RolloutRetry:
		return fmt.Sprintf("Retrying the rollout of revision %s of %s from step 1.", rolloutspec.Short(rs.Aborted), addr)
	}
	return ""
}

// rolloutNext says which command moves a rollout on, or "".
func rolloutNext(addr addrs.ResourceInstance, rs *rolloutspec.Status) string {
	w := rolloutspec.ShellWord(addr.String()) // as a shell takes it
	switch rs.Phase {
	case rolloutspec.PhasePaused:
		if rs.PausedUntil != "" {
			return fmt.Sprintf("slipway apply goes on after %s; \"slipway rollout promote %s\" goes on now, \"slipway rollout abort %s\" rolls back.", rs.PausedUntil, w, w)
		}
		return fmt.Sprintf("Run \"slipway rollout promote %s\" to go on past step %d (%s), or \"slipway rollout abort %s\" to roll back.", w, rs.Step+1, rs.StepName(rs.Step), w)
	case rolloutspec.PhaseProgressing:
		return fmt.Sprintf("An apply is carrying it out, or was stopped: slipway apply goes on at step %d (%s); \"slipway rollout abort %s\" rolls back.", rs.Step+1, rs.StepName(rs.Step), w)
	case rolloutspec.PhaseDegraded:
		return fmt.Sprintf("Revision %s is not retried by itself: run \"slipway rollout retry %s\", or commit a new revision.", rolloutspec.Short(rs.Aborted), w)
	}
	return ""
}

// checkRolloutPlan checks, before anything changes, the plan of a
// rollout request: it must change the app, and it asks for confirmation
// when it changes anything else (what the app depends on, which
// -target brings in), unless -auto-approve.
func (m *Meta) checkRolloutPlan(a ApplyArgs, p *plans.Plan) bool {
	r := a.rollout
	cmd := rolloutCommandName(r.request)
	if ch := p.Change(r.addr); ch == nil || ch.Action == plans.NoOp || ch.Action == plans.Read {
		m.View.Error(fmt.Errorf("the plan holds no change of %s for slipway rollout %s: its provider does not act on the request, or the rollout moved on since; nothing was changed", r.addr, cmd))
		return false
	}
	var others []string
	for _, ch := range p.Changes {
		if ch.Addr != r.addr && ch.Action != plans.NoOp && ch.Action != plans.Read {
			others = append(others, ch.Addr.String())
		}
	}
	if len(others) == 0 && len(p.Interrupted) == 0 || a.AutoApprove {
		return true
	}
	sort.Strings(others)
	what := "changes " + strings.Join(others, ", ")
	if len(others) == 0 {
		what = "finishes changes an interrupted apply left"
	}
	if a.JSON || !a.Input {
		m.View.Error(fmt.Errorf("the plan of slipway rollout %s also %s, and nobody is there to confirm that: run slipway apply first, or pass -auto-approve", cmd, what))
		return false
	}
	m.View.Printf("\nBesides %s, this plan also %s.\n", r.addr, what)
	if !m.confirm(false) {
		m.View.Printf("\nRollout %s cancelled.\n", cmd)
		return false
	}
	return true
}

// RolloutStatusArgs are the flags of `slipway rollout status`.
type RolloutStatusArgs struct {
	Apps  []string
	JSON  bool
	Watch bool
}

// RolloutStatusFormatVersion is the version of `slipway rollout status
// -json`'s document: minor for additions, major for breaks.
const RolloutStatusFormatVersion = "1.0"

// RolloutStatusDocument is the shape of `slipway rollout status -json`.
type RolloutStatusDocument struct {
	FormatVersion string        `json:"format_version"`
	Workspace     string        `json:"workspace"`
	Rollouts      []rolloutJSON `json:"rollouts"`
}

type rolloutJSON struct {
	Address string `json:"address"`
	// Status is null for an app named on the command line that has no
	// rollout.
	Status *rolloutspec.Status `json:"status"`
	// Sensitive is set, and Status null, when the rollout's words may
	// carry a secret (its strategy or status is sensitive).
	Sensitive bool `json:"sensitive,omitempty"`
}

// Intervals of `rollout status --watch`: a local state file is looked at
// (its size and time, no read) every watchLocal; a remote backend is read
// every watchRemote.
var (
	watchLocal  = 500 * time.Millisecond
	watchRemote = 2 * time.Second
)

// RolloutStatus runs `slipway rollout status [app.NAME...]`: where each
// app's rollout stands, from state, without the lock. With -watch it
// prints again each time that changes, until no rollout it shows is
// under way.
func (m *Meta) RolloutStatus(ctx context.Context, a RolloutStatusArgs) int {
	only, err := parseAddrs(a.Apps)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	for _, o := range only {
		if o.Resource.Kind != addrs.App {
			m.View.Error(fmt.Errorf("%s is not an app: slipway rollout status reports apps' rollouts, like slipway rollout status app.web", o))
			return 1
		}
	}
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	b, diags := m.backend(cfg)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	ws, _ := m.workspace()
	read := func() (RolloutStatusDocument, error) {
		st, _, err := readJournaled(ctx, b)
		if err != nil {
			return RolloutStatusDocument{}, err
		}
		return rolloutDocument(st, ws, only)
	}
	doc, err := read()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	last := m.renderRollouts(doc, a.JSON)
	m.View.Printf("%s", last)
	if !a.Watch {
		return 0
	}
	wait := stateWaiter(b)
	for underWay(doc) {
		if err := wait(ctx); err != nil {
			// Ctrl-C ends the watch, which changed nothing.
			return 0
		}
		if doc, err = read(); err != nil {
			m.View.Error(err)
			return 1
		}
		if out := m.renderRollouts(doc, a.JSON); out != last {
			if !a.JSON {
				m.View.Printf("\n%s\n", m.View.Bold("--- "+time.Now().Format("15:04:05")+" ---"))
			}
			m.View.Printf("%s", out)
			last = out
		}
	}
	return 0
}

// rolloutDocument collects the rollouts of the apps asked for, or of
// every app with a rollout in state.
func rolloutDocument(st *state.State, workspace string, only []addrs.ResourceInstance) (RolloutStatusDocument, error) {
	doc := RolloutStatusDocument{FormatVersion: RolloutStatusFormatVersion, Workspace: workspace, Rollouts: []rolloutJSON{}}
	if len(only) == 0 {
		for _, k := range st.SortedAddrs() {
			ri := st.Resources[k]
			if ri.Addr.Resource.Kind != addrs.App {
				continue
			}
			if plans.RolloutSensitive(ri.Sensitive) {
				doc.Rollouts = append(doc.Rollouts, rolloutJSON{Address: k, Sensitive: true})
				continue
			}
			rs, err := rolloutStatusOf(st, ri.Addr)
			if err != nil {
				return doc, fmt.Errorf("%s: %w", k, err)
			}
			if rs != nil {
				doc.Rollouts = append(doc.Rollouts, rolloutJSON{Address: k, Status: rs})
			}
		}
		return doc, nil
	}
	for _, o := range only {
		insts := []addrs.ResourceInstance{o}
		if st.Resources[o.String()] == nil && o.Key == addrs.NoKey {
			// app.web of an app with for_each or count: each instance.
			insts = nil
			for _, k := range st.SortedAddrs() {
				if ri := st.Resources[k]; ri.Addr.Resource == o.Resource {
					insts = append(insts, ri.Addr)
				}
			}
		}
		if len(insts) == 0 || st.Resources[insts[0].String()] == nil {
			return doc, fmt.Errorf("%s is not in the state: apply it first", o)
		}
		for _, in := range insts {
			if plans.RolloutSensitive(st.Resources[in.String()].Sensitive) {
				doc.Rollouts = append(doc.Rollouts, rolloutJSON{Address: in.String(), Sensitive: true})
				continue
			}
			rs, err := rolloutStatusOf(st, in)
			if err != nil {
				return doc, fmt.Errorf("%s: %w", in, err)
			}
			doc.Rollouts = append(doc.Rollouts, rolloutJSON{Address: in.String(), Status: rs})
		}
	}
	return doc, nil
}

// underWay reports whether a rollout of doc is progressing or paused.
func underWay(doc RolloutStatusDocument) bool {
	for _, r := range doc.Rollouts {
		if r.Status != nil && (r.Status.Phase == rolloutspec.PhaseProgressing || r.Status.Phase == rolloutspec.PhasePaused) {
			return true
		}
	}
	return false
}

// renderRollouts is doc for people, or as one line of JSON.
func (m *Meta) renderRollouts(doc RolloutStatusDocument, asJSON bool) string {
	var b bytes.Buffer
	if asJSON {
		data, _ := json.Marshal(doc)
		b.Write(append(data, '\n'))
		return b.String()
	}
	if len(doc.Rollouts) == 0 {
		return "No app in the state has a rollout.\n"
	}
	for i, r := range doc.Rollouts {
		if i > 0 {
			b.WriteString("\n")
		}
		m.printRollout(&b, r)
	}
	return b.String()
}

// printRollout writes one app's rollout for people.
func (m *Meta) printRollout(w io.Writer, r rolloutJSON) {
	fmt.Fprintf(w, "%s\n", m.View.Bold(r.Address))
	s := r.Status
	if r.Sensitive {
		fmt.Fprintf(w, "  Rollout:  (sensitive value)\n")
		return
	}
	if s == nil {
		fmt.Fprintf(w, "  No rollout: the app names none, or none has started.\n")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	name := s.Rollout
	if !strings.HasPrefix(name, "rollout.") {
		name = "rollout." + name // as the provider records it: "rollout.canary"
	}
	fmt.Fprintf(tw, "  Rollout:\t%s\n", name)
	fmt.Fprintf(tw, "  Strategy:\t%s\n", s.Strategy)
	fmt.Fprintf(tw, "  Workload:\t%s\n", s.Workload)
	fmt.Fprintf(tw, "  Phase:\t%s\n", s.Phase)
	if s.Revision != "" {
		rev := rolloutspec.Short(s.Revision)
		if s.Stable != "" && s.Stable != s.Revision {
			rev += " (stable " + rolloutspec.Short(s.Stable) + ")"
		}
		fmt.Fprintf(tw, "  Revision:\t%s\n", rev)
	}
	fmt.Fprintf(tw, "  Road:\t%s\n", s.Road())
	fmt.Fprintf(tw, "  Standing:\t%s\n", s.Standing())
	if s.Phase == rolloutspec.PhaseProgressing || s.Phase == rolloutspec.PhasePaused {
		fmt.Fprintf(tw, "  Replicas:\tstable %d, canary %d\n", s.StableReplicas, s.CanaryReplicas)
	}
	for i, run := range s.Analyses {
		label := ""
		if i == 0 {
			label = "Analyses:"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", label, run.Summary())
	}
	if s.Message != "" {
		fmt.Fprintf(tw, "  Message:\t%s\n", s.Message)
	}
	if next := rolloutNext(mustInstance(r.Address), s); next != "" && !m.InAutomation() {
		fmt.Fprintf(tw, "  Next:\t%s\n", next)
	}
	tw.Flush()
}

// mustInstance parses an address taken from state.
func mustInstance(s string) addrs.ResourceInstance {
	a, _ := addrs.ParseResourceInstance(s)
	return a
}

// stateWaiter returns a function that waits until the state may have
// changed, or ctx ends. A local state file is watched through its size
// and modification time, and its journal's, which costs no read; any
// other backend is read again every watchRemote.
func stateWaiter(b state.Backend) func(context.Context) error {
	sleep := func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	pb, ok := b.(interface{ Path() string })
	if !ok {
		return func(ctx context.Context) error { return sleep(ctx, watchRemote) }
	}
	paths := []string{pb.Path()}
	if jb, ok := b.(state.Journaled); ok {
		if jp, ok := jb.Journal().(interface{ Path() string }); ok {
			paths = append(paths, jp.Path())
		}
	}
	stamp := func() string {
		var s strings.Builder
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil {
				fmt.Fprintf(&s, "%d %d;", fi.Size(), fi.ModTime().UnixNano())
			} else {
				s.WriteString("-;")
			}
		}
		return s.String()
	}
	seen := stamp()
	return func(ctx context.Context) error {
		for {
			if err := sleep(ctx, watchLocal); err != nil {
				return err
			}
			if now := stamp(); now != seen {
				seen = now
				return nil
			}
		}
	}
}
