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

package kubernetes

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"

	"slipway.dev/slipway/providers/internal/retry"
)

// transient reports whether err is worth retrying: conflicts, timeouts,
// throttling, server errors and dropped connections.
func transient(err error) bool {
	if err == nil {
		return false
	}
	switch {
	case apierrors.IsConflict(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsTooManyRequests(err), apierrors.IsInternalError(err),
		apierrors.IsServiceUnavailable(err), apierrors.IsUnexpectedServerError(err):
		return true
	}
	var st apierrors.APIStatus
	if errors.As(err, &st) && st.Status().Code >= 500 {
		return true
	}
	if utilnet.IsConnectionReset(err) || utilnet.IsConnectionRefused(err) || utilnet.IsProbableEOF(err) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// do runs fn until it succeeds, fails for good, or the policy's retries are
// spent, waiting an exponential backoff with jitter between attempts
// (longer when the server asks for it).
func (p retryPolicy) do(ctx context.Context, fn func() error) error {
	policy := retry.Policy{Limit: p.Limit, Backoff: p.Backoff, Factor: p.Factor, Max: p.MaxBackoff, Jitter: retry.Jitter}
	return retry.Do(ctx, policy, func(int) (bool, error) {
		err := fn()
		if !transient(err) {
			return false, err
		}
		if s, ok := apierrors.SuggestsClientDelay(err); ok {
			return true, retry.After(err, time.Duration(s)*time.Second)
		}
		return true, err
	})
}
