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
	"sort"
	"sync"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// A refresh needs only what state recorded and a configured provider, not
// the configuration: once a provider is configured, the plan refreshes
// every instance it holds that the walk will refresh, in one batch, while
// the walk reads sources and evaluates configurations. The block's node
// then takes the result instead of reading the instance itself. A plan of
// 1,000 apps spends about a quarter of a second reading its source and
// evaluating the apps before their refresh could begin otherwise.
//
// An instance is read early only when the walk would read it as it stands:
// in scope of -target and -exclude, of a block planned as the type state
// records (resource blocks and kind.EngineRefreshed kinds) or of a block
// gone from the configuration, whose provider has that type. The node
// takes the early read only for the same prior state, provider and type;
// otherwise, or when the early batch failed as a whole, it reads the
// instance itself, as before.

// earlyRead is the early refresh of one instance.
type earlyRead struct {
	prior    *state.ResourceInstance
	provider addrs.Provider
	typeName string
	batch    *earlyBatch
	n        int // index in the batch
}

// earlyBatch is one provider's early refresh.
type earlyBatch struct {
	done  chan struct{}
	resps []sdk.ReadResponse
	err   error
}

// earlyReads are a plan's early refreshes, by instance address.
type earlyReads struct {
	mu      sync.Mutex
	reads   map[string]*earlyRead
	batches []*earlyBatch
	ctx     context.Context
	cancel  context.CancelFunc
}

// readEarly begins the early refresh of what provider pa holds.
func (w *planWalk) readEarly(ctx context.Context, pa addrs.Provider) {
	conn := w.conns[pa]
	if !w.opts.Refresh || w.offline || conn == nil || conn.demand != nil {
		// A provider started on demand holds nothing in state.
		return
	}
	var insts []*state.ResourceInstance
	for _, ri := range w.c.State.Resources {
		if ri.Provider != pa || ri.Type == "" || ri.Addr.Resource.Kind == addrs.Source || !w.targeted(ri.Addr) {
			continue
		}
		if _, ok := conn.schemas.Resources[ri.Type]; !ok {
			continue
		}
		if rc := w.cfg.Resources[ri.Addr.Resource.String()]; rc != nil && !w.refreshedByEngine(rc) {
			continue
		}
		insts = append(insts, ri)
	}
	if len(insts) == 0 {
		return
	}
	sort.Slice(insts, func(i, j int) bool { return insts[i].Addr.Less(insts[j].Addr) })
	b := &earlyBatch{done: make(chan struct{})}
	reqs := make([]sdk.ReadRequest, len(insts))
	e := &w.early
	e.mu.Lock()
	if e.reads == nil {
		e.reads = map[string]*earlyRead{}
		e.ctx, e.cancel = context.WithCancel(ctx)
	}
	for i, ri := range insts {
		reqs[i] = sdk.ReadRequest{Address: ri.Addr.String(), TypeName: ri.Type, State: ri.Value, Private: ri.Private}
		e.reads[ri.Addr.String()] = &earlyRead{prior: ri, provider: pa, typeName: ri.Type, batch: b, n: i}
	}
	e.batches = append(e.batches, b)
	rctx := e.ctx
	e.mu.Unlock()
	go func() {
		defer close(b.done)
		// The batcher answers one response per request, or an error.
		b.resps, b.err = conn.read.Do(rctx, reqs)
	}()
}

// refreshedByEngine reports whether the walk refreshes rc's instances as
// the type state records for them.
func (w *planWalk) refreshedByEngine(rc *lang.Resource) bool {
	if rc.Addr.Kind == addrs.Managed {
		return true
	}
	_, ok := w.kinds[rc.Addr.Kind].(kind.EngineRefreshed)
	return ok
}

// takeEarly returns the early refresh of prior, read through provider pa
// as typeName, waiting for it if it is still under way. ok is false when
// there is none for that, or its batch failed: the caller reads prior
// itself.
func (w *planWalk) takeEarly(prior *state.ResourceInstance, pa addrs.Provider, typeName string) (resp sdk.ReadResponse, ok bool) {
	e := &w.early
	e.mu.Lock()
	r := e.reads[prior.Addr.String()]
	if r != nil {
		delete(e.reads, prior.Addr.String())
	}
	e.mu.Unlock()
	if r == nil || r.prior != prior || r.provider != pa || r.typeName != typeName {
		return resp, false
	}
	<-r.batch.done
	if r.batch.err != nil {
		return resp, false
	}
	return r.batch.resps[r.n], true
}

// stopEarly ends the early refreshes nothing took (the walk stopped before
// their nodes) and waits for them.
func (w *planWalk) stopEarly() {
	e := &w.early
	e.mu.Lock()
	batches, cancel := e.batches, e.cancel
	e.reads, e.batches = nil, nil
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	for _, b := range batches {
		<-b.done
	}
}
