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

package planner

import (
	"context"
	"slices"
	"sync"
)

// batcher merges requests from many graph nodes into few provider calls.
// A call starts as soon as fewer than maxInflight calls are running; it
// takes every request queued so far, up to maxBatch, so requests that
// arrive while calls are in flight travel together in the next one.
type batcher[Q, R any] struct {
	call        func(context.Context, []Q) ([]R, error)
	maxBatch    int
	maxInflight int

	mu       sync.Mutex
	queue    []*batchGroup[Q, R]
	inflight int
}

type batchGroup[Q, R any] struct {
	ctx   context.Context
	reqs  []Q
	resps []R
	err   error
	done  chan struct{}
}

func newBatcher[Q, R any](maxBatch, maxInflight int, call func(context.Context, []Q) ([]R, error)) *batcher[Q, R] {
	return &batcher[Q, R]{call: call, maxBatch: max(maxBatch, 1), maxInflight: max(maxInflight, 1)}
}

// Do sends reqs, possibly together with other callers' requests, and
// returns their responses in order.
func (b *batcher[Q, R]) Do(ctx context.Context, reqs []Q) ([]R, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	g := &batchGroup[Q, R]{ctx: ctx, reqs: reqs, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, g)
	b.dispatchLocked()
	b.mu.Unlock()
	<-g.done
	return g.resps, g.err
}

func (b *batcher[Q, R]) dispatchLocked() {
	for b.inflight < b.maxInflight && len(b.queue) > 0 {
		n := 0
		i := 0
		for i < len(b.queue) && (i == 0 || n+len(b.queue[i].reqs) <= b.maxBatch) {
			n += len(b.queue[i].reqs)
			i++
		}
		groups := takeFront(&b.queue, i)
		b.inflight++
		go b.run(groups, n)
	}
}

func (b *batcher[Q, R]) run(groups []*batchGroup[Q, R], n int) {
	all := make([]Q, 0, n)
	for _, g := range groups {
		all = append(all, g.reqs...)
	}
	resps, err := b.call(groups[0].ctx, all)
	if err == nil && len(resps) != len(all) {
		err = errBatchLength
	}
	off := 0
	for _, g := range groups {
		if err != nil {
			g.err = err
		} else {
			g.resps = resps[off : off+len(g.reqs)]
		}
		off += len(g.reqs)
		close(g.done)
	}
	b.mu.Lock()
	b.inflight--
	b.dispatchLocked()
	b.mu.Unlock()
}

// takeFront removes the first k items of the queue q and returns them.
// They leave its array too: what stayed there would keep each item (a
// batch's requests and responses, a plan's values among them) alive as
// long as the queue.
func takeFront[T any](q *[]T, k int) []T {
	taken := slices.Clone((*q)[:k])
	clear((*q)[:k])
	*q = (*q)[k:]
	return taken
}
