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
	"testing"
	"time"
)

// TestReconcileBacksOff: rounds that fail in a row are tried again later
// and later, up to ten intervals, rather than at every interval.
func TestReconcileBacksOff(t *testing.T) {
	t.Parallel()
	for interval, want := range map[time.Duration][]time.Duration{
		3 * time.Minute: {3 * time.Minute, 6 * time.Minute, 12 * time.Minute, 24 * time.Minute, 30 * time.Minute, 30 * time.Minute},
		// A short interval still backs off to 15 minutes.
		30 * time.Second: {30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute},
	} {
		b := reconcileBackoff(interval)
		for i, w := range want {
			if got := b.Step(); got < w || got > w+w/10 {
				t.Errorf("interval %s: wait %d after failures = %s, want %s and a tenth of jitter at most", interval, i+1, got, w)
			}
		}
	}
}
