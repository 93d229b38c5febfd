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

package planner

import (
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

// BlockDocs describes every block of the language for the reference
// pages: the blocks lang decodes itself, then those of each kind that
// documents itself (nil kinds means DefaultKinds), in order.
func BlockDocs(kinds []kind.Kind) []lang.BlockDoc {
	if kinds == nil {
		kinds = DefaultKinds
	}
	out := lang.BlockDocs()
	for _, k := range kinds {
		if d, ok := k.(kind.Documented); ok {
			out = append(out, d.Doc())
		}
	}
	return out
}
