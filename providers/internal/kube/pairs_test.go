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

package kube

import (
	"slices"
	"testing"
)

func TestPairByName(t *testing.T) {
	for _, tc := range []struct {
		name          string
		shape, live   []string
		pairs         []int
		ordered, ok   bool
		order         []int
		matchAllFound bool // MatchPaired with every pair matching
	}{
		{name: "same order pairs by position", shape: []string{"a", "b"}, live: []string{"a", "b", "c"}},
		{name: "empty", shape: nil, live: []string{"a"}},
		{name: "another writer's element ahead", shape: []string{"app"}, live: []string{"debug", "app"},
			pairs: []int{1}, ordered: true, ok: true, order: []int{0}, matchAllFound: true},
		{name: "one gone", shape: []string{"a", "b"}, live: []string{"x", "b"},
			pairs: []int{-1, 1}, ordered: true, ok: true, order: []int{1}},
		{name: "reordered", shape: []string{"a", "b"}, live: []string{"b", "a"},
			pairs: []int{1, 0}, ordered: false, ok: true, order: []int{1, 0}},
		{name: "unnamed live element", shape: []string{"a"}, live: []string{"", "a"}},
		{name: "unnamed shape element", shape: []string{"", "a"}, live: []string{"a", "b"}},
		{name: "duplicate live names", shape: []string{"a"}, live: []string{"b", "b", "a"}},
		{name: "duplicate shape names", shape: []string{"a", "a"}, live: []string{"b", "a"}},
		{name: "non-ASCII name", shape: []string{"é"}, live: []string{"x", "é"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pairs, ordered, ok := PairByName(len(tc.shape), len(tc.live), func(i int) string { return tc.shape[i] }, func(j int) string { return tc.live[j] })
			if ok != tc.ok || ordered != tc.ordered || !slices.Equal(pairs, tc.pairs) {
				t.Fatalf("PairByName = %v, %v, %v; want %v, %v, %v", pairs, ordered, ok, tc.pairs, tc.ordered, tc.ok)
			}
			if !ok {
				return
			}
			if got := LiveOrder(pairs); !slices.Equal(got, tc.order) {
				t.Errorf("LiveOrder = %v, want %v", got, tc.order)
			}
			var asked [][2]int
			got := MatchPaired(pairs, ordered, func(i, j int) bool {
				asked = append(asked, [2]int{i, j})
				return tc.shape[i] == tc.live[j]
			})
			if got != tc.matchAllFound {
				t.Errorf("MatchPaired = %v, want %v (asked %v)", got, tc.matchAllFound, asked)
			}
			for _, ij := range asked {
				if pairs[ij[0]] != ij[1] {
					t.Errorf("MatchPaired asked about %v, which are not paired", ij)
				}
			}
		})
	}
	// A mismatch of one pair is a mismatch of the list.
	if MatchPaired([]int{1, 2}, true, func(i, j int) bool { return i == 0 }) {
		t.Error("MatchPaired held with a pair that does not match")
	}
}
