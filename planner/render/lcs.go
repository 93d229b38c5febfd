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

package render

import (
	"sort"
	"strconv"
)

type opKind byte

const (
	opKeep opKind = iota
	opDel
	opAdd
)

// editOp is one step of an edit script: keep before[i] (= after[j]),
// delete before[i], or add after[j].
type editOp struct {
	kind opKind
	i, j int
}

// lcsLimit bounds the table of the longest-common-subsequence search;
// past it the middle of two long sequences is shown as all removed and
// all added, which is correct if not minimal.
const lcsLimit = 4 << 20

// lcs returns an edit script from n before elements to m after elements,
// deletions before additions within each changed run.
func lcs(n, m int, eq func(i, j int) bool) []editOp {
	var ops []editOp
	// Common prefix and suffix cost nothing and are the usual case.
	pre := 0
	for pre < n && pre < m && eq(pre, pre) {
		ops = append(ops, editOp{opKeep, pre, pre})
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && eq(n-1-suf, m-1-suf) {
		suf++
	}
	bn, an := n-pre-suf, m-pre-suf

	if bn*an > lcsLimit {
		for i := 0; i < bn; i++ {
			ops = append(ops, editOp{opDel, pre + i, 0})
		}
		for j := 0; j < an; j++ {
			ops = append(ops, editOp{opAdd, 0, pre + j})
		}
	} else {
		// table[i][j] is the LCS length of before[pre+i:] and after[pre+j:].
		table := make([][]int, bn+1)
		for i := range table {
			table[i] = make([]int, an+1)
		}
		for i := bn - 1; i >= 0; i-- {
			for j := an - 1; j >= 0; j-- {
				if eq(pre+i, pre+j) {
					table[i][j] = table[i+1][j+1] + 1
				} else {
					table[i][j] = max(table[i+1][j], table[i][j+1])
				}
			}
		}
		var dels, adds []editOp
		flush := func() {
			ops = append(ops, dels...)
			ops = append(ops, adds...)
			dels, adds = dels[:0], adds[:0]
		}
		i, j := 0, 0
		for i < bn || j < an {
			switch {
			case i < bn && j < an && eq(pre+i, pre+j):
				flush()
				ops = append(ops, editOp{opKeep, pre + i, pre + j})
				i++
				j++
			case j >= an || (i < bn && table[i+1][j] >= table[i][j+1]):
				dels = append(dels, editOp{opDel, pre + i, 0})
				i++
			default:
				adds = append(adds, editOp{opAdd, 0, pre + j})
				j++
			}
		}
		flush()
	}
	for k := 0; k < suf; k++ {
		ops = append(ops, editOp{opKeep, n - suf + k, m - suf + k})
	}
	return ops
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(n int) string { return strconv.Itoa(n) }
