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

import "sync"

// Generations is a map that forgets what two generations did not use.
type Generations[V any] struct {
	mu        sync.Mutex
	cur, prev map[string]V
}

// Next starts a generation: what the one before last used and the last
// did not is forgotten.
func (m *Generations[V]) Next() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prev, m.cur = m.cur, nil
}

// Forget forgets everything.
func (m *Generations[V]) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prev, m.cur = nil, nil
}

// Get returns the value put under key in this generation or the last,
// and keeps it for this one.
func (m *Generations[V]) Get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cur[key]; ok {
		return v, true
	}
	v, ok := m.prev[key]
	if ok {
		m.put(key, v)
	}
	return v, ok
}

// GetBytes is Get of string(key), without making that string unless the
// value is kept again.
func (m *Generations[V]) GetBytes(key []byte) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cur[string(key)]; ok {
		return v, true
	}
	v, ok := m.prev[string(key)]
	if ok {
		m.put(string(key), v)
	}
	return v, ok
}

// Put keeps v under key for this generation and the next.
func (m *Generations[V]) Put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, v)
}

func (m *Generations[V]) put(key string, v V) {
	if m.cur == nil {
		m.cur = map[string]V{}
	}
	m.cur[key] = v
}

// Len is how many values the memo holds.
func (m *Generations[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.cur)
	for k := range m.prev {
		if _, ok := m.cur[k]; !ok {
			n++
		}
	}
	return n
}
