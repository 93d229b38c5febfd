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
)

// ErrProviderCrashed is wrapped by the error of every call that failed
// because the provider process died. Test for it with errors.Is; the
// error's message names the provider and shows its last output.
var ErrProviderCrashed = errors.New("provider crashed")

// ErrClosed is wrapped by the error of a call made after Close.
var ErrClosed = errors.New("provider client is closed")

// crashWait is how long a failed call waits for go-plugin to notice that
// the process has exited, which it does moments after the connection drops.
const crashWait = 2 * time.Second

type crashError struct {
	name   string
	op     string
	output string
	cause  error
}

func (e *crashError) Error() string {
	msg := fmt.Sprintf("provider %q crashed during %s", e.name, e.op)
	if e.output != "" {
		msg += "; its last output was:\n" + e.output
	}
	return msg
}

func (e *crashError) Unwrap() []error { return []error{ErrProviderCrashed, e.cause} }

// callErr explains why an RPC failed: the caller's context ended, the
// client was closed, the provider crashed, or the call itself failed.
func (c *Client) callErr(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("provider %q: %s: %w", c.name, op, ctxErr)
	}
	if c.closed.Load() {
		return fmt.Errorf("provider %q: %s: %w", c.name, op, ErrClosed)
	}
	crashed := func() error {
		return &crashError{name: c.name, op: op, output: c.tail.String(), cause: err}
	}
	select {
	case <-c.exited:
		return crashed()
	default:
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Canceled, codes.Internal:
		// The connection broke; give go-plugin a moment to reap the
		// process before deciding it is still alive.
		timer := time.NewTimer(crashWait)
		defer timer.Stop()
		select {
		case <-c.exited:
			return crashed()
		case <-timer.C:
		}
	}
	return fmt.Errorf("provider %q: %s: %w", c.name, op, err)
}
