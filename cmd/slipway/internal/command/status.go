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
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/hcl/v2"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/internal/termtext"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	appkind "slipway.dev/slipway/planner/app"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// StatusArgs are status's flags.
type StatusArgs struct {
	VarArgs
	Apps []string
	JSON bool
}

// Status runs `slipway status [app.NAME...]`: each app's sync status
// against the live cluster and its sources, its health and its objects',
// and its recent syncs, like `argocd app get`.
func (m *Meta) Status(ctx context.Context, a StatusArgs) int {
	only, err := parseAddrs(a.Apps)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	var apps, pipelines []addrs.ResourceInstance
	for _, o := range only {
		switch o.Resource.Kind {
		case addrs.App:
			apps = append(apps, o)
		case addrs.Pipeline:
			pipelines = append(pipelines, o)
		default:
			m.View.Error(fmt.Errorf("%s is neither an app nor a pipeline; status reports those, like slipway status app.web pipeline.web", o))
			return 1
		}
	}
	// Status only reads: no lock, like plan -lock=false.
	s := m.open(ctx, a.VarArgs, LockArgs{}, "status", 0)
	if s == nil {
		return 1
	}
	defer s.close()
	// failed: an error was reported, yet what could be shown is shown.
	failed := false
	var sts []appStatus
	if len(apps) > 0 || len(only) == 0 {
		if len(only) == 0 {
			for _, rc := range s.ctx.Config.Resources {
				if rc.Addr.Kind == addrs.App {
					apps = append(apps, rc.Addr.Instance(addrs.NoKey))
				}
			}
		}
		st, diags := s.ctx.Status(ctx, apps)
		m.View.Diagnostics(diags)
		if diags.HasErrors() {
			return 1
		}
		hist, err := appkind.History(s.ctx.State)
		if err != nil {
			m.View.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unreadable history", Detail: err.Error()}})
			failed = true
		}
		for _, x := range st {
			sts = append(sts, appStatus{Status: x, History: hist[x.Addr.String()]})
		}
	}
	code := 0
	if failed {
		code = 1
	}
	if a.JSON {
		m.View.JSON(statusJSON(s.ctx.Workspace, sts))
		return code
	}
	runs, err := pipelineRuns(s.ctx.State, pipelines, len(only) == 0)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s %s\n\n", m.View.Bold("Workspace:"), s.ctx.Workspace)
	if len(sts) == 0 && len(runs) == 0 {
		m.View.Printf("No apps or pipelines in this configuration.\n")
		return code
	}
	// The apps' tables are written in one piece: at 1,000 apps they are
	// 23,000 lines, which tabwriter would hand over cell by cell.
	var out bytes.Buffer
	for i, st := range sts {
		if i > 0 {
			out.WriteString("\n")
		}
		m.printStatus(&out, st)
	}
	m.View.Printf("%s", out.String())
	for i, r := range runs {
		if i > 0 || len(sts) > 0 {
			m.View.Printf("\n")
		}
		m.printPipeline(r)
	}
	return code
}

// pipelineRun is what state records of a pipeline, for status.
type pipelineRun struct {
	addr  string
	value cty.Value
}

// pipelineRuns returns the state entries of the pipelines asked for, or of
// every pipeline when all is set.
func pipelineRuns(st *state.State, want []addrs.ResourceInstance, all bool) ([]pipelineRun, error) {
	var out []pipelineRun
	if all {
		for _, k := range st.SortedAddrs() {
			if ri := st.Resources[k]; ri.Addr.Resource.Kind == addrs.Pipeline {
				out = append(out, pipelineRun{k, ri.Value})
			}
		}
		return out, nil
	}
	for _, w := range want {
		ri := st.Resources[w.String()]
		if ri == nil {
			return nil, fmt.Errorf("%s has no runs in state: apply it first", w)
		}
		out = append(out, pipelineRun{w.String(), ri.Value})
	}
	return out, nil
}

// printPipeline prints a pipeline's last run and its last successful one,
// like a CI system's build page.
func (m *Meta) printPipeline(p pipelineRun) {
	// What state records is shown escaped (termtext): it may be shared,
	// and written by others.
	esc := termtext.Printable
	m.View.Printf("%s\n", m.View.Bold(esc(p.addr)))
	tw := tabwriter.NewWriter(m.View.Stdout, 0, 4, 2, ' ', 0)
	run := attr(p.value, "run")
	if !run.IsNull() {
		line := "#" + str(attr(run, "number")) + " " + str(attr(run, "status"))
		if fs := str(attr(run, "failed_stage")); fs != "" {
			line += fmt.Sprintf(" at stage %q", fs)
		}
		fmt.Fprintf(tw, "  Last Run:\t%s\n", esc(line))
		fmt.Fprintf(tw, "  Commit:\t%s\n", esc(str(attr(run, "commit"))))
		fmt.Fprintf(tw, "  Started:\t%s\n", esc(str(attr(run, "started"))))
		if f := str(attr(run, "finished")); f != "" {
			fmt.Fprintf(tw, "  Finished:\t%s\n", esc(f))
		}
		fmt.Fprintf(tw, "  Logs:\t%s (slipway logs %s)\n", esc(str(attr(run, "log_dir"))), esc(p.addr))
	}
	if c := str(attr(p.value, "commit")); c != "" {
		fmt.Fprintf(tw, "  Last Success:\tcommit %s\n", esc(c))
	}
	if imgs := attr(p.value, "image"); !imgs.IsNull() && imgs.IsKnown() && imgs.LengthInt() > 0 {
		m := imgs.AsValueMap()
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(tw, "  Image %s:\t%s\n", esc(name), esc(str(attr(m[name], "ref"))))
		}
	}
	tw.Flush()
	if stages := attr(run, "stages"); !stages.IsNull() && stages.IsKnown() && stages.LengthInt() > 0 {
		m.View.Printf("\n")
		tw = tabwriter.NewWriter(m.View.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  STAGE\tSTATUS\tATTEMPTS\tDURATION\n")
		for _, s := range stages.AsValueSlice() {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", esc(str(attr(s, "name"))), esc(str(attr(s, "status"))), esc(str(attr(s, "attempts"))), esc(str(attr(s, "duration"))))
		}
		tw.Flush()
	}
}

// appStatus is an app's status with its recorded syncs.
type appStatus struct {
	planner.Status
	History []appkind.SyncRecord
}

// printStatus writes an app's status for people. Its messages, and every
// other text the cluster, a provider or state gave, are escaped
// (termtext.Printable, one line each, as a table cell is): an object's
// status condition is written by whoever can write the object, and must
// not move the terminal, set its clipboard or rewrite what is shown.
func (m *Meta) printStatus(w io.Writer, st appStatus) {
	esc := termtext.Printable
	fmt.Fprintf(w, "%s\n", m.View.Bold(esc(st.Addr.String())))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  Sync Status:\t%s\n", esc(st.Sync))
	fmt.Fprintf(tw, "  Health Status:\t%s\n", esc(st.Health))
	if st.Revision != "" {
		fmt.Fprintf(tw, "  Revision:\t%s\n", esc(st.Revision))
	}
	if st.Message != "" {
		fmt.Fprintf(tw, "  Message:\t%s\n", esc(st.Message))
	}
	fmt.Fprintf(tw, "  Rollout:\t%s\n", RolloutShort(st.Rollout))
	tw.Flush()
	if len(st.Objects) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  GROUP/VERSION\tKIND\tNAMESPACE\tNAME\tSTATUS\tHEALTH\tMESSAGE")
		for _, o := range st.Objects {
			gv, kind, ns, name := splitObjectID(o.ID)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", esc(gv), esc(kind), esc(ns), esc(name), esc(o.Sync), esc(o.Health), esc(o.Message))
		}
		tw.Flush()
	}
	if len(st.History) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tDATE\tREVISION\tRESULT")
		for i := len(st.History) - 1; i >= 0; i-- {
			h := st.History[i]
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", h.ID, h.Time.Local().Format("2006-01-02 15:04:05"), esc(h.Revision), esc(h.Result))
		}
		tw.Flush()
	}
}

// splitObjectID splits "apps/v1 Deployment web/web" into its parts.
func splitObjectID(id string) (gv, kind, ns, name string) {
	f := strings.Fields(id)
	if len(f) != 3 {
		return "", id, "", ""
	}
	gv, kind = f[0], f[1]
	ns, name, _ = strings.Cut(f[2], "/")
	return gv, kind, ns, name
}

// Rollback runs `slipway rollback app.NAME [ID]`: a plan (and, once
// confirmed, an apply) that syncs the app to a recorded earlier sync —
// the previous successful one of another revision, or the one with ID.
func (m *Meta) Rollback(ctx context.Context, a ApplyArgs, app string, id string) int {
	if a.JSON {
		// Its own errors are events too; Apply goes on in the same stream.
		m.View.StartStream(m.Version)
	}
	addr, err := parseAddrs([]string{app})
	if err != nil || addr[0].Resource.Kind != addrs.App {
		m.View.Error(fmt.Errorf("rollback takes an app address, like slipway rollback app.web"))
		return 1
	}
	n := 0
	if id != "" {
		if n, err = strconv.Atoi(id); err != nil || n < 1 {
			m.View.Error(fmt.Errorf("the history id must be a whole number from slipway status, not %q", id))
			return 1
		}
	}
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	hist, err := appkind.History(st)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	rec, err := appkind.RollbackRecord(hist[addr[0].String()], n)
	if err != nil {
		m.View.Error(fmt.Errorf("cannot roll back %s: %w", addr[0], err))
		return 1
	}
	// With -json, standard output is for events: say it on standard error.
	say := m.View.Printf
	if a.JSON {
		say = m.View.Eprintf
	}
	say("Rolling %s back to sync %d (revision %s of %s).\n\n", addr[0], rec.ID, termtext.Printable(rec.Revision), rec.Time.Local().Format("2006-01-02 15:04:05"))
	a.pins = map[string]kind.Pin{addr[0].String(): appkind.Pin(rec)}
	a.Targets = []string{addr[0].String()}
	return m.Apply(ctx, a)
}

// StatusFormatVersion is the version of `slipway status -json`'s
// document, whose schema is website/schema/status.schema.json: minor for
// additions, major for breaks.
const StatusFormatVersion = "1.3"

// StatusDocument is the documented shape of `slipway status -json`.
type StatusDocument struct {
	FormatVersion string          `json:"format_version"`
	Workspace     string          `json:"workspace"`
	Apps          []statusAppJSON `json:"apps"`
}

type statusAppJSON struct {
	Address  string               `json:"address"`
	Sync     string               `json:"sync"`
	Health   string               `json:"health"`
	Message  string               `json:"message,omitempty"`
	Revision string               `json:"revision,omitempty"`
	Objects  []statusObjectJSON   `json:"objects"`
	History  []appkind.SyncRecord `json:"history"`
	// Rollout is where the app's rollout stands; absent without one.
	Rollout *statusRolloutJSON `json:"rollout,omitempty"`
}

// statusRolloutJSON is an app's rollout status as the provider recorded
// it, with the words status prints.
type statusRolloutJSON struct {
	rolloutspec.Status
	// Summary is the short form: "Paused 5/6 weight 50%", "Healthy",
	// "Degraded: aborted abc123def0".
	Summary string `json:"summary"`
	// Road is the steps in one line, the step under way in brackets.
	Road string `json:"road"`
	// Standing says where the rollout stands in a sentence.
	Standing string `json:"standing"`
}

type statusObjectJSON struct {
	ID      string `json:"id"`
	Sync    string `json:"sync"`
	Health  string `json:"health"`
	Message string `json:"message,omitempty"`
}

// statusJSON is the StatusDocument of the apps' statuses.
func statusJSON(workspace string, sts []appStatus) StatusDocument {
	out := StatusDocument{FormatVersion: StatusFormatVersion, Workspace: workspace, Apps: []statusAppJSON{}}
	for _, st := range sts {
		a := statusAppJSON{Address: st.Addr.String(), Sync: st.Sync, Health: st.Health, Message: st.Message, Revision: st.Revision, Objects: []statusObjectJSON{}, History: st.History}
		if a.History == nil {
			a.History = []appkind.SyncRecord{}
		}
		for _, o := range st.Objects {
			a.Objects = append(a.Objects, statusObjectJSON{ID: o.ID, Sync: o.Sync, Health: o.Health, Message: o.Message})
		}
		if r := st.Rollout; r != nil {
			a.Rollout = &statusRolloutJSON{Status: *r, Summary: RolloutShort(r), Road: r.Road(), Standing: r.Standing()}
			if a.Rollout.Steps == nil {
				a.Rollout.Steps = []string{}
			}
		}
		out.Apps = append(out.Apps, a)
	}
	return out
}

// RolloutShort is a rollout's phase and standing in a few words, for a
// column: "Paused 5/6 weight 50%", "Degraded: aborted abc123def0",
// "Healthy", or "-" without a rollout.
func RolloutShort(s *rolloutspec.Status) string {
	switch {
	case s == nil:
		return "-"
	case s.Phase == rolloutspec.PhaseDegraded:
		rev := s.Aborted
		if len(rev) > 10 {
			rev = rev[:10]
		}
		return "Degraded: aborted " + rev
	case s.Phase == rolloutspec.PhaseProgressing, s.Phase == rolloutspec.PhasePaused:
		return fmt.Sprintf("%s %d/%d weight %d%%", s.Phase, s.Step+1, len(s.Steps), s.Weight)
	case s.Phase == "":
		return "-"
	}
	return s.Phase
}
