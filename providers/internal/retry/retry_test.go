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
	"fmt"
	"testing"
	"time"
)

func TestDoAttempts(t *testing.T) {
	t.Parallel()
	errTransient, errPermanent := errors.New("transient"), errors.New("permanent")
	// Each case's results are what op returns on attempts 1, 2, ...;
	// a nil error is a success.
	tests := map[string]struct {
		limit     int
		results   []error
		wantCalls int
		wantErr   error
	}{
		"success at once":           {limit: 3, results: []error{nil}, wantCalls: 1},
		"success on the third":      {limit: 3, results: []error{errTransient, errTransient, nil}, wantCalls: 3},
		"permanent error":           {limit: 3, results: []error{errTransient, errPermanent}, wantCalls: 2, wantErr: errPermanent},
		"limit spent":               {limit: 3, results: []error{errTransient, errTransient, errTransient, errTransient, nil}, wantCalls: 4, wantErr: errTransient},
		"no retries":                {limit: 0, results: []error{errTransient, nil}, wantCalls: 1, wantErr: errTransient},
		"retry-after mark stripped": {limit: 1, results: []error{After(errTransient, time.Nanosecond), After(errTransient, time.Nanosecond)}, wantCalls: 2, wantErr: errTransient},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := Policy{Limit: tc.limit, Backoff: time.Nanosecond, Factor: 2, Max: time.Microsecond, Jitter: Jitter}
			calls := 0
			err := Do(context.Background(), p, func(attempt int) (bool, error) {
				calls++
				if attempt != calls {
					t.Errorf("attempt %d on call %d", attempt, calls)
				}
				err := tc.results[calls-1]
				return err != nil && !errors.Is(err, errPermanent), err
			})
			if calls != tc.wantCalls || err != tc.wantErr {
				t.Errorf("%d calls, error %v; want %d calls, error %v", calls, err, tc.wantCalls, tc.wantErr)
			}
		})
	}
}

func TestDoStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	errHeld := errors.New("held")
	for _, limit := range []int{-1, 5} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// An hour's backoff: only the cancellation can end the wait.
			p := Policy{Limit: limit, Backoff: time.Hour, Factor: 2, Jitter: Jitter}
			calls := 0
			err := Do(ctx, p, func(int) (bool, error) {
				calls++
				cancel()
				return true, errHeld
			})
			if calls != 1 || !errors.Is(err, errHeld) || !errors.Is(err, context.Canceled) {
				t.Errorf("%d calls, error %v; want 1 call and the last error joined with the cancellation", calls, err)
			}
		})
	}
}

func TestDoNeverRunsAfterCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := Do(ctx, Policy{Limit: -1, Backoff: time.Nanosecond, Max: time.Microsecond, Factor: 2}, func(attempt int) (bool, error) {
		calls++
		if attempt == 5 {
			cancel()
		}
		return true, errors.New("busy")
	})
	if calls != 5 || !errors.Is(err, context.Canceled) {
		t.Errorf("%d calls, error %v; want 5 calls, then the cancellation", calls, err)
	}
}

func TestDelays(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		policy Policy
		// bases are the waits before jitter; the jitter may add up to
		// policy.Jitter of each.
		bases []time.Duration
	}{
		"kubernetes defaults": {
			policy: Policy{Limit: 7, Backoff: 5 * time.Second, Factor: 2, Max: 3 * time.Minute, Jitter: 0.2},
			bases:  []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 150 * time.Second, 150 * time.Second},
		},
		"no max": {
			policy: Policy{Limit: 4, Backoff: time.Second, Factor: 3, Jitter: 0.1},
			bases:  []time.Duration{time.Second, 3 * time.Second, 9 * time.Second, 27 * time.Second},
		},
		"factor below 1 is 1": {
			policy: Policy{Limit: 3, Backoff: time.Second, Factor: 0.5, Jitter: 0.2},
			bases:  []time.Duration{time.Second, time.Second, time.Second},
		},
		"backoff above max": {
			policy: Policy{Limit: 2, Backoff: time.Minute, Factor: 2, Max: 12 * time.Second, Jitter: 0.2},
			bases:  []time.Duration{10 * time.Second, 10 * time.Second},
		},
		"no limit keeps the cap": {
			policy: Policy{Limit: -1, Backoff: 10 * time.Millisecond, Factor: 2, Max: 240 * time.Millisecond, Jitter: 0.2},
			bases: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond,
				160 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond},
		},
		"no jitter": {
			policy: Policy{Limit: 3, Backoff: time.Second, Factor: 2, Max: 3 * time.Second},
			bases:  []time.Duration{time.Second, 2 * time.Second, 3 * time.Second},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// The jitter is random: many runs show its bounds.
			for range 200 {
				next := tc.policy.delays()
				for i, base := range tc.bases {
					d := next(0)
					top := base + time.Duration(tc.policy.Jitter*float64(base))
					if d < base || d > top {
						t.Fatalf("wait %d = %s, want it within [%s, %s]", i+1, d, base, top)
					}
					if tc.policy.Max > 0 && d > tc.policy.Max {
						t.Fatalf("wait %d = %s, over the max %s", i+1, d, tc.policy.Max)
					}
				}
			}
		})
	}
}

func TestDelaysHonourRetryAfter(t *testing.T) {
	t.Parallel()
	p := Policy{Limit: 3, Backoff: time.Second, Factor: 2, Max: time.Minute, Jitter: 0.2}
	next := p.delays()
	if d := next(10 * time.Second); d != 10*time.Second {
		t.Errorf("wait asked for 10s by the server = %s, want 10s", d)
	}
	if d := next(time.Hour); d != time.Minute {
		t.Errorf("wait asked for an hour by the server = %s, want the max, 1m", d)
	}
	if d := next(0); d < 4*time.Second || d > 4800*time.Millisecond {
		t.Errorf("third wait = %s, want the backoff's 4s plus jitter: a server's request leaves the backoff alone", d)
	}
}
