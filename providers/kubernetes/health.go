package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// healthOf maps an object's kstatus to Argo CD's health names. A paused
// Deployment and a suspended CronJob are Suspended, as in Argo CD; kstatus
// has no such status.
func healthOf(u *unstructured.Unstructured) (health, message string) {
	if u == nil {
		return sdk.Missing, "the object does not exist"
	}
	switch u.GroupVersionKind().GroupKind().String() {
	case "Deployment.apps":
		if p, _, _ := unstructured.NestedBool(u.Object, "spec", "paused"); p {
			return sdk.Suspended, "the Deployment is paused"
		}
	case "CronJob.batch":
		if s, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); s {
			return sdk.Suspended, "the CronJob is suspended"
		}
	}
	res, err := status.Compute(u)
	if err != nil {
		return sdk.Unknown, err.Error()
	}
	switch res.Status {
	case status.CurrentStatus:
		return sdk.Healthy, res.Message
	case status.InProgressStatus, status.TerminatingStatus:
		return sdk.Progressing, res.Message
	case status.FailedStatus:
		return sdk.Degraded, res.Message
	case status.NotFoundStatus:
		return sdk.Missing, res.Message
	}
	return sdk.Unknown, res.Message
}

// healthRank orders health from best to worst, for an app's overall
// health: the worst of its objects.
func healthRank(h string) int {
	switch h {
	case sdk.Healthy:
		return 0
	case sdk.Suspended:
		return 1
	case sdk.Unknown:
		return 2
	case sdk.Progressing:
		return 3
	case sdk.Missing:
		return 4
	case sdk.Degraded:
		return 5
	}
	return 2
}

// settled reports whether waiting for an object is over: it is healthy,
// or suspended on purpose.
func settled(h string) bool { return h == sdk.Healthy || h == sdk.Suspended }

// pollInterval is how often waits look at the cluster.
var pollInterval = time.Second

// errWaitTimeout is wrapped by the error of a wait that ran out of time.
var errWaitTimeout = errors.New("timed out waiting for health")

// waitHealthy polls the objects (one LIST per kind each round) until all
// are healthy or timeout passes, reporting a compact line through
// progress whenever it changes.
func waitHealthy(ctx context.Context, ms *mappings, ids []objectID, timeout time.Duration, progress func(string)) error {
	if len(ids) == 0 {
		return nil
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	for {
		live, err := fetchLive(ctx, ms, ids)
		var unhealthy []string
		if err == nil {
			healthy := 0
			for _, id := range ids {
				h, msg := healthOf(live[id.String()])
				if settled(h) {
					healthy++
					continue
				}
				if msg == "" {
					msg = h
				}
				unhealthy = append(unhealthy, fmt.Sprintf("%s: %s (%s)", id, msg, h))
			}
			if len(unhealthy) == 0 {
				return nil
			}
			line := fmt.Sprintf("%d/%d healthy; waiting for %s", healthy, len(ids), unhealthy[0])
			if line != last {
				progress(line)
				last = line
			}
		}
		t := time.NewTimer(pollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			if parent.Err() != nil {
				return parent.Err()
			}
			if err != nil {
				return fmt.Errorf("%w after %s: %w", errWaitTimeout, timeout, err)
			}
			return fmt.Errorf("%w after %s; not healthy:\n  %s", errWaitTimeout, timeout, strings.Join(unhealthy, "\n  "))
		case <-t.C:
		}
	}
}
