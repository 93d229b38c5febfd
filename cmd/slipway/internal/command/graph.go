package command

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
)

// GraphArgs are graph's flags.
type GraphArgs struct {
	Format string // "dot" or "mermaid"
}

// Graph runs `slipway graph`: the dependency graph of the configuration's
// blocks, from references alone (no provider runs).
func (m *Meta) Graph(_ context.Context, a GraphArgs) int {
	cfg, diags := m.loadConfig()
	if !diags.HasErrors() {
		diags = append(diags, cfg.CheckReferences()...)
	}
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	edges := map[string]map[string]bool{}
	nodes := map[string]bool{}
	add := func(from string, refs []*addrs.Reference) {
		nodes[from] = true
		for _, r := range refs {
			to := ""
			switch s := r.Subject.(type) {
			case addrs.Resource:
				to = s.String()
			case addrs.ResourceInstance:
				to = s.Resource.String()
			case addrs.LocalValue, addrs.InputVariable:
				to = s.String()
			}
			if to == "" || to == from {
				continue
			}
			nodes[to] = true
			if edges[from] == nil {
				edges[from] = map[string]bool{}
			}
			edges[from][to] = true
		}
	}
	for _, rc := range cfg.Resources {
		refs, _ := rc.References()
		add(rc.Addr.String(), refs)
		if rc.Addr.Kind == addrs.Managed || rc.Addr.Kind == addrs.Source {
			add(rc.Addr.String(), nil)
			nodes[rc.Provider.String()] = true
			if edges[rc.Addr.String()] == nil {
				edges[rc.Addr.String()] = map[string]bool{}
			}
			edges[rc.Addr.String()][rc.Provider.String()] = true
		}
	}
	for n, l := range cfg.Locals {
		refs, _ := lang.ReferencesInExpr(l.Expr)
		add("local."+n, refs)
	}
	for n, o := range cfg.Outputs {
		refs, _ := o.References()
		add("output."+n, refs)
	}
	for _, p := range cfg.Providers {
		refs, _ := p.References()
		add(p.Addr().String(), refs)
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
