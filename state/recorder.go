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

package state

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrRecorderClosed is passed to the done callback of a Record made after
// Close.
var ErrRecorderClosed = errors.New("state recorder is closed")

// Recorder persists state while an apply runs. After each finished resource
// the caller calls Record(done); the Recorder writes the latest snapshot
// (obtained from snapshot) through the backend and calls the done callback
// of every Record that the write included, once that write is durable.
// Writes coalesce: while one write is in flight, further Records are
// batched into the next write, so an apply of N resources costs far fewer
// than N full writes but never loses a finished resource it has
// acknowledged.
//
// Record and Close may be called from any goroutine. snapshot and the done
// callbacks run one at a time on the Recorder's writing goroutine; callbacks
// may call Record.
type Recorder struct {
	ctx      context.Context
	backend  Backend
	snapshot func() *State

	mu      sync.Mutex
	pending []func(error)
	writing bool
	closed  bool
	err     error
	idle    chan struct{} // closed when no write is in flight; replaced when one starts

	// every, when set, spaces writes at least that far apart, and at least
	// checkpointShare times as far apart as the last write took; closing
	// ends the wait. last is when the last write started, took how long
	// it took.
	every   time.Duration
	last    time.Time
	took    time.Duration
	closing chan struct{}

	// written is the serial the backend gave the last state this
	// Recorder wrote, 0 before its first write.
	written uint64
}

// checkpointShare bounds the share of an apply's time spent rewriting the
// state when its changes are durable in a journal: writes start at least
// this many times their own duration apart, so at most 1/checkpointShare
// of the time goes to them. A state of a thousand apps takes most of a
// second to encode, compress and write; rewritten every two seconds, it
// was two thirds of slipway's CPU in the apply that created them.
const checkpointShare = 20

// Every spaces writes at least d apart, and at least checkpointShare times
// as far apart as the last write took: a Record made sooner is written
// with the next write. Use it when every change is durable elsewhere as
// it finishes (the intent journal), so the state is a checkpoint; Close
// writes what is pending at once. The first write waits d too, so an
// apply shorter than d writes the state once, on Close: an apply that
// recorded a new commit of 1,000 unchanged apps wrote it twice, 0.9 CPU-s
// each. Call it before the first Record.
func (r *Recorder) Every(d time.Duration) {
	r.mu.Lock()
	r.every, r.last = d, time.Now()
	r.mu.Unlock()
}

// NewRecorder returns a Recorder that writes through b the states snapshot
// returns. snapshot must return a state the Recorder may keep, such as a
// DeepCopy, reflecting every resource finished before it was called. ctx is
// passed to every Write: give it one that outlives the apply's
// cancellation (context.WithoutCancel) so an interrupted apply still
// records what finished.
func NewRecorder(ctx context.Context, b Backend, snapshot func() *State) *Recorder {
	idle := make(chan struct{})
	close(idle)
	return &Recorder{ctx: ctx, backend: b, snapshot: snapshot, idle: idle, closing: make(chan struct{})}
}

// Record asks for the state to be written. done, which may be nil, is
// called with nil once a write taken after this call is durable, or with
// that write's error.
func (r *Recorder) Record(done func(error)) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		if done != nil {
			done(ErrRecorderClosed)
		}
		return
	}
	r.pending = append(r.pending, done)
	if !r.writing {
		r.writing = true
		r.idle = make(chan struct{})
		go r.run()
	}
	r.mu.Unlock()
}

// run writes until no Record is pending.
func (r *Recorder) run() {
	for {
		r.mu.Lock()
		batch := r.pending
		r.pending = nil
		if len(batch) == 0 {
			r.writing = false
			close(r.idle)
			r.mu.Unlock()
			return
		}
		wait := time.Duration(0)
		if r.every > 0 && !r.closed {
			wait = max(r.every, checkpointShare*r.took) - time.Since(r.last)
		}
		r.mu.Unlock()
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.closing:
				t.Stop()
			}
			// Records made while waiting join this write.
			r.mu.Lock()
			batch = append(batch, r.pending...)
			r.pending = nil
			r.mu.Unlock()
		}
		start := time.Now()
		snap := r.snapshot()
		err := r.backend.Write(r.ctx, snap)
		r.mu.Lock()
		r.last, r.took = start, time.Since(start)
		if err != nil && r.err == nil {
			r.err = err
		}
		if err == nil {
			r.written = snap.Serial
		}
		r.mu.Unlock()
		for _, done := range batch {
			if done != nil {
				done(err)
			}
		}
	}
}

// Written is the serial of the last state the Recorder wrote (Write sets
// it), 0 if it has written none.
func (r *Recorder) Written() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.written
}

// Close waits for pending writes and returns the first write error. Records
// made after Close fail with ErrRecorderClosed.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if !r.closed {
		close(r.closing)
	}
	r.closed = true
	idle := r.idle
	r.mu.Unlock()
	<-idle
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
