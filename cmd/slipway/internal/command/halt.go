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
	"fmt"
	"slices"
	"sync"
	"time"

	"slipway.dev/slipway/planner/plugins"
)

// Halter stops the providers of the operations in flight when the user
// stops them. At the first Ctrl-C the process calls Stop: operations
// that end there (their context is done) send their providers Stop and
// end. At the second it calls Halt, which sends every provider Stop,
// kills those that do not stop within their grace period, and waits;
// the process then exits. It is safe for concurrent use; the zero value
// is ready.
type Halter struct {
	mu      sync.Mutex
	watched []watchedSet
}

type watchedSet struct {
	ctx  context.Context
	set  *plugins.Set
	done chan struct{} // closed when halted; nil until Halt starts it
}

// watch has Halt stop set's providers once ctx, the context of the
// operation that uses them, has ended. unwatch forgets them, once the
// operation has closed them: a loop of operations (reconcile) would
// otherwise keep every round's.
func (h *Halter) watch(ctx context.Context, set *plugins.Set) (unwatch func()) {
	if h == nil {
		return func() {}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watched = append(h.watched, watchedSet{ctx: ctx, set: set})
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.watched = slices.DeleteFunc(h.watched, func(ws watchedSet) bool {
			// One being halted stays until Halt has waited for it.
			return ws.set == set && ws.done == nil
		})
	}
}

// Stop sends Stop to the providers of every watched operation whose
// context has ended, and returns at once (plugins.Set.Stop). The
// providers of an operation that goes on (an apply, which finishes the
// changes under way) are interrupted instead: the waits in their applies
// that the next apply can resume, a rollout's pause or analysis, end
// early (plugins.Set.Interrupt).
func (h *Halter) Stop() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ws := range h.watched {
		switch {
		case ws.done != nil:
		case ws.ctx.Err() != nil:
			ws.set.Stop()
		default:
			ws.set.Interrupt()
		}
	}
}

// Halt stops, in parallel, the providers of every watched operation
// whose context has ended (plugins.Set.Halt), and waits until they have
// stopped or been killed, also for halts an earlier call started. report
// is called with each provider killed for not stopping in time.
func (h *Halter) Halt(report func(error)) {
	if h == nil {
		return
	}
	h.mu.Lock()
	var wait []chan struct{}
	for i := range h.watched {
		ws := &h.watched[i]
		if ws.done == nil && ws.ctx.Err() != nil {
			ws.done = make(chan struct{})
			go func(set *plugins.Set, done chan struct{}) {
				defer close(done)
				for _, err := range set.Halt() {
					report(err)
				}
			}(ws.set, ws.done)
		}
		if ws.done != nil {
			wait = append(wait, ws.done)
		}
	}
	h.mu.Unlock()
	for _, done := range wait {
		<-done
	}
}

// stopGrace is how long a provider may take to stop after Stop:
// SLIPWAY_STOP_GRACE (a duration) when it is set and valid, 0 (the
// default of 10 seconds) otherwise.
func (m *Meta) stopGrace() (time.Duration, error) {
	v := EnvOf(m.Env, "SLIPWAY_STOP_GRACE")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("SLIPWAY_STOP_GRACE=%q is not a positive duration (such as 10s or 1m); using the default of 10s", v)
	}
	return d, nil
}
