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

package planner

import (
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// Dependencies is the configuration's dependency graph as plan and apply
// walk it, built without starting a provider: for every node's name
// (file.a, local.x, provider.kubernetes, output.y), the names of the
// nodes it depends on, the implicit edges from a source's readers to the
// blocks that write it included.
func Dependencies(cfg *lang.Config) (map[string][]string, hcl.Diagnostics) {
	w := newWalker(&Context{Config: cfg, State: state.NewState()})
	need, diags := w.neededProviders(true)
	// buildGraph takes its provider nodes from the started providers;
	// here none is started, so the ones needed stand in.
	w.conns = make(map[addrs.Provider]*providerConn, len(need))
	for p := range need {
		w.conns[p] = nil
	}
	g, d := w.buildGraph(true)
	diags = append(diags, d...)
	out := make(map[string][]string, len(g.Nodes()))
	for _, n := range g.Nodes() {
		deps := g.DependsOn(n)
		names := make([]string, len(deps))
		for i, dn := range deps {
			names[i] = dn.String()
		}
		out[n.String()] = names
	}
	return out, diags
}
