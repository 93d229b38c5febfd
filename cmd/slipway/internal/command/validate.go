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
	"context"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/policy"
	"slipway.dev/slipway/state/encryption"
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
			// slipway.workspace is the selected workspace's name, as
			// in plan; an unreadable selection is no configuration error.
			ws, _ := m.workspace()
			pc := &planner.Context{Config: cfg, State: emptyState(), Providers: set, Version: m.Version, Workspace: ws}
			diags = append(diags, pc.Validate(ctx)...)
			set.Close()
		}
		diags = append(diags, encryption.Validate(cfg.Slipway.Encryption)...)
		_, pd := policy.Compile(lang.SortedPolicies(cfg.Policies), cfg.Files)
		diags = append(diags, pd...)
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
