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

package command

import (
	"context"
	"testing"

	"slipway.dev/slipway/planner/plugins"
)

// TestHalterForgetsClosedOperations: a loop of operations (reconcile)
// watched every round's providers for good; a closed session's are
// forgotten.
func TestHalterForgetsClosedOperations(t *testing.T) {
	t.Parallel()
	var h Halter
	first, second := &plugins.Set{}, &plugins.Set{}
	unwatchFirst := h.watch(context.Background(), first)
	h.watch(context.Background(), second)
	unwatchFirst()
	if len(h.watched) != 1 || h.watched[0].set != second {
		t.Fatalf("after the first operation closed, the halter watches %d sets, want the second alone", len(h.watched))
	}
	var none *Halter
	none.watch(context.Background(), first)() // a nil Halter watches nothing
}
