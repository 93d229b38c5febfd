package kubernetes

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
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
// spent, sleeping an exponential backoff between attempts (longer when the
// server asks for it).
func (p retryPolicy) do(ctx context.Context, fn func() error) error {
	delay := p.Backoff
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !transient(err) || attempt >= p.Limit {
			return err
		}
		wait := delay
		if s, ok := apierrors.SuggestsClientDelay(err); ok && time.Duration(s)*time.Second > wait {
			wait = time.Duration(s) * time.Second
		}
		if p.MaxBackoff > 0 && wait > p.MaxBackoff {
			wait = p.MaxBackoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay = time.Duration(float64(delay) * p.Factor)
		if p.MaxBackoff > 0 && delay > p.MaxBackoff {
			delay = p.MaxBackoff
		}
	}
}
