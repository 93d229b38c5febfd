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

import "slices"

// namedLists are the fields of the core API whose lists are merged by the
// name of their elements (their schema's merge key is name, and they are
// not atomic): a pod template's containers, init and ephemeral
// containers, env, volumes and image pull secrets. Lists keyed otherwise
// (container ports, volume mounts) or atomic (most lists of custom
// resources) are compared by position, as the comparisons do not know
// their schema.
var namedLists = map[string]bool{
	"containers": true, "initContainers": true, "ephemeralContainers": true,
	"env": true, "volumes": true, "imagePullSecrets": true,
}

// NamedList reports whether a list in the field of that name is merged
// by the names of its elements (namedLists).
func NamedList(field string) bool { return namedLists[field] }

// PairByName pairs the elements of a live list in a NamedList field with
// those of the list that shapes it (a manifest's, or a recorded value's):
// the API server merges such lists by name, not by position, so another
// writer's element put ahead of slipway's (a container added by kubectl
// edit, a sidecar another tool patches in) moves slipway's elements
// without changing them, and a comparison by position would take every
// element after it for changed.
//
// For the i-th shaping element it returns the index of the live element
// of the same name, or -1 when there is none. ok is false when the lists
// are to be paired by position, as before: an element of either has no
// name, shares one, or has one that is not plain ASCII (a recorded name
// has been through Unicode normalisation, a live one has not), or the
// names are in the same order already. ordered is false when the
// shaping elements found live are not in the shape's order: order is
// meaning in these lists (a variable refers only to those before it;
// init containers run in turn), so a value built from such a pairing
// takes the live elements in their live order, and the reorder shows;
// and a live list so paired is never as recorded.
//
// shapeName and liveName give an element's name ("" for none); n and m
// are the lengths of the lists.
func PairByName(n, m int, shapeName, liveName func(int) string) (pairs []int, ordered, ok bool) {
	if n == 0 || m == 0 {
		return nil, false, false
	}
	same := m >= n
	for i := 0; i < n && same; i++ {
		s := shapeName(i)
		if s == "" {
			return nil, false, false
		}
		same = s == liveName(i)
	}
	if same {
		// In the same order (the usual case): by position, as without
		// names, and without a map.
		return nil, false, false
	}
	at := make(map[string]int, m)
	for j := range m {
		l := liveName(j)
		if l == "" || !ascii(l) {
			return nil, false, false
		}
		if _, dup := at[l]; dup {
			return nil, false, false
		}
		at[l] = j
	}
	pairs = make([]int, n)
	seen := make(map[string]bool, n)
	ordered = true
	last := -1
	for i := range n {
		s := shapeName(i)
		if s == "" || !ascii(s) || seen[s] {
			return nil, false, false
		}
		seen[s] = true
		j, found := at[s]
		switch {
		case !found:
			j = -1
		case j < last:
			ordered = false
		default:
			last = j
		}
		pairs[i] = j
	}
	return pairs, ordered, true
}

// LiveOrder is the order in which a value built from pairs (PairByName)
// takes the shaping elements: those found live, in their live order.
func LiveOrder(pairs []int) []int {
	var order []int
	for i, j := range pairs {
		if j >= 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return pairs[a] - pairs[b] })
	return order
}

// MatchPaired reports whether a live list paired with a recorded one by
// PairByName is as recorded: the recorded elements are all found live, in
// their order, and matches(i, j) holds for the i-th recorded element and
// the live element j paired with it.
func MatchPaired(pairs []int, ordered bool, matches func(i, j int) bool) bool {
	if !ordered {
		return false
	}
	for i, j := range pairs {
		if j < 0 || !matches(i, j) {
			return false
		}
	}
	return true
}

// NameOf is the name of a JSON-like list element: its "name" member when
// it is an object whose name is a non-empty string, else "".
func NameOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m["name"].(string)
	return s
}
