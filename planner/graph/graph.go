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

package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Node is a graph node's key: comparable, and named for cycle reports
// and for ordering, which follows the names.
type Node interface {
	comparable
	String() string
}

// sortNodes orders nodes by name, for stable output.
func sortNodes[N Node](ns []N) {
	sort.Slice(ns, func(i, j int) bool { return ns[i].String() < ns[j].String() })
}

// Graph is a directed graph of named nodes; an edge a -> b means a
// depends on b, so b runs first.
type Graph[N Node] struct {
	nodes map[N]bool
	deps  map[N]map[N]bool
	order []N
}

// New returns an empty graph.
func New[N Node]() *Graph[N] {
	return &Graph[N]{nodes: map[N]bool{}, deps: map[N]map[N]bool{}}
}

// Add adds a node; adding a node twice is harmless.
func (g *Graph[N]) Add(name N) {
	if !g.nodes[name] {
		g.nodes[name] = true
		g.order = append(g.order, name)
	}
}

// Has reports whether the node exists.
func (g *Graph[N]) Has(name N) bool { return g.nodes[name] }

// Connect records that from depends on to. Both must have been added.
func (g *Graph[N]) Connect(from, to N) {
	if from == to {
		return
	}
	m := g.deps[from]
	if m == nil {
		m = map[N]bool{}
		g.deps[from] = m
	}
	m[to] = true
}

// Nodes returns the node names in the order they were added.
func (g *Graph[N]) Nodes() []N { return append([]N(nil), g.order...) }

// DependsOn returns the direct dependencies of name, sorted.
func (g *Graph[N]) DependsOn(name N) []N {
	out := make([]N, 0, len(g.deps[name]))
	for d := range g.deps[name] {
		out = append(out, d)
	}
	sortNodes(out)
	return out
}

// Reverse returns a graph with every edge turned around: what depended on
// a node now runs before it (the order in which to destroy).
func (g *Graph[N]) Reverse() *Graph[N] {
	r := New[N]()
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
func (g *Graph[N]) Cycles() [][]N {
	index := map[N]int{}
	low := map[N]int{}
	onStack := map[N]bool{}
	var stack []N
	var cycles [][]N
	next := 0

	var strong func(v N)
	strong = func(v N) {
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
		var comp []N
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
	names := append([]N(nil), g.order...)
	sortNodes(names)
	for _, n := range names {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	return cycles
}

// cyclePath finds a path through the component that starts and ends at
// its smallest name, for a readable message.
func (g *Graph[N]) cyclePath(comp []N) []N {
	in := map[N]bool{}
	for _, c := range comp {
		in[c] = true
	}
	sortNodes(comp)
	start := comp[0]
	path := []N{start}
	seen := map[N]bool{start: true}
	cur := start
	for {
		var next N
		found := false
		for _, d := range g.DependsOn(cur) {
			if d == start {
				return append(path, start)
			}
			if in[d] && !seen[d] && !found {
				next, found = d, true
			}
		}
		if !found {
			return append(path, start)
		}
		seen[next] = true
		path = append(path, next)
		cur = next
	}
}

// FormatCycle renders a cycle path as "a -> b -> a".
func FormatCycle[N Node](path []N) string {
	names := make([]string, len(path))
	for i, n := range path {
		names[i] = n.String()
	}
	return strings.Join(names, " -> ")
}

// ErrSkipped is the result recorded for a node that did not run because a
// dependency failed.
var ErrSkipped = fmt.Errorf("skipped because a dependency failed")

// ErrNotRun is wrapped by the result of a node that could never run: it
// depends on a node the graph does not have, or waits on a cycle. That is
// a mistake of whoever built the graph, which callers must report: the
// node's own function never ran to say anything.
var ErrNotRun = fmt.Errorf("not run")

// Walk calls fn for every node once all of the node's dependencies have
// finished without error. A node whose dependency failed or was skipped is
// skipped in turn. At most parallelism calls run at once (no bound when it
// is below 1). Walk returns each node's error (nil for success,
// ErrSkipped for skipped nodes, one wrapping ErrNotRun for a node that
// depends on one the graph lacks or waits on a cycle). The graph must be
// acyclic.
func (g *Graph[N]) Walk(ctx context.Context, parallelism int, fn func(ctx context.Context, name N) error) map[N]error {
	dependents := make(map[N][]N, len(g.nodes))
	waiting := make(map[N]int, len(g.nodes))
	// A node that depends on one the graph does not have could never
	// run: it fails, rather than being left out in silence.
	broken := map[N]error{}
	for _, n := range g.order {
		for d := range g.deps[n] {
			if !g.nodes[d] {
				broken[n] = fmt.Errorf("%w: %v depends on %v, which is not in the graph", ErrNotRun, n, d)
				continue
			}
			waiting[n]++
			dependents[d] = append(dependents[d], n)
		}
	}

	var (
		mu      sync.Mutex
		results = make(map[N]error, len(g.nodes))
		failed  = map[N]bool{}
		wg      sync.WaitGroup
	)
	var sem chan struct{}
	if parallelism > 0 {
		sem = make(chan struct{}, parallelism)
	}

	var start func(n N)
	// finish records n's result and starts the dependents it unblocked.
	// Called with mu held.
	var finish func(n N, err error)
	finish = func(n N, err error) {
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
				switch {
				case broken[d] != nil:
					finish(d, broken[d])
				case failed[d]:
					finish(d, ErrSkipped)
				default:
					start(d)
				}
			}
		}
	}
	start = func(n N) {
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
		switch {
		case waiting[n] != 0:
		case broken[n] != nil:
			finish(n, broken[n])
		default:
			start(n)
		}
	}
	mu.Unlock()
	wg.Wait()
	// Every node has a result: one left waiting (in a cycle) did not
	// run, and says so.
	for _, n := range g.order {
		if _, ok := results[n]; !ok {
			results[n] = fmt.Errorf("%w: %v waits on a cycle of dependencies", ErrNotRun, n)
		}
	}
	return results
}
