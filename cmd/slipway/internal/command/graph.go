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
	"fmt"
	"sort"
	"strings"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
)

// GraphArgs are graph's flags.
type GraphArgs struct {
	Format string // "dot" or "mermaid"
}

// Graph runs `slipway graph`: the dependency graph of the configuration's
// blocks as plan and apply walk it, with the variables they read; no
// provider runs.
func (m *Meta) Graph(_ context.Context, a GraphArgs) int {
	cfg, diags := m.loadConfig()
	if !diags.HasErrors() {
		diags = append(diags, cfg.CheckReferences()...)
	}
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	// The engine's graph, as plan and apply walk it; variables are added
	// for the reader, since they are inputs every block may refer to.
	deps, d := planner.Dependencies(cfg)
	if d.HasErrors() {
		m.View.Diagnostics(d)
		return 1
	}
	edges := map[string]map[string]bool{}
	nodes := map[string]bool{}
	connect := func(from, to string) {
		nodes[from], nodes[to] = true, true
		if edges[from] == nil {
			edges[from] = map[string]bool{}
		}
		edges[from][to] = true
	}
	for from, tos := range deps {
		nodes[from] = true
		for _, to := range tos {
			connect(from, to)
		}
	}
	vars := func(from string, refs []*addrs.Reference) {
		for _, r := range refs {
			if v, ok := r.Subject.(addrs.InputVariable); ok {
				connect(from, v.String())
			}
		}
	}
	for _, rc := range cfg.Resources {
		refs, _ := rc.References()
		vars(rc.Addr.String(), refs)
	}
	for n, l := range cfg.Locals {
		refs, _ := lang.ReferencesInExpr(l.Expr)
		vars("local."+n, refs)
	}
	for n, o := range cfg.Outputs {
		refs, _ := o.References()
		vars("output."+n, refs)
	}
	for _, p := range cfg.Providers {
		if nodes[p.Addr().String()] {
			refs, _ := p.References()
			vars(p.Addr().String(), refs)
		}
	}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	switch a.Format {
	case "mermaid":
		b.WriteString("flowchart RL\n")
		ids := map[string]string{}
		for i, n := range names {
			ids[n] = fmt.Sprintf("n%d", i)
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", ids[n], n)
		}
		for _, n := range names {
			for _, to := range sortedSet(edges[n]) {
				fmt.Fprintf(&b, "  %s --> %s\n", ids[n], ids[to])
			}
		}
	case "", "dot":
		b.WriteString("digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  rankdir = \"RL\"\n")
		for _, n := range names {
			fmt.Fprintf(&b, "  %q [label=%q, shape=%s]\n", n, n, shapeOf(n))
		}
		for _, n := range names {
			for _, to := range sortedSet(edges[n]) {
				fmt.Fprintf(&b, "  %q -> %q\n", n, to)
			}
		}
		b.WriteString("}\n")
	default:
		m.View.Error(fmt.Errorf("unknown graph format %q: use -format=dot or -format=mermaid", a.Format))
		return 1
	}
	m.View.Printf("%s", b.String())
	return 0
}

func shapeOf(n string) string {
	switch {
	case strings.HasPrefix(n, "provider."):
		return "diamond"
	case strings.HasPrefix(n, "var."), strings.HasPrefix(n, "local."), strings.HasPrefix(n, "output."):
		return "note"
	}
	return "box"
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
