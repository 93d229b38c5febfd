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

package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

// DefaultStopGrace is how long Halt waits, unless told otherwise, for a
// provider to end its calls in flight after Stop before it kills it.
const DefaultStopGrace = 10 * time.Second

// ErrKilled is wrapped by Halt's error when it killed the provider.
var ErrKilled = errors.New("killed")

// Stop asks the provider to end work in flight (the user pressed Ctrl-C):
// the SDK cancels the context of every call in flight and calls the
// provider's own Stop. It returns once those calls have returned, or when
// ctx ends; the calls in flight end with error diagnostics.
func (c *Client) Stop(ctx context.Context) error {
	resp, err := c.rpc.Stop(ctx, &protocol.Stop_Request{})
	if err != nil {
		return c.callErr(ctx, "stop", err)
	}
	if resp.Error != "" {
		return fmt.Errorf("provider %q could not stop: %s", c.name, resp.Error)
	}
	return nil
}

// Interrupt asks the provider, as a user's first Ctrl-C during an apply
// does, to end early the waits in its applies in flight that the next
// apply can resume (a rollout's pause or analysis), recording where they
// stood; the changes under way are finished, and no call is cancelled.
// It returns once the provider has taken the request, not when its
// applies return. A provider that does not understand it (an older SDK,
// which would take any Stop to cancel its calls) is sent nothing, and
// Interrupt reports false.
func (c *Client) Interrupt(ctx context.Context) (bool, error) {
	if c.closed.Load() || c.Exited() {
		return false, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil || !ss.gracefulStop {
		return false, nil
	}
	resp, err := c.rpc.Stop(ctx, &protocol.Stop_Request{Graceful: true})
	if err != nil {
		return false, c.callErr(ctx, "stop", err)
	}
	if resp.Error != "" {
		return false, fmt.Errorf("provider %q could not be interrupted: %s", c.name, resp.Error)
	}
	return true, nil
}

// Halt stops the provider for good: it calls Stop and waits up to grace
// (DefaultStopGrace when 0) for the provider's calls in flight to
// return. A provider that has not confirmed by then is killed, and the
// error, which wraps ErrKilled, says so. A client already closed, or
// whose process has ended, is left alone. The process of a provider that
// stopped in time keeps running until Close.
func (c *Client) Halt(grace time.Duration) error {
	if grace <= 0 {
		grace = DefaultStopGrace
	}
	if c.closed.Load() || c.Exited() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := c.Stop(ctx)
	if err == nil || c.closed.Load() || c.Exited() {
		return nil
	}
	why := fmt.Sprintf("did not stop within %s after Stop", grace)
	if ctx.Err() == nil && status.Code(err) != codes.DeadlineExceeded {
		// The provider answered at once, but could not stop.
		why = fmt.Sprintf("failed to stop (%v)", err)
	}
	c.kill()
	return fmt.Errorf("provider %q %s; %w", c.name, why, ErrKilled)
}

// kill ends the process at once, without the graceful shutdown Close
// tries first, and waits briefly for it to be reaped.
func (c *Client) kill() {
	if c.closed.Swap(true) {
		return
	}
	c.stop()
	go c.pc.Kill()
	select {
	case <-c.exited:
	case <-time.After(startKillWait):
	}
}
