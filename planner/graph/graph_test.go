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
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func build(edges ...[2]name) *Graph[name] {
	g := New[name]()
	for _, e := range edges {
		g.Add(e[0])
		g.Add(e[1])
	}
	for _, e := range edges {
		g.Connect(e[0], e[1])
	}
	return g
}

func TestCycles(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		edges [][2]name
		want  [][]name
	}{
		"acyclic":  {edges: [][2]name{{"a", "b"}, {"b", "c"}}, want: nil},
		"two":      {edges: [][2]name{{"a", "b"}, {"b", "a"}}, want: [][]name{{"a", "b", "a"}}},
		"three":    {edges: [][2]name{{"x", "a"}, {"a", "b"}, {"b", "c"}, {"c", "a"}}, want: [][]name{{"a", "b", "c", "a"}}},
		"two sccs": {edges: [][2]name{{"a", "b"}, {"b", "a"}, {"c", "d"}, {"d", "c"}}, want: [][]name{{"a", "b", "a"}, {"c", "d", "c"}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := build(tt.edges...).Cycles()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Cycles() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalkOrderAndSkip(t *testing.T) {
	t.Parallel()
	// d depends on b and c; b and c depend on a; e depends on d; f is alone.
	g := build([2]name{"b", "a"}, [2]name{"c", "a"}, [2]name{"d", "b"}, [2]name{"d", "c"}, [2]name{"e", "d"})
	g.Add("f")
	var mu sync.Mutex
	done := map[name]bool{}
	boom := errors.New("boom")
	res := g.Walk(context.Background(), 2, func(_ context.Context, n name) error {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range g.DependsOn(n) {
			if !done[d] {
				t.Errorf("%s ran before its dependency %s", n, d)
			}
		}
		done[n] = true
		if n == "c" {
			return boom
		}
		return nil
	})
	want := map[name]error{"a": nil, "b": nil, "c": boom, "d": ErrSkipped, "e": ErrSkipped, "f": nil}
	if diff := cmp.Diff(fmt.Sprint(want), fmt.Sprint(res)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if done["d"] || done["e"] {
		t.Errorf("dependents of a failed node ran")
	}
}

func TestWalkParallelismBound(t *testing.T) {
	t.Parallel()
	g := New[name]()
	for i := range 50 {
		g.Add(name(fmt.Sprint(i)))
	}
	var mu sync.Mutex
	cur, peak := 0, 0
	g.Walk(context.Background(), 3, func(context.Context, name) error {
		mu.Lock()
		cur++
		peak = max(peak, cur)
		mu.Unlock()
		for range 1000 {
		}
		mu.Lock()
		cur--
		mu.Unlock()
		return nil
	})
	if peak > 3 {
		t.Errorf("peak concurrency %d, want at most 3", peak)
	}
}

func BenchmarkWalk10k(b *testing.B) {
	g := New[name]()
	for i := range 10000 {
		g.Add(name(fmt.Sprint(i)))
		if i > 0 {
			g.Connect(name(fmt.Sprint(i)), name(fmt.Sprint(i/2)))
		}
	}
	for b.Loop() {
		g.Walk(context.Background(), 10, func(context.Context, name) error { return nil })
	}
}

// name is a string node key for the tests.
type name string

func (n name) String() string { return string(n) }

// TestWalkNeverLeavesANodeOutInSilence: a node that depends on one the
// graph does not have, or that waits on a cycle, could never run. Walk
// gives it, and what waits on it, a result that says so (ErrNotRun, then
// ErrSkipped), instead of no result at all, which callers took for
// success: an apply left changes undone and said it was complete.
func TestWalkNeverLeavesANodeOutInSilence(t *testing.T) {
	t.Parallel()
	g := build([2]name{"b", "a"}, [2]name{"c", "b"})
	g.Connect("b", "ghost") // never added
	g.Add("x")
	g.Add("y")
	g.Connect("x", "y")
	g.Connect("y", "x")
	var mu sync.Mutex
	ran := map[name]bool{}
	res := g.Walk(context.Background(), 0, func(_ context.Context, n name) error {
		mu.Lock()
		defer mu.Unlock()
		ran[n] = true
		return nil
	})
	if !ran["a"] || ran["b"] || ran["c"] || ran["x"] || ran["y"] {
		t.Errorf("ran %v; want a alone", ran)
	}
	for _, n := range []name{"b", "x", "y"} {
		if !errors.Is(res[n], ErrNotRun) {
			t.Errorf("%s: result %v, want ErrNotRun", n, res[n])
		}
	}
	if res["a"] != nil || !errors.Is(res["c"], ErrSkipped) || len(res) != 5 {
		t.Errorf("results %v; want a done, c skipped, every node with a result", res)
	}
}
