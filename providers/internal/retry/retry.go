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

package retry

import (
	"context"
	"errors"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Jitter is the fraction of each wait added at random, so that clients
// that failed together do not all try again at the same moment.
const Jitter = 0.2

// Policy says how often an operation is tried again and how long to wait
// in between.
type Policy struct {
	// Limit is how many more attempts follow the first; a negative Limit
	// tries until the context ends.
	Limit int
	// Backoff is the first wait; each later one is Factor (1 or more)
	// times longer, and none is longer than Max when Max is set.
	Backoff time.Duration
	Factor  float64
	Max     time.Duration
	// Jitter adds up to this fraction of a wait at random.
	Jitter float64
}

// backoff is p as a wait.Backoff. Its cap is Max less the jitter, so that
// a wait with its jitter is never longer than Max.
func (p Policy) backoff() wait.Backoff {
	b := wait.Backoff{
		Duration: max(p.Backoff, 0),
		Factor:   max(p.Factor, 1),
		Jitter:   max(p.Jitter, 0),
		Steps:    p.Limit,
	}
	if p.Limit < 0 {
		b.Steps = math.MaxInt32
	}
	if p.Max > 0 {
		b.Cap = time.Duration(float64(p.Max) / (1 + b.Jitter))
		b.Duration = min(b.Duration, b.Cap)
	}
	return b
}

// delays returns the waits of one loop in turn; each is at least atLeast
// (capped at Max), for a server that asks to be left alone longer.
func (p Policy) delays() func(atLeast time.Duration) time.Duration {
	next := p.backoff().DelayFunc()
	return func(atLeast time.Duration) time.Duration {
		if p.Max > 0 {
			atLeast = min(atLeast, p.Max)
		}
		return max(next(), atLeast)
	}
}

// Do calls op with the attempt's number (1 for the first) until op says
// another attempt is not worth it, or the policy's retries are spent, and
// returns op's last error. Between attempts it waits as p says, or longer
// when op's error came from After. When ctx ends during a wait, Do returns
// op's last error joined with the context's cause.
func Do(ctx context.Context, p Policy, op func(attempt int) (again bool, err error)) error {
	var (
		attempt int
		last    error
		atLeast time.Duration
	)
	delays := p.delays()
	delay := wait.DelayFunc(func() time.Duration { return delays(atLeast) })
	err := delay.Until(ctx, true, true, func(context.Context) (bool, error) {
		attempt++
		again, err := op(attempt)
		last, atLeast = err, 0
		if a, ok := err.(*afterError); ok {
			last, atLeast = a.err, a.after
		}
		return !again || (p.Limit >= 0 && attempt > p.Limit), nil
	})
	if err != nil {
		// The condition never fails, so err is the context's.
		return errors.Join(last, context.Cause(ctx))
	}
	return last
}

// After marks err as asking for at least d before the next attempt, as a
// server's Retry-After does. Do returns err itself, never the mark.
func After(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &afterError{err: err, after: d}
}

type afterError struct {
	err   error
	after time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }
