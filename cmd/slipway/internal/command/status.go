package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
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
	for _, o := range only {
		if o.Resource.Kind != addrs.App {
			m.View.Error(fmt.Errorf("%s is not an app; status reports apps, like slipway status app.web", o))
			return 1
		}
	}
	// Status only reads: no lock, like plan -lock=false.
	s := m.open(ctx, a.VarArgs, LockArgs{}, "status", 0)
	if s == nil {
		return 1
	}
	defer s.close()
	sts, diags := s.ctx.Status(ctx, only)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	if a.JSON {
		m.View.JSON(statusJSON(sts))
		return 0
	}
	if len(sts) == 0 {
		m.View.Printf("No apps in this configuration.\n")
		return 0
	}
	for i, st := range sts {
		if i > 0 {
			m.View.Printf("\n")
		}
		m.printStatus(st)
	}
	return 0
}

func (m *Meta) printStatus(st planner.AppStatus) {
	m.View.Printf("%s\n", m.View.Bold(st.Addr.String()))
	tw := tabwriter.NewWriter(m.View.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  Sync Status:\t%s\n", st.Sync)
	fmt.Fprintf(tw, "  Health Status:\t%s\n", st.Health)
	if st.Revision != "" {
		fmt.Fprintf(tw, "  Revision:\t%s\n", st.Revision)
	}
	if st.Message != "" {
		fmt.Fprintf(tw, "  Message:\t%s\n", st.Message)
	}
	tw.Flush()
	if len(st.Objects) > 0 {
		m.View.Printf("\n")
		tw = tabwriter.NewWriter(m.View.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  GROUP/VERSION\tKIND\tNAMESPACE\tNAME\tSTATUS\tHEALTH\tMESSAGE")
		for _, o := range st.Objects {
			gv, kind, ns, name := splitObjectID(o.ID)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", gv, kind, ns, name, o.Sync, o.Health, o.Message)
		}
		tw.Flush()
	}
	if len(st.History) > 0 {
		m.View.Printf("\n")
		tw = tabwriter.NewWriter(m.View.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tDATE\tREVISION\tRESULT")
		for i := len(st.History) - 1; i >= 0; i-- {
			h := st.History[i]
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", h.ID, h.Time.Local().Format("2006-01-02 15:04:05"), h.Revision, h.Result)
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
	hist, err := planner.History(st)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	rec, err := planner.RollbackRecord(hist[addr[0].String()], n)
	if err != nil {
		m.View.Error(fmt.Errorf("cannot roll back %s: %w", addr[0], err))
		return 1
	}
	m.View.Printf("Rolling %s back to sync %d (revision %s of %s).\n\n", addr[0], rec.ID, rec.Revision, rec.Time.Local().Format("2006-01-02 15:04:05"))
	a.rollback = map[string]planner.SyncRecord{addr[0].String(): rec}
	a.Targets = []string{addr[0].String()}
	return m.Apply(ctx, a)
}

// statusJSON is the documented shape of `slipway status -json`.
func statusJSON(sts []planner.AppStatus) any {
	type object struct {
		ID      string `json:"id"`
		Sync    string `json:"sync"`
		Health  string `json:"health"`
		Message string `json:"message,omitempty"`
	}
	type app struct {
		Address  string               `json:"address"`
		Sync     string               `json:"sync"`
		Health   string               `json:"health"`
		Message  string               `json:"message,omitempty"`
		Revision string               `json:"revision,omitempty"`
		Objects  []object             `json:"objects"`
		History  []planner.SyncRecord `json:"history"`
	}
	out := struct {
		FormatVersion string `json:"format_version"`
		Apps          []app  `json:"apps"`
	}{FormatVersion: "1.0", Apps: []app{}}
	for _, st := range sts {
		a := app{Address: st.Addr.String(), Sync: st.Sync, Health: st.Health, Message: st.Message, Revision: st.Revision, Objects: []object{}, History: st.History}
		if a.History == nil {
			a.History = []planner.SyncRecord{}
		}
		for _, o := range st.Objects {
			a.Objects = append(a.Objects, object{ID: o.ID, Sync: o.Sync, Health: o.Health, Message: o.Message})
		}
		out.Apps = append(out.Apps, a)
	}
	return out
}
