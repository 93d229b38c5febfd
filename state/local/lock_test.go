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

package local

import (
	"testing"
	"time"
)

func TestLockPollStaysWithinBounds(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	// The waits before jitter, which adds up to a quarter of each.
	bases := []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 160 * ms, 160 * ms}
	// The jitter is random: many runs show its bounds.
	for range 200 {
		next := lockPoll.DelayFunc()
		for i, base := range bases {
			d := next()
			if top := base + base/4; d < base || d > top {
				t.Fatalf("wait %d = %s, want it within [%s, %s]", i+1, d, base, top)
			}
			if d > 200*ms {
				t.Fatalf("wait %d = %s, over 200ms", i+1, d)
			}
		}
	}
}
