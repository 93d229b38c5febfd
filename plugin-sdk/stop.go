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

package sdk

import (
	"context"
	"errors"
	"sync"
)

// ErrStopped is the cause of a call's context when the provider's Stop
// cancelled it: slipway asked the provider to stop (the user interrupted).
var ErrStopped = errors.New("stopped: slipway asked the provider to stop")

// Stopper cancels a provider's calls in flight when slipway calls Stop.
// Embed it in the provider (which then implements ProviderWithStop), and
// derive each call's context with WithStop. The zero value is ready; it is
// safe for concurrent use.
type Stopper struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

// Stop cancels every call in flight; later calls run normally.
func (s *Stopper) Stop(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return nil
}

// WithStop derives a context for one call that Stop also cancels, with
// ErrStopped as its cause. Call the returned function when the call ends.
func (s *Stopper) WithStop(ctx context.Context) (context.Context, context.CancelFunc) {
	s.mu.Lock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	sc := s.ctx
	s.mu.Unlock()
	ctx, cancel := context.WithCancelCause(ctx)
	unhook := context.AfterFunc(sc, func() { cancel(ErrStopped) })
	return ctx, func() {
		unhook()
		cancel(nil)
	}
}

// calls tracks the calls a provider process has in flight, so that Stop
// can cancel their contexts and wait for them to return. The zero value
// is ready; it is safe for concurrent use.
type calls struct {
	mu      sync.Mutex
	next    uint64
	cancels map[uint64]context.CancelCauseFunc
	idle    chan struct{} // closed when the last call returns; nil while none runs
	// interrupted is closed by interrupt; the calls that begin before
	// it see it closed (interruptOf), the later ones a new channel.
	interrupted chan struct{}
}

type interruptKey struct{}

// interruptOf is the channel that a graceful Stop closes for the call
// whose context ctx is (begun by calls.begin); a channel that never
// closes for any other context.
func interruptOf(ctx context.Context) <-chan struct{} {
	if ch, ok := ctx.Value(interruptKey{}).(chan struct{}); ok {
		return ch
	}
	return make(chan struct{})
}

// interrupt closes the interrupt channel of every call in flight (a
// graceful Stop). Calls that begin later get a new one.
func (c *calls) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.interrupted == nil {
		c.interrupted = make(chan struct{})
	}
	close(c.interrupted)
	c.interrupted = make(chan struct{})
}

// begin registers a call and derives its context, which cancel ends with
// ErrStopped as the cause. Call end when the call returns.
func (c *calls) begin(ctx context.Context) (_ context.Context, end func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	c.mu.Lock()
	if c.cancels == nil {
		c.cancels = map[uint64]context.CancelCauseFunc{}
	}
	if len(c.cancels) == 0 {
		c.idle = make(chan struct{})
	}
	if c.interrupted == nil {
		c.interrupted = make(chan struct{})
	}
	ctx = context.WithValue(ctx, interruptKey{}, c.interrupted)
	id := c.next
	c.next++
	c.cancels[id] = cancel
	c.mu.Unlock()
	return ctx, func() {
		cancel(nil)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.cancels, id)
		if len(c.cancels) == 0 {
			close(c.idle)
			c.idle = nil
		}
	}
}

// cancel cancels the context of every call in flight, before it returns,
// and returns a channel that is closed once they have all returned.
// Calls that begin later run normally.
func (c *calls) cancel() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cancel := range c.cancels {
		cancel(ErrStopped)
	}
	if c.idle == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	return c.idle
}
