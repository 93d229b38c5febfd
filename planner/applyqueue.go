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
type applyQueue struct {
	client *host.Client
	limit  int
	// secrets are masked in progress messages, diagnostics and errors.
	secrets []string

	mu       sync.Mutex
	queue    []*applyItem
	inflight int
}

type applyItem struct {
	ctx      context.Context
	req      sdk.ApplyRequest
	progress func(string)
	resp     sdk.ApplyResponse
	err      error
	finished bool
	done     chan struct{}
}

var errNoResult = errors.New("the provider ended the apply stream without a result for this instance")

func newApplyQueue(c *host.Client, limit int, secrets []string) *applyQueue {
	return &applyQueue{client: c, limit: max(limit, 1), secrets: secrets}
}

// Do applies one change and returns the provider's response.
func (q *applyQueue) Do(ctx context.Context, req sdk.ApplyRequest, progress func(string)) (sdk.ApplyResponse, error) {
	if progress != nil && len(q.secrets) > 0 {
		report := progress
		progress = func(msg string) { report(lang.MaskSensitive(msg, q.secrets)) }
	}
	it := &applyItem{ctx: ctx, req: req, progress: progress, done: make(chan struct{})}
	q.mu.Lock()
	q.queue = append(q.queue, it)
	q.dispatchLocked()
	q.mu.Unlock()
	<-it.done
	maskDiags(it.resp.Diagnostics, q.secrets)
	return it.resp, maskErr(it.err, q.secrets)
}

func (q *applyQueue) dispatchLocked() {
	if q.inflight >= q.limit || len(q.queue) == 0 {
		return
	}
	k := min(len(q.queue), q.limit-q.inflight)
	items := q.queue[:k:k]
	q.queue = q.queue[k:]
	q.inflight += k
	go q.run(items)
}

// finishLocked answers one item and frees its slot.
func (q *applyQueue) finishLocked(it *applyItem) {
	if it.finished {
		return
	}
	it.finished = true
	close(it.done)
	q.inflight--
	q.dispatchLocked()
}

func (q *applyQueue) run(items []*applyItem) {
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
