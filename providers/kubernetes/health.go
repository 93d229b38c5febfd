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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

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

// waitHealthy waits until the objects ids are healthy or timeout passes,
// reporting a compact line through progress whenever it changes. It
// watches the objects (kube.Watches: one watch per kind for the whole
// process, whatever the number of apps waiting) and looks again as soon
// as one of them changes; what cannot be watched is polled. An object the
// run did not apply because the plan found it unchanged, and which is
// gone, ends the wait as soon as that is known: this run will not make it
// again.
//
// An object whose apply response is already healthy (a ConfigMap, a
// Secret, a Role: what is healthy once it exists) is not watched: the
// response is the object at the version this run wrote, which is the
// first thing its watch would deliver. So the kinds that need no more
// than existence cost no watch and no events.
func (r *syncRun) waitHealthy(ctx context.Context, ids []kube.ObjectID, timeout time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	var left []kube.Target
	for _, t := range r.targets(ids) {
		if t.ResourceVersion != "" {
			if h, _ := kube.HealthOf(r.appliedObject(t.ID)); settled(h) {
				continue
			}
		}
		left = append(left, t)
	}
	return r.waitTargetsOf(ctx, left, len(ids), timeout)
}

// appliedObject is what the apply of id returned in this run, or nil.
func (r *syncRun) appliedObject(id kube.ObjectID) *unstructured.Unstructured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied[id.String()]
}

// waitTargets is waitHealthy of objects at given versions.
func (r *syncRun) waitTargets(ctx context.Context, targets []kube.Target, timeout time.Duration) error {
	return r.waitTargetsOf(ctx, targets, len(targets), timeout)
}

// waitTargetsOf is waitTargets of targets among total objects, the others
// healthy already.
func (r *syncRun) waitTargetsOf(ctx context.Context, targets []kube.Target, total int, timeout time.Duration) error {
	if len(targets) == 0 {
		return nil
	}
	ms, progress := r.ms, r.progress
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tr := ms.Cluster().Watches(managedSelector).Track(ms, targets)
	defer tr.Close()
	last := ""
	for {
		obs, err := tr.Observe(ctx)
		var unhealthy []string
		if err == nil {
			healthy := total - len(targets)
			for _, t := range targets {
				key := t.ID.String()
				h, msg := sdk.Progressing, "not seen yet"
				if !obs.Unseen[key] {
					h, msg = kube.HealthOf(obs.Objects[key])
				}
				if h == sdk.Missing && r.wasKept(key) {
					return fmt.Errorf("%s was deleted after the plan, which found it unchanged, so this apply did not apply it: run slipway apply again to create it", t.ID)
				}
				if settled(h) {
					healthy++
					continue
				}
				if msg == "" {
					msg = h
				}
				unhealthy = append(unhealthy, fmt.Sprintf("%s: %s (%s)", t.ID, msg, h))
			}
			if len(unhealthy) == 0 {
				return nil
			}
			line := fmt.Sprintf("%d/%d healthy; waiting for %s", healthy, total, unhealthy[0])
			if line != last {
				progress(line)
				last = line
			}
		}
		if tr.Wait(ctx, obs) != nil {
			if parent.Err() != nil {
				return parent.Err()
			}
			if err != nil {
				return fmt.Errorf("%w after %s: %w", errWaitTimeout, timeout, err)
			}
			return fmt.Errorf("%w after %s; not healthy:\n  %s", errWaitTimeout, timeout, strings.Join(unhealthy, "\n  "))
		}
	}
}

// wasKept reports whether the object key was left as the plan found it.
func (r *syncRun) wasKept(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kept[key]
}

// targets are the objects ids as this run applied them: a wait judges no
// version older than the one applied.
func (r *syncRun) targets(ids []kube.ObjectID) []kube.Target {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]kube.Target, len(ids))
	for i, id := range ids {
		out[i].ID = id
		if u := r.applied[id.String()]; u != nil {
			out[i].ResourceVersion = u.GetResourceVersion()
		}
	}
	return out
}
