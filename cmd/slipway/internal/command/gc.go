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
	"runtime"
	"runtime/debug"
	"sync"
)

// heldHeap is the heap up to which a command holds the garbage collector
// off (holdGC).
const heldHeap = 256 << 20

// holdGC holds the garbage collector off until the heap reaches heldHeap
// (or a lower GOMEMLIMIT), and returns the function that puts the usual
// pacing (GOGC, GOMEMLIMIT) back; the first collection puts it back too.
//
// A plan in a process of its own reads the state, evaluates every app
// and plans them: it allocates far more than the heap a process starts
// with, nearly all of it live until the plan is made, and the collector
// would otherwise run again and again for a heap that is nearly all still
// live (at 1,000 apps, a third of the state's read, and after it a
// sixth of the plan's CPU). A state too large to plan within the bound
// gets its first collection at the bound and the usual pacing after it,
// rather than a collection at every step past the bound, as a process
// run with GOGC=off and GOMEMLIMIT would.
func holdGC() (resume func()) {
	limit := debug.SetMemoryLimit(-1)
	percent := debug.SetGCPercent(-1)
	debug.SetMemoryLimit(min(limit, heldHeap))
	var once sync.Once
	resume = func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
		})
	}
	// Unreachable from the start, the sentinel's finalizer runs after
	// the first collection. It holds a pointer, so it is never one of
	// the tiny allocations whose finalizers may not run.
	sentinel := &struct{ _ *int }{}
	runtime.SetFinalizer(sentinel, func(*struct{ _ *int }) { resume() })
	return resume
}

// holdGCFor holds the garbage collector off (holdGC) for an operation in
// a process that holds nothing yet: one of its own (r nil), or an agent
// before its first plan, which reads the state and evaluates every app
// as a plan in its own process does (at 1,000 apps, the collector took a
// quarter of that plan's CPU). An agent that keeps the state of an
// earlier plan is left to the collector: the heap bound is for a process
// that holds nothing yet. It returns the function that puts the usual
// pacing back, or nil.
func holdGCFor(r *Resident) (resume func()) {
	if r != nil && r.holdsState() {
		return nil
	}
	return holdGC()
}
