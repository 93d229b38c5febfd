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
	"errors"
	"sync"

	"slipway.dev/slipway/lang"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
)

// applyQueue sends apply requests to one provider, at most limit
// instances in flight at once. Requests queued together travel in one
// streaming call, and each caller is answered as soon as its own instance
// finishes, so a slow object never holds back a fast one's state write.
//
// An instance holds its slot until its caller releases it, once the
// outcome is durable in the intent journal, or until the provider says it
// only waits from now on (host.ApplyEvent.Waiting: every write it makes
// is made, it waits for health), whichever comes first. So at most limit
// changes are being made at once — started, and neither waiting nor
// recorded — while any number may wait; each of them had its intent made
// durable before the provider heard of it (start).
type applyQueue struct {
	client *host.Client
	limit  int
	// secrets are masked in progress messages, diagnostics and errors.
	secrets *secretSet

	mu       sync.Mutex
	queue    []*applyItem
	inflight int
}

type applyItem struct {
	ctx      context.Context
	req      sdk.ApplyRequest
	start    func() error // called when the change leaves the queue, or nil; an error keeps it from the provider
	progress func(string)
	resp     sdk.ApplyResponse
	err      error
	finished bool
	released bool
	done     chan struct{}
}

var errNoResult = errors.New("the provider ended the apply stream without a result for this instance")

func newApplyQueue(c *host.Client, limit int, secrets *secretSet) *applyQueue {
	return &applyQueue{client: c, limit: max(limit, 1), secrets: secrets}
}

// Do applies one change and returns the provider's response, with the
// values of sensitive variables masked in what the provider says. start,
// when not nil, is called as the change leaves the queue for the
// provider; when it fails, the provider is not asked and Do returns its
// error. The instance keeps its slot until release is called, or until
// the provider reports that it only waits; release may be called more
// than once.
func (q *applyQueue) Do(ctx context.Context, req sdk.ApplyRequest, start func() error, progress func(string)) (resp sdk.ApplyResponse, release func(), err error) {
	if progress != nil {
		report := progress
		progress = func(msg string) { report(lang.MaskSensitive(msg, q.secrets.strings())) }
	}
	it := &applyItem{ctx: ctx, req: req, start: start, progress: progress, done: make(chan struct{})}
	q.mu.Lock()
	q.queue = append(q.queue, it)
	q.dispatchLocked()
	q.mu.Unlock()
	<-it.done
	maskDiags(it.resp.Diagnostics, q.secrets.strings())
	return it.resp, func() { q.release(it) }, maskErr(it.err, q.secrets.strings())
}

// release frees an instance's slot: once it is answered, or once it only
// waits.
func (q *applyQueue) release(it *applyItem) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if it.released {
		return
	}
	it.released = true
	q.inflight--
	q.dispatchLocked()
}

func (q *applyQueue) dispatchLocked() {
	if q.inflight >= q.limit || len(q.queue) == 0 {
		return
	}
	k := min(len(q.queue), q.limit-q.inflight)
	items := takeFront(&q.queue, k)
	q.inflight += k
	go q.run(items)
}

// finishLocked answers one item; its slot stays taken until release.
func (q *applyQueue) finishLocked(it *applyItem) {
	if it.finished {
		return
	}
	it.finished = true
	close(it.done)
}

func (q *applyQueue) run(items []*applyItem) {
	// Each change's start (its intent made durable) comes before the
	// provider hears of it; one whose start fails is not sent.
	// The starts run together, so that their journal entries share one
	// write and fsync.
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		if it.start != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = it.start()
			}()
		}
	}
	wg.Wait()
	var sent []*applyItem
	for i, it := range items {
		if errs[i] != nil {
			q.mu.Lock()
			it.err = errs[i]
			q.finishLocked(it)
			q.mu.Unlock()
			continue
		}
		sent = append(sent, it)
	}
	if len(sent) == 0 {
		return
	}
	items = sent
	reqs := make([]sdk.ApplyRequest, len(items))
	for i, it := range items {
		reqs[i] = it.req
	}
	err := q.client.Apply(items[0].ctx, reqs, func(ev host.ApplyEvent) {
		if ev.Index < 0 || ev.Index >= len(items) {
			return
		}
		it := items[ev.Index]
		if !ev.Done {
			if it.progress != nil && ev.Message != "" {
				it.progress(ev.Message)
			}
			if ev.Waiting {
				// Its writes are done: another change may start while it
				// waits. The caller's release later is a no-op.
				q.release(it)
			}
			return
		}
		q.mu.Lock()
		if ev.Response != nil {
			it.resp = *ev.Response
		} else {
			it.err = errNoResult
		}
		q.finishLocked(it)
		q.mu.Unlock()
	})
	q.mu.Lock()
	for _, it := range items {
		if !it.finished {
			if err != nil {
				it.err = err
			} else {
				it.err = errNoResult
			}
			q.finishLocked(it)
		}
	}
	q.mu.Unlock()
}
