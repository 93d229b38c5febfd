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
	"fmt"
	"strings"
	"time"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

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
func waitHealthy(ctx context.Context, ms *kube.Mappings, ids []kube.ObjectID, timeout time.Duration, progress func(string)) error {
	if len(ids) == 0 {
		return nil
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	for {
		live, err := kube.FetchLive(ctx, ms, managedSelector, ids)
		var unhealthy []string
		if err == nil {
			healthy := 0
			for _, id := range ids {
				h, msg := kube.HealthOf(live[id.String()])
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
