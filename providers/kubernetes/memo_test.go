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

package kubernetes

import "testing"

// TestMemoKeepsTwoGenerations: a value is made once for a key while each
// generation uses it, and forgotten after a generation that did not.
func TestMemoKeepsTwoGenerations(t *testing.T) {
	var m memo[int]
	made := map[string]int{}
	get := func(key string) int {
		return m.get([]byte(key), func() int { made[key]++; return len(key) })
	}
	m.Next()
	get("a")
	get("a")
	get("bb")
	m.Next()
	get("a") // kept: used in the last generation
	m.Next()
	get("bb") // forgotten: not used in the last generation
	if got := get("a"); got != 1 {
		t.Errorf("get(a) = %d, want 1", got)
	}
	if made["a"] != 1 || made["bb"] != 2 {
		t.Errorf("made a %d times and bb %d times, want 1 and 2", made["a"], made["bb"])
	}
	if n := m.Len(); n > 2 {
		t.Errorf("holds %d values, want what two generations used (a and bb)", n)
	}
}
