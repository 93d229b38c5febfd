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
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"slipway.dev/slipway/state"
)

// gcSettings reads GOGC and GOMEMLIMIT as the runtime has them.
func gcSettings() (percent int64, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// TestHoldGC: holdGC holds the collector off up to heldHeap, or a lower
// GOMEMLIMIT, and the first collection puts GOGC and GOMEMLIMIT back, as
// does the function it returns, once.
func TestHoldGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	t.Run("the first collection ends it", func(t *testing.T) {
		debug.SetGCPercent(150)
		debug.SetMemoryLimit(math.MaxInt64)
		holdGC()
		if p, l := gcSettings(); p != -1 || l != heldHeap {
			t.Fatalf("held: GOGC %d, GOMEMLIMIT %d; want off and %d", p, l, heldHeap)
		}
		runtime.GC()
		deadline := time.Now().Add(10 * time.Second)
		for {
			p, l := gcSettings()
			if p == 150 && l == math.MaxInt64 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after a collection: GOGC %d, GOMEMLIMIT %d; want 150 and none", p, l)
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	})
	t.Run("a lower GOMEMLIMIT is kept", func(t *testing.T) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(64 << 20)
		resume := holdGC()
		if p, l := gcSettings(); p != -1 || l != 64<<20 {
			t.Fatalf("held: GOGC %d, GOMEMLIMIT %d; want off and %d", p, l, 64<<20)
		}
		resume()
		if p, l := gcSettings(); p != 100 || l != 64<<20 {
			t.Fatalf("resumed: GOGC %d, GOMEMLIMIT %d; want 100 and %d", p, l, 64<<20)
		}
		// Once: a later call, or the finalizer, does not undo what was
		// set since.
		debug.SetGCPercent(120)
		resume()
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
		if p, _ := gcSettings(); p != 120 {
			t.Fatalf("resumed twice: GOGC %d; want 120 kept", p)
		}
	})
}

// TestHoldGCFor: a process of its own, and an agent before its first
// plan, hold the collector off; an agent that keeps a state does not.
func TestHoldGCFor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, tc := range []struct {
		name string
		r    *Resident
		held bool
	}{
		{"own process", nil, true},
		{"agent, first plan", &Resident{}, true},
		{"agent keeping a state", &Resident{state: state.NewState()}, false},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		resume := holdGCFor(tc.r)
		p, _ := gcSettings()
		if held := p == -1; held != tc.held || (resume != nil) != tc.held {
			t.Errorf("%s: GOGC %d, resume set %v; want held %v", tc.name, p, resume != nil, tc.held)
		}
		if resume != nil {
			resume()
		}
	}
}
