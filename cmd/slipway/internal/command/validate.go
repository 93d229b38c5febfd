package command

import (
	"context"

	"slipway.dev/slipway/planner"
)

// ValidateArgs are validate's flags.
type ValidateArgs struct {
	JSON bool
}

// Validate runs `slipway validate`.
func (m *Meta) Validate(ctx context.Context, a ValidateArgs) int {
	cfg, diags := m.loadConfig()
	if !diags.HasErrors() {
		set, d := m.providerSet()
		diags = append(diags, d...)
		if !d.HasErrors() {
			pc := &planner.Context{Config: cfg, State: emptyState(), Providers: set, Version: m.Version}
			diags = append(diags, pc.Validate(ctx)...)
			set.Close()
		}
	}
	if a.JSON {
		m.View.DiagnosticsJSON(diags)
	} else {
		m.View.Diagnostics(diags)
		if !diags.HasErrors() {
			m.View.Printf("%s The configuration is valid.\n", m.View.Green("Success!"))
		}
	}
	if diags.HasErrors() {
		return 1
	}
	return 0
}
