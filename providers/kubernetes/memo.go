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

import sdkmemo "slipway.dev/slipway/plugin-sdk/memo"

// memo remembers what a pure function of a string made of it, for a
// provider process that makes more than one plan (slipway agent keeps it
// running between plans): the elided refresh of 1,000 apps decodes the
// same private records, and digests the same managedFields entries of
// the objects a controller writes the status of, plan after plan. A value
// depends on its key alone (or, for a caller that checks it and sets
// another, on its key and what the value itself holds), so it holds
// across sessions; what a session knows of the cluster is never kept
// here.
//
// It holds two generations (sdkmemo.Generations): what the last elided
// refresh (or plan) used, and what this one has used so far. Each starts
// a generation (Next), so the memo holds at most what two of them used.
// It is safe for concurrent use.
type memo[V any] struct {
	sdkmemo.Generations[V]
}

// get returns the value made of key, making it with mk the first time
// in two generations.
func (m *memo[V]) get(key []byte, mk func() V) V {
	if v, ok := m.GetBytes(key); ok {
		return v
	}
	v := mk()
	m.Put(string(key), v)
	return v
}

// set makes v the value of key.
func (m *memo[V]) set(key []byte, v V) { m.Put(string(key), v) }
