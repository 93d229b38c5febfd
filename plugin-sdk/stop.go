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
	stop Stopper

	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0; nil while n is 0
}

// begin registers a call and derives its context, which Stop cancels
// with ErrStopped as the cause. Call end when the call returns.
func (c *calls) begin(ctx context.Context) (_ context.Context, end func()) {
	c.mu.Lock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
	c.mu.Unlock()
	ctx, cancel := c.stop.WithStop(ctx)
	return ctx, func() {
		cancel()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n--
		if c.n == 0 {
			close(c.idle)
			c.idle = nil
		}
	}
}

// cancel cancels the context of every call in flight and returns a
// channel that is closed once they have all returned.
func (c *calls) cancel() <-chan struct{} {
	c.mu.Lock()
	idle := c.idle
	c.mu.Unlock()
	c.stop.Stop(context.Background())
	if idle == nil {
		idle = make(chan struct{})
		close(idle)
	}
	return idle
}
