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

package wire

import (
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// typeCache holds the composite types the decoder has read, by their
// JSON. Values of one shape repeat across a batch: the ten objects of
// each of 1,000 apps have ten types between them, but each app's value
// spells them out again. Reading one from the cache costs a scan of its
// JSON, not the allocation of its attribute maps, and the values decoded
// share one type instead of each holding a copy: in a refresh of 1,000
// apps that was a fifth of the provider's live heap.
//
// Only the types nested in a description are kept, not its root, which
// is what differs between values. A cty.Type is immutable, so sharing
// one is safe. The cache is bounded; when full it starts again, which
// costs only speed.
type typeCache struct {
	mu    sync.RWMutex
	types map[string]cty.Type
	bytes int
}

const (
	// minCachedType is the shortest type JSON worth a lookup: shorter
	// ones ("string", ["list","string"]) are read as fast as looked up.
	minCachedType = 48
	// maxCacheBytes bounds the JSON the cache keeps as keys.
	maxCacheBytes = 4 << 20
)

var types = &typeCache{}

func (c *typeCache) get(js []byte) (cty.Type, bool) {
	c.mu.RLock()
	ty, ok := c.types[string(js)]
	c.mu.RUnlock()
	return ty, ok
}

func (c *typeCache) put(js []byte, ty cty.Type) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.types == nil || c.bytes+len(js) > maxCacheBytes {
		c.types, c.bytes = map[string]cty.Type{}, 0
	}
	if _, ok := c.types[string(js)]; !ok {
		c.types[string(js)] = ty
		c.bytes += len(js)
	}
}

// span returns the end of the JSON array that starts at b[i] ('['), or
// -1 when b holds no complete one. Strings are skipped whole, so a
// bracket within a name does not count.
func span(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return -1
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
