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

package memo

import "testing"

// TestGenerations: a value is kept while a generation uses it and
// forgotten two generations after its last use; Forget forgets all.
func TestGenerations(t *testing.T) {
	var m Generations[int]
	m.Put("a", 1)
	m.Put("b", 2)
	m.Next()
	if v, ok := m.Get("a"); !ok || v != 1 {
		t.Fatalf("a generation later: a = %d, %v; want 1", v, ok)
	}
	m.Next()
	if v, ok := m.GetBytes([]byte("a")); !ok || v != 1 {
		t.Fatalf("used in the last generation: a = %d, %v; want 1", v, ok)
	}
	if _, ok := m.Get("b"); ok {
		t.Fatal("b, unused for two generations, was found")
	}
	if n := m.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
	m.Put("a", 3)
	if v, _ := m.Get("a"); v != 3 {
		t.Fatalf("a after Put = %d, want 3", v)
	}
	m.Forget()
	if _, ok := m.Get("a"); ok || m.Len() != 0 {
		t.Fatal("found a value after Forget")
	}
}
