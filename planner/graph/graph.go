package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Graph is a directed graph of named nodes; an edge a -> b means a
// depends on b, so b runs first.
type Graph struct {
	nodes map[string]bool
	deps  map[string]map[string]bool
	order []string
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{nodes: map[string]bool{}, deps: map[string]map[string]bool{}}
}

// Add adds a node; adding a node twice is harmless.
func (g *Graph) Add(name string) {
	if !g.nodes[name] {
		g.nodes[name] = true
		g.order = append(g.order, name)
	}
}

// Has reports whether the node exists.
func (g *Graph) Has(name string) bool { return g.nodes[name] }

// Connect records that from depends on to. Both must have been added.
func (g *Graph) Connect(from, to string) {
	if from == to {
		return
	}
	m := g.deps[from]
	if m == nil {
		m = map[string]bool{}
		g.deps[from] = m
	}
	m[to] = true
}

// Nodes returns the node names in the order they were added.
func (g *Graph) Nodes() []string { return append([]string(nil), g.order...) }

// DependsOn returns the direct dependencies of name, sorted.
func (g *Graph) DependsOn(name string) []string {
	out := make([]string, 0, len(g.deps[name]))
	for d := range g.deps[name] {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Reverse returns a graph with every edge turned around: what depended on
// a node now runs before it (the order in which to destroy).
func (g *Graph) Reverse() *Graph {
	r := New()
	for _, n := range g.order {
		r.Add(n)
	}
	for from, tos := range g.deps {
		for to := range tos {
			r.Connect(to, from)
		}
	}
	return r
}

// Cycles returns every cycle of the graph, each as the path of node names
// around it, beginning and ending with the same node. It uses Tarjan's
// strongly connected components, so it costs O(nodes + edges).
func (g *Graph) Cycles() [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var cycles [][]string
	next := 0

	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.DependsOn(v) {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || g.deps[v][v] {
			cycles = append(cycles, g.cyclePath(comp))
		}
	}
	names := append([]string(nil), g.order...)
	sort.Strings(names)
	for _, n := range names {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	return cycles
}

// cyclePath finds a path through the component that starts and ends at
// its smallest name, for a readable message.
func (g *Graph) cyclePath(comp []string) []string {
	in := map[string]bool{}
	for _, c := range comp {
		in[c] = true
	}
	sort.Strings(comp)
	start := comp[0]
	path := []string{start}
	seen := map[string]bool{start: true}
	cur := start
	for {
		var next string
		for _, d := range g.DependsOn(cur) {
			if d == start {
				return append(path, start)
			}
			if in[d] && !seen[d] && next == "" {
				next = d
			}
		}
		if next == "" {
			return append(path, start)
		}
		seen[next] = true
		path = append(path, next)
		cur = next
	}
}

// FormatCycle renders a cycle path as "a -> b -> a".
func FormatCycle(path []string) string { return strings.Join(path, " -> ") }

// ErrSkipped is the result recorded for a node that did not run because a
// dependency failed.
var ErrSkipped = fmt.Errorf("skipped because a dependency failed")

// Walk calls fn for every node once all of the node's dependencies have
// finished without error. A node whose dependency failed or was skipped is
// skipped in turn. At most parallelism calls run at once (no bound when it
// is below 1). Walk returns each node's error (nil for success,
// ErrSkipped for skipped nodes). The graph must be acyclic.
func (g *Graph) Walk(ctx context.Context, parallelism int, fn func(ctx context.Context, name string) error) map[string]error {
	dependents := make(map[string][]string, len(g.nodes))
	waiting := make(map[string]int, len(g.nodes))
	for _, n := range g.order {
		waiting[n] = len(g.deps[n])
		for d := range g.deps[n] {
			dependents[d] = append(dependents[d], n)
		}
	}

	var (
		mu      sync.Mutex
		results = make(map[string]error, len(g.nodes))
		failed  = map[string]bool{}
		wg      sync.WaitGroup
	)
	var sem chan struct{}
	if parallelism > 0 {
		sem = make(chan struct{}, parallelism)
	}

	var start func(n string)
	// finish records n's result and starts the dependents it unblocked.
	// Called with mu held.
	var finish func(n string, err error)
	finish = func(n string, err error) {
		results[n] = err
		if err != nil {
			failed[n] = true
		}
		for _, d := range dependents[n] {
			if err != nil {
				failed[d] = true
			}
			waiting[d]--
			if waiting[d] == 0 {
				if failed[d] {
					finish(d, ErrSkipped)
				} else {
					start(d)
				}
			}
		}
	}
	start = func(n string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if sem != nil {
				select {
				case sem <- struct{}{}:
					defer func() { <-sem }()
				case <-ctx.Done():
					mu.Lock()
					finish(n, ctx.Err())
					mu.Unlock()
					return
				}
			}
			err := ctx.Err()
			if err == nil {
				err = fn(ctx, n)
			}
			mu.Lock()
			finish(n, err)
			mu.Unlock()
		}()
	}

	mu.Lock()
	for _, n := range g.order {
		if waiting[n] == 0 {
			start(n)
		}
	}
	mu.Unlock()
	wg.Wait()
	return results
}
