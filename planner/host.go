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
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// The walker is the Host every kind is given; plan, apply and validate
// walks add what their phase offers.
var _ kind.Host = (*walker)(nil)

// Dir is the configuration's directory.
func (w *walker) Dir() string { return w.cfg.Dir }

// Workspace is the selected workspace.
func (w *walker) Workspace() string { return w.c.workspace() }

// Expand evaluates a block's count or for_each. The planning or applying
// of the same block in this walk takes the instances it found
// (takeExpanded) rather than evaluating again.
func (w *walker) Expand(rc *lang.Resource) ([]kind.Instance, hcl.Diagnostics) {
	insts, diags := w.expand(rc)
	if !diags.HasErrors() {
		w.mu.Lock()
		if w.expanded == nil {
			w.expanded = map[addrs.Resource][]kind.Instance{}
		}
		w.expanded[rc.Addr] = insts
		w.mu.Unlock()
	}
	return insts, diags
}

// EvalContext is the evaluation context of one instance of rc.
func (w *walker) EvalContext(rc *lang.Resource, in kind.Instance) (*hcl.EvalContext, hcl.Diagnostics) {
	refs, diags := w.resourceRefs(rc)
	return w.scope.kindContext(refs, repOf(in)), diags
}

// Prior is an instance's entry in the prior state.
func (w *walker) Prior(addr addrs.ResourceInstance) *state.ResourceInstance {
	return w.c.State.Resources[addr.String()]
}

// PriorOf lists a block's instances in the prior state.
func (w *walker) PriorOf(r addrs.Resource) []*state.ResourceInstance { return w.prior[r] }

// SetValues gives a block its value for expressions.
func (w *walker) SetValues(rc *lang.Resource, insts []kind.Instance, vals []cty.Value) {
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
}

// Provider is a started provider configuration.
func (w *walker) Provider(p addrs.Provider) (kind.Provider, bool) {
	conn := w.conn(p)
	if conn == nil {
		return nil, false
	}
	return conn, true
}

var _ kind.Provider = (*providerConn)(nil)

// Schemas are the provider's schemas.
func (c *providerConn) Schemas() *sdk.ProviderSchemas { return c.schemas }

// Plan plans one instance, batched with the other calls in flight.
func (c *providerConn) Plan(ctx context.Context, req sdk.PlanRequest) (sdk.PlanResponse, error) {
	resps, err := c.plan.Do(ctx, []sdk.PlanRequest{req})
	if err != nil {
		return sdk.PlanResponse{}, err
	}
	return resps[0], nil
}

// Apply applies one change within the apply parallelism. What a kind
// applies this way (a pipeline's image push or promote commit) is
// recorded in the kind's own state entry, so the slot is free again once
// the provider answers.
func (c *providerConn) Apply(ctx context.Context, req sdk.ApplyRequest, progress func(string)) (sdk.ApplyResponse, error) {
	resp, release, err := c.apply.Do(ctx, req, nil, progress)
	release()
	return resp, err
}

var _ kind.PlanHost = (*planWalk)(nil)

// Targeted reports whether -target and -exclude leave addr in the plan.
func (w *planWalk) Targeted(addr addrs.ResourceInstance) bool { return w.targeted(addr) }

// ReplaceRequested reports whether -replace names addr.
func (w *planWalk) ReplaceRequested(addr addrs.ResourceInstance) bool {
	return slices.Contains(w.opts.Replace, addr)
}

// RolloutRequest is the request of `slipway rollout` for addr's
// rollout, or "".
func (w *planWalk) RolloutRequest(addr addrs.ResourceInstance) string {
	return w.opts.RolloutRequests[addr]
}

// AddChange adds a change to the plan.
func (w *planWalk) AddChange(ch *plans.ResourceChange) { w.addChange(ch) }

// AddWrite records a commit a block of this plan will make to src.
func (w *planWalk) AddWrite(src addrs.Resource, wr kind.Write) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.writes == nil {
		w.writes = map[addrs.Resource][]kind.Write{}
	}
	w.writes[src] = append(w.writes[src], wr)
}

// Writes returns the pending writes to the sources rc reads.
func (w *planWalk) Writes(rc *lang.Resource) map[addrs.Resource][]kind.Write {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.writes) == 0 {
		return nil
	}
	refs, _ := w.resourceRefs(rc)
	out := map[addrs.Resource][]kind.Write{}
	for _, ref := range refs {
		if r, ok := ref.Resource(); ok {
			if ws, ok := w.writes[r]; ok {
				out[r] = ws
			}
		}
	}
	return out
}

var _ kind.ApplyHost = (*applyWalk)(nil)

// Change is an instance's planned change, or nil.
func (w *applyWalk) Change(addr addrs.ResourceInstance) *plans.ResourceChange {
	return w.changes[addr.String()]
}

// ApplyDeletes deletes, concurrently, the instances of rc that count or
// for_each no longer produce.
func (w *applyWalk) ApplyDeletes(ctx context.Context, rc *lang.Resource) hcl.Diagnostics {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var diags hcl.Diagnostics
	for _, ch := range w.deletes[rc.Addr] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := w.applyDelete(ctx, ch)
			mu.Lock()
			diags = append(diags, d...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return diags
}

// Record puts an entry into the state the apply builds.
func (w *applyWalk) Record(ri *state.ResourceInstance) { w.a.set(ri) }

// Recorded is an entry of the state the apply builds, or nil.
func (w *applyWalk) Recorded(addr addrs.ResourceInstance) *state.ResourceInstance {
	return w.a.get(addr)
}

// UpdateSectionMember replaces one member of a state section
// (kind.ApplyHost).
func (w *applyWalk) UpdateSectionMember(section, member string, fn func(json.RawMessage) json.RawMessage) {
	w.a.updateMember(section, member, fn)
}

// Persist makes the state built so far durable.
func (w *applyWalk) Persist() { w.persist(nil) }

// Started reports that an instance's change starts.
func (w *applyWalk) Started(addr addrs.ResourceInstance, action plans.Action) {
	w.hooks.PreApply(addr, action)
}

// Progress reports an instance's progress.
func (w *applyWalk) Progress(addr addrs.ResourceInstance, message string) {
	w.hooks.Progress(addr, message)
}

// Finished makes the state durable and reports the outcome.
func (w *applyWalk) Finished(addr addrs.ResourceInstance, action plans.Action, start time.Time, diags hcl.Diagnostics) {
	w.finished(addr, action, start, diags)
}

// Approve passes an approval gate: named with -approve, or answered yes by
// the person running apply. A run nobody can be asked in fails with how to
// pass the gate.
func (w *applyWalk) Approve(ctx context.Context, gate, message string, progress func(string)) (bool, error) {
	stage := gate[strings.LastIndex(gate, ".")+1:]
	for _, g := range w.c.Approved {
		if g == gate {
			progress(fmt.Sprintf("[%s] %s approved by -approve=%s", stage, strconv.Quote(message), gate))
			return true, nil
		}
	}
	if w.c.Ask == nil {
		return false, fmt.Errorf("approval gate %s (%s) needs approval, and this run is not interactive; pass -approve=%s to approve it", gate, strconv.Quote(message), gate)
	}
	ok, err := w.c.Ask(ctx, gate, message)
	if err != nil {
		return false, fmt.Errorf("approval gate %s: %w", gate, err)
	}
	if !ok {
		return false, fmt.Errorf("approval gate %s (%s) was declined", gate, strconv.Quote(message))
	}
	progress(fmt.Sprintf("[%s] approved at the terminal", stage))
	return true, nil
}

// RereadSource reads a source again after a block of this apply
// committed to it, so that whatever reads it later in this apply sees the
// new commit, and records the new value.
func (w *applyWalk) RereadSource(ctx context.Context, src addrs.Resource) hcl.Diagnostics {
	rc := w.cfg.Resources[src.String()]
	if rc == nil {
		return nil
	}
	schema, ok := w.schemaOf(rc.Addr, rc.Provider)
	conn := w.conn(rc.Provider)
	if !ok || conn == nil {
		return nil
	}
	addr := rc.Addr.Instance(addrs.NoKey)
	cfgVal, sens, diags := w.evalResourceConfig(rc, schema, kind.Instance{Addr: addr}, bodyConfig)
	if diags.HasErrors() {
		return diags
	}
	prior := cty.NullVal(schema.ImpliedType())
	if ri := w.a.get(addr); ri != nil {
		prior = ri.Value
	}
	r := rc.DeclRange
	resps, err := conn.sources.Do(ctx, []sdk.SourceReadRequest{{Address: addr.String(), TypeName: rc.Addr.Type, Config: cfgVal, PriorState: prior}})
	if err != nil {
		return append(diags, kind.Errorf("Source read failed", &r, "Reading %s again after a promote: %v", addr, err))
	}
	diags = append(diags, kind.ProviderDiags(resps[0].Diagnostics, addr.String(), &r)...)
	if diags.HasErrors() {
		return diags
	}
	after := fillObject(schema, resps[0].State)
	w.vals.setResource(rc.Addr, after)
	w.a.set(&state.ResourceInstance{Addr: addr, Provider: rc.Provider, Type: rc.Addr.Type, Value: after, Sensitive: sens})
	w.persist(nil)
	return diags
}
