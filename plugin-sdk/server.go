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

package sdk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc/status"

	"slipway.dev/slipway/plugin-sdk/internal/par"
	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
	"slipway.dev/slipway/plugin-sdk/memo"
)

// maxConcurrency bounds how many provider methods one batch runs at once,
// so a batch of thousands does not open thousands of API connections.
const maxConcurrency = 16

// maxApplyItems bounds how many items of one apply call run at once. The
// host already bounds what it sends (slipway apply -parallelism); this
// only keeps a host that sends thousands from starting them all.
const maxApplyItems = 256

// server is the gRPC side of a provider: it decodes requests, calls the
// provider's plain Go methods and encodes what they return.
type server struct {
	protocol.UnimplementedProviderServer

	p       Provider
	meta    Metadata
	pSchema Schema

	resources map[string]Resource
	rSchemas  map[string]Schema
	rTypes    map[string]cty.Type
	sources   map[string]Source
	sSchemas  map[string]Schema
	sTypes    map[string]cty.Type

	schemaResp *protocol.GetSchema_Response

	// refreshed holds the new state of every instance the last
	// ReadResources returned, by address, for the plan that follows: the
	// host then need not send it again (PlanRequest.PriorFromRefresh).
	// An instance read with its state left out and found unchanged
	// (ResourceWithElidedState) is kept as cty.NilVal: its plan is asked
	// of PlanElided first.
	refreshMu sync.Mutex
	refreshed map[string]cty.Value

	// inflight holds the calls in flight, whose contexts Stop cancels.
	inflight calls

	// configs, in a process the host keeps (ConfigureRequest.Resident),
	// holds the configurations PlanResources decoded and found valid, by
	// digest of their type and encoded form (PlanRequest.ConfigDigest),
	// for the session that sent them and the next: a host that plans
	// again sends the same bytes for every configuration that did not
	// change, and decoding and validating a thousand of them cost the
	// provider more than the rest of a plan that changes nothing.
	configs configMemo

	// readPrivate holds the private state each address was last sent in
	// ReadResources, for the session that sent it and the next: a host
	// may leave out a private state this process holds
	// (private_as_last_read, prior_private_from_refresh). At 1,000 apps,
	// the same few megabytes crossed at every plan.
	readPrivate memo.Generations[[]byte]
}

// configMemo remembers decoded configurations for two sessions; see
// server.configs. Its zero value remembers nothing until a resident
// Configure.
type configMemo struct {
	on atomic.Bool
	memo.Generations[cty.Value]
}

// start starts a session: what the one before last decoded is
// forgotten. on says whether the process is kept between plans.
func (m *configMemo) start(on bool) {
	m.on.Store(on)
	if !on {
		m.Forget()
		return
	}
	m.Next()
}

// decode decodes a configuration of type ty (typeName), returning, in a
// process the host keeps, its digest and whether it was decoded and
// found valid before (known).
func (m *configMemo) decode(typeName string, dv *protocol.DynamicValue, ty cty.Type) (cfg cty.Value, digest string, known bool, err error) {
	if !m.on.Load() || dv == nil {
		cfg, err = wire.DecodeValue(dv, ty)
		return cfg, "", false, err
	}
	h := sha256.New()
	h.Write([]byte(typeName))
	h.Write([]byte{0})
	h.Write(dv.Msgpack)
	digest = hex.EncodeToString(h.Sum(nil))
	if cfg, known = m.Get(digest); known {
		return cfg, digest, true, nil
	}
	cfg, err = wire.DecodeValue(dv, ty)
	if err != nil {
		return cfg, "", false, err
	}
	return cfg, digest, false, nil
}

// valid records that the configuration of digest (from decode) passed
// the schema's validators.
func (m *configMemo) valid(digest string, cfg cty.Value) {
	if digest == "" || !m.on.Load() {
		return
	}
	m.Put(digest, cfg)
}

// takeRefreshed returns (and forgets) the state the last refresh
// returned for address.
func (s *server) takeRefreshed(address string) (cty.Value, bool) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	v, ok := s.refreshed[address]
	delete(s.refreshed, address)
	return v, ok
}

var _ protocol.ProviderServer = (*server)(nil)

// newServer asks the provider for its schemas once; they are fixed for the
// life of the process.
func newServer(p Provider) *server {
	s := &server{
		p:         p,
		resources: map[string]Resource{},
		rSchemas:  map[string]Schema{},
		rTypes:    map[string]cty.Type{},
		sources:   map[string]Source{},
		sSchemas:  map[string]Schema{},
		sTypes:    map[string]cty.Type{},
	}
	resp := &protocol.GetSchema_Response{
		ProtocolVersion: wire.ProtocolVersion,
		ResourceSchemas: map[string]*protocol.Schema{},
		SourceSchemas:   map[string]*protocol.Schema{},
	}
	var diags Diagnostics
	func() {
		defer recoverInto(&diags, "the provider", "Metadata")
		s.meta = p.Metadata()
	}()
	addSchema := func(what string, get func() Schema, into map[string]*protocol.Schema, key string) (Schema, bool) {
		var sch Schema
		var d Diagnostics
		func() {
			defer recoverInto(&d, what, "Schema")
			sch = get()
		}()
		d = append(d, checkSchema(what, sch)...)
		if !d.HasErrors() {
			ps, err := schemaToProto(sch)
			if err != nil {
				d.AddError("Invalid provider schema", fmt.Sprintf("The schema of %s cannot be encoded: %s.", what, err))
			} else if into != nil {
				into[key] = ps
			} else {
				resp.Provider = ps
			}
		}
		diags = append(diags, d...)
		return sch, !d.HasErrors()
	}
	s.pSchema, _ = addSchema("the provider configuration", p.Schema, nil, "")

	var resources map[string]Resource
	func() {
		defer recoverInto(&diags, "the provider", "Resources")
		resources = p.Resources()
	}()
	for name, r := range resources {
		if r == nil {
			continue
		}
		sch, ok := addSchema(fmt.Sprintf("resource type %q", name), r.Schema, resp.ResourceSchemas, name)
		if ok {
			s.resources[name], s.rSchemas[name], s.rTypes[name] = r, sch, sch.ImpliedType()
			if _, ok := r.(ResourceWithElidedState); ok {
				resp.ElidedStateTypes = append(resp.ElidedStateTypes, name)
			}
		}
	}
	sort.Strings(resp.ElidedStateTypes)
	resp.PlansPriorElided = true
	resp.KeepsReadPrivate = true
	if ps, ok := p.(ProviderWithSources); ok {
		var sources map[string]Source
		func() {
			defer recoverInto(&diags, "the provider", "Sources")
			sources = ps.Sources()
		}()
		for name, src := range sources {
			if src == nil {
				continue
			}
			sch, ok := addSchema(fmt.Sprintf("source type %q", name), src.Schema, resp.SourceSchemas, name)
			if ok {
				s.sources[name], s.sSchemas[name], s.sTypes[name] = src, sch, sch.ImpliedType()
			}
		}
	}
	resp.Metadata = &protocol.Metadata{Name: s.meta.Name, Version: s.meta.Version, Offline: s.meta.Offline, ApplyParallelism: int64(max(s.meta.ApplyParallelism, 0)), Sessions: s.meta.Sessions, GracefulStop: true}
	resp.Diagnostics = diagsToProto(diags)
	s.schemaResp = resp
	return s
}

// recoverInto turns a panic in a provider method into an error diagnostic
// that names the provider, the method and what it was working on, with the
// stack in the detail, so one bad resource does not take the process (and
// every other resource in flight) down with it. Call it deferred.
func recoverInto(diags *Diagnostics, subject, method string) {
	if r := recover(); r != nil {
		addPanic(diags, subject, method, r)
	}
}

// addPanic adds the error diagnostic of recoverInto for r, a panic
// recovered by a deferred call that is still running.
func addPanic(diags *Diagnostics, subject, method string, r any) {
	diags.AddError("Provider panicked", fmt.Sprintf(
		"The provider panicked in %s of %s: %v\n\nThis is a bug in the provider; please report it to the provider's author with this detail:\n\n%s",
		method, subject, r, debug.Stack()))
}

// askElided calls method, a ResourceWithElidedState method, for n
// instances. When it panics or answers for another number, it answers
// false for every one, and they are read or planned in full, so the user
// sees no error; the provider's author finds the bug in slipway's log.
func askElided(typeName, method string, n int, call func() []bool) []bool {
	var out []bool
	var panicked Diagnostics
	func() {
		defer recoverInto(&panicked, subject("resource", "", typeName), method)
		out = call()
	}()
	switch {
	case len(panicked) > 0:
		fmt.Fprintf(os.Stderr, "[WARN] resource type %q: %s: %s; its instances are read and planned in full\n", typeName, panicked[0].Summary, panicked[0].Detail)
		return make([]bool, n)
	case len(out) != n:
		fmt.Fprintf(os.Stderr, "[WARN] resource type %q: %s answered for %d instances of %d, a bug in the provider; they are read and planned in full\n", typeName, method, len(out), n)
		return make([]bool, n)
	}
	return out
}

// subject names a request's target for messages: its address when the core
// sent one, its type otherwise.
func subject(kind, address, typeName string) string {
	if address != "" {
		return address
	}
	return fmt.Sprintf("%s type %q", kind, typeName)
}

func unsupported(kind, typeName string) Diagnostics {
	var d Diagnostics
	d.AddError("Unsupported "+kind+" type",
		fmt.Sprintf("This provider has no %s type %q. Check the type name, or the provider version that declares it.", kind, typeName))
	return d
}

func decodeError(what string, err error) Diagnostics {
	var d Diagnostics
	d.AddError("Invalid value from slipway",
		fmt.Sprintf("The %s sent to the provider does not match its schema: %s. This is a bug in slipway or in the provider's schema.", what, err))
	return d
}

func encodeError(what, subj string, err error) Diagnostics {
	var d Diagnostics
	d.AddError("Provider produced an invalid value",
		fmt.Sprintf("The %s the provider returned for %s does not match its schema: %s. This is a bug in the provider; please report it to its author.", what, subj, err))
	return d
}

// runBounded runs tasks with at most maxConcurrency at once and waits.
func runBounded(tasks []func()) { runBoundedBy(maxConcurrency, tasks) }

// runBoundedBy runs tasks with at most limit at once and waits.
func runBoundedBy(limit int, tasks []func()) {
	if len(tasks) == 1 {
		tasks[0]()
		return
	}
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for _, task := range tasks {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			task()
		}()
	}
	wg.Wait()
}

// sortedKeys returns a group map's keys in order, so batches are
// dispatched deterministically.
func sortedKeys(m map[string][]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *server) GetSchema(context.Context, *protocol.GetSchema_Request) (*protocol.GetSchema_Response, error) {
	return s.schemaResp, nil
}

func (s *server) Configure(ctx context.Context, req *protocol.Configure_Request) (*protocol.Configure_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	var resp ConfigureResponse
	cfg, err := wire.DecodeValue(req.Config, s.pSchema.ImpliedType())
	if err != nil {
		return &protocol.Configure_Response{Diagnostics: diagsToProto(decodeError("provider configuration", err))}, nil
	}
	if d := runValidators("the provider configuration", s.pSchema.Attributes, s.pSchema.Blocks, cfg); d.HasErrors() {
		return &protocol.Configure_Response{Diagnostics: diagsToProto(d)}, nil
	}
	// A Configure starts a session (Metadata.Sessions): the refresh of
	// the last one is not the next plan's.
	s.refreshMu.Lock()
	s.refreshed = nil
	s.refreshMu.Unlock()
	s.configs.start(req.Resident)
	s.readPrivate.Next()
	func() {
		defer recoverInto(&resp.Diagnostics, "the provider", "Configure")
		s.p.Configure(ctx, ConfigureRequest{Config: cfg, SlipwayVersion: req.SlipwayVersion, Offline: req.Offline, Resident: req.Resident}, &resp)
	}()
	return &protocol.Configure_Response{Diagnostics: diagsToProto(resp.Diagnostics)}, nil
}

// Stop cancels the context of every call in flight, then calls the
// provider's own Stop, if it has one, and answers once every call in
// flight has returned, or when slipway gives up waiting (its context
// ends): slipway kills a provider whose calls do not return in time.
// A graceful Stop only closes the Interrupt channel of the applies in
// flight, and answers at once.
func (s *server) Stop(ctx context.Context, req *protocol.Stop_Request) (*protocol.Stop_Response, error) {
	if req.GetGraceful() {
		s.inflight.interrupt()
		return &protocol.Stop_Response{}, nil
	}
	idle := s.inflight.cancel()
	var err error
	if ps, ok := s.p.(ProviderWithStop); ok {
		var diags Diagnostics
		func() {
			defer recoverInto(&diags, "the provider", "Stop")
			err = ps.Stop(ctx)
		}()
		if err == nil {
			err = diags.Err()
		}
	}
	if err != nil {
		return &protocol.Stop_Response{Error: err.Error()}, nil
	}
	select {
	case <-idle:
		return &protocol.Stop_Response{}, nil
	case <-ctx.Done():
		// slipway gave up waiting; it kills the process.
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

func (s *server) ValidateResourceConfigs(ctx context.Context, req *protocol.ValidateResourceConfigs_Request) (*protocol.ValidateResourceConfigs_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	resps := make([]ValidateResponse, len(req.Items))
	var tasks []func()
	for i, it := range req.Items {
		r, ok := s.resources[it.TypeName]
		if !ok {
			resps[i].Diagnostics = unsupported("resource", it.TypeName)
			continue
		}
		cfg, err := wire.DecodeValue(it.Config, s.rTypes[it.TypeName])
		if err != nil {
			resps[i].Diagnostics = decodeError("configuration", err)
			continue
		}
		vreq := ValidateRequest{TypeName: it.TypeName, Config: cfg}
		schema := s.rSchemas[it.TypeName]
		tasks = append(tasks, func() {
			subj := subject("resource", "", it.TypeName)
			if v, ok := r.(ResourceWithValidate); ok {
				func() {
					defer recoverInto(&resps[i].Diagnostics, subj, "Validate")
					v.Validate(ctx, vreq, &resps[i])
				}()
			} else {
				resps[i].Diagnostics = ValidateConfig(schema, cfg)
			}
			// The schema's validators run whatever the resource does,
			// each under recovery of its own (runValidators).
			resps[i].Diagnostics = append(resps[i].Diagnostics, runValidators(subj, schema.Attributes, schema.Blocks, cfg)...)
		})
	}
	runBounded(tasks)
	out := &protocol.ValidateResourceConfigs_Response{Results: make([]*protocol.ValidateResourceConfigs_Result, len(resps))}
	for i := range resps {
		out.Results[i] = &protocol.ValidateResourceConfigs_Result{Diagnostics: diagsToProto(resps[i].Diagnostics)}
	}
	return out, nil
}

func (s *server) PlanResources(ctx context.Context, req *protocol.PlanResources_Request) (*protocol.PlanResources_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	n := len(req.Items)
	reqs := make([]PlanRequest, n)
	resps := make([]PlanResponse, n)
	defaults := make([]cty.Value, n)
	missing := make([]bool, n)
	undecoded := make([]bool, n)
	// elided[i] is set for an item whose refresh left its state out and
	// found it unchanged, or that came without its prior state as
	// recorded: it is planned by PlanElided, or sent again.
	elided := make([]bool, n)
	// Values are decoded in parallel: a plan of many instances carries
	// megabytes of them.
	par.Each(n, func(i int) {
		it := req.Items[i]
		if _, ok := s.resources[it.TypeName]; !ok {
			resps[i].Diagnostics = unsupported("resource", it.TypeName)
			undecoded[i] = true
			return
		}
		schema, ty := s.rSchemas[it.TypeName], s.rTypes[it.TypeName]
		subj := subject("resource", it.Address, it.TypeName)
		cfg, digest, known, err1 := s.configs.decode(it.TypeName, it.Config, ty)
		// validCfg runs the schema's validators on cfg once per
		// decoded configuration.
		validCfg := func() Diagnostics {
			if known {
				return nil
			}
			d := runValidators(subj, schema.Attributes, schema.Blocks, cfg)
			if !d.HasErrors() {
				s.configs.valid(digest, cfg)
			}
			return d
		}
		// withoutPrior: the prior state stands where the provider cannot
		// see it (kept by the host after the refresh found it unchanged,
		// or recorded with no refresh since). PlanElided may only say
		// the plan changes nothing; a configuration the validators
		// refuse, or a delete, is planned in full once the host sends
		// the prior state.
		// priv is the prior private state: as sent, or as the refresh
		// was sent it.
		priv := it.PriorPrivate
		withoutPrior := func() {
			missing[i] = true
			if err1 == nil && !cfg.IsNull() && !validCfg().HasErrors() {
				reqs[i] = PlanRequest{Address: it.Address, TypeName: it.TypeName, Config: cfg, PriorPrivate: priv, PriorFromRefresh: it.PriorFromRefresh, ConfigDigest: digest}
				elided[i] = true
			}
		}
		var prior cty.Value
		var err2 error
		switch {
		case it.PriorPrivateFromRefresh && !it.PriorFromRefresh:
			// Only what a refresh kept can be taken from it.
			missing[i] = true
			return
		case it.PriorElided:
			withoutPrior()
			return
		case it.PriorFromRefresh:
			var ok bool
			if prior, ok = s.takeRefreshed(it.Address); !ok {
				missing[i] = true
				return
			}
			if it.PriorPrivateFromRefresh {
				if priv, ok = s.readPrivate.Get(it.Address); !ok {
					missing[i] = true
					return
				}
			}
			if prior == cty.NilVal {
				withoutPrior()
				return
			}
		default:
			prior, err2 = wire.DecodeValue(it.PriorState, ty)
		}
		proposed, err3 := wire.DecodeValue(it.ProposedNewState, ty)
		if err := firstErr(err1, err2, err3); err != nil {
			resps[i].Diagnostics = decodeError("plan request", err)
			undecoded[i] = true
			return
		}
		if d := validCfg(); d.HasErrors() {
			// A configuration the schema's validators refuse is not
			// planned: plan shows the same errors validate would.
			resps[i].Diagnostics = d
			undecoded[i] = true
			return
		}
		if proposed.IsNull() && !cfg.IsNull() {
			proposed = ProposedNewState(schema, prior, cfg)
		}
		reqs[i] = PlanRequest{
			Address: it.Address, TypeName: it.TypeName,
			Config: cfg, PriorState: prior, ProposedNewState: proposed,
			PriorPrivate: priv, ConfigDigest: digest,
		}
		// DefaultPlan runs the schema's plan modifiers, the provider's
		// code: a panic in one fails this item alone, which is then
		// planned no further.
		var panicked Diagnostics
		func() {
			defer recoverInto(&panicked, subj, "DefaultPlan")
			DefaultPlan(schema, reqs[i], &resps[i])
		}()
		if len(panicked) > 0 {
			resps[i] = PlanResponse{Diagnostics: append(resps[i].Diagnostics, panicked...)}
			undecoded[i] = true
			return
		}
		defaults[i] = resps[i].PlannedState
	})
	groups := map[string][]int{}
	elidedGroups := map[string][]int{}
	for i, it := range req.Items {
		// Deletes are planned by the SDK alone: there is nothing for a
		// provider to decide about a null configuration.
		if !missing[i] && !undecoded[i] && !reqs[i].Config.IsNull() {
			groups[it.TypeName] = append(groups[it.TypeName], i)
		}
		if elided[i] {
			if _, ok := s.resources[it.TypeName].(ResourceWithElidedState); ok {
				elidedGroups[it.TypeName] = append(elidedGroups[it.TypeName], i)
			}
		}
	}

	var tasks []func()
	for _, typeName := range sortedKeys(elidedGroups) {
		idx := elidedGroups[typeName]
		er := s.resources[typeName].(ResourceWithElidedState)
		tasks = append(tasks, func() {
			breqs := make([]PlanRequest, len(idx))
			for j, i := range idx {
				breqs[j] = reqs[i]
			}
			// Without an answer, each is planned in full once slipway
			// sends the prior state.
			unchanged := askElided(typeName, "PlanElided", len(idx), func() []bool { return er.PlanElided(ctx, breqs) })
			for j, i := range idx {
				if unchanged[j] {
					missing[i] = false
					resps[i] = PlanResponse{Unchanged: true, PlannedPrivate: reqs[i].PriorPrivate}
				}
			}
		})
	}
	for _, typeName := range sortedKeys(groups) {
		idx := groups[typeName]
		switch r := s.resources[typeName].(type) {
		case ResourceWithBatchPlan:
			tasks = append(tasks, func() {
				batchCall(idx, reqs, resps, subject("resource", "", typeName), "PlanBatch",
					func(q []PlanRequest, a []PlanResponse) { r.PlanBatch(ctx, q, a) },
					func(a *PlanResponse) *Diagnostics { return &a.Diagnostics }, nil)
			})
		case ResourceWithPlan:
			for _, i := range idx {
				tasks = append(tasks, func() {
					defer recoverInto(&resps[i].Diagnostics, subject("resource", reqs[i].Address, typeName), "Plan")
					r.Plan(ctx, reqs[i], &resps[i])
				})
			}
		}
	}
	runBounded(tasks)

	out := &protocol.PlanResources_Response{Results: make([]*protocol.PlanResources_Result, n)}
	par.Each(n, func(i int) {
		it := req.Items[i]
		res := &protocol.PlanResources_Result{}
		out.Results[i] = res
		if missing[i] {
			res.PriorMissing = true
			return
		}
		ty, ok := s.rTypes[it.TypeName]
		if !ok {
			res.Diagnostics = diagsToProto(resps[i].Diagnostics)
			return
		}
		planned := resps[i].PlannedState
		switch {
		case resps[i].Unchanged:
			// The provider says so: nothing to compare or conform.
		case planned == cty.NilVal:
			planned = defaults[i]
		case !undecoded[i] && !planned.RawEquals(defaults[i]):
			// The resource's Plan method made it: give it the schema's
			// type (Set leaves attributes out) and keep what
			// UseStateForUnknown keeps. What Plan returned may be
			// anything: a panic over it is an error of this item alone,
			// as a panic in Plan is.
			schema, subj := s.rSchemas[it.TypeName], subject("resource", it.Address, it.TypeName)
			func() {
				defer recoverInto(&resps[i].Diagnostics, subj, "the SDK's handling of the planned state")
				n := len(resps[i].Diagnostics)
				planned = s.conform(schema, planned, &resps[i].Diagnostics, "planned state", subj)
				// A value conform could not give the schema's type (it
				// said so in an error) is not walked by the schema.
				if len(resps[i].Diagnostics) == n {
					planned = keepStateForUnknown(schema, reqs[i], planned, len(resps[i].RequiresReplace) > 0)
				}
			}()
		}
		prior := reqs[i].PriorState
		if resps[i].Unchanged || (!resps[i].Diagnostics.HasErrors() && prior != cty.NilVal && !prior.IsNull() && planned.RawEquals(prior)) {
			res.Unchanged = true
		} else {
			dv, err := wire.EncodeValue(planned, ty)
			if err != nil {
				resps[i].Diagnostics = append(resps[i].Diagnostics, encodeError("planned state", subject("resource", it.Address, it.TypeName), err)...)
			}
			res.PlannedState = dv
		}
		res.RequiresReplace = pathsToProto(resps[i].RequiresReplace)
		res.RequiresReplaceReasons = resps[i].ReplaceReasons
		res.SensitivePaths = pathsToProto(resps[i].SensitivePaths)
		if res.PrivateUnchanged = privateUnchanged(req.OmitUnchangedPrivate, resps[i].PlannedPrivate, reqs[i].PriorPrivate); !res.PrivateUnchanged {
			res.PlannedPrivate = resps[i].PlannedPrivate
		}
		res.Diagnostics = diagsToProto(resps[i].Diagnostics)
	})
	return out, nil
}

func (s *server) ApplyResources(req *protocol.ApplyResources_Request, stream protocol.Provider_ApplyResourcesServer) error {
	ctx, end := s.inflight.begin(stream.Context())
	defer end()

	// One sender at a time; after an item's result, its late progress
	// messages are dropped, and after the handler returns nothing is sent.
	var (
		mu       sync.Mutex
		finished = make([]bool, len(req.Items))
		closed   bool
		sendErr  error
	)
	send := func(i int, ev *protocol.ApplyResources_Event, last bool) {
		mu.Lock()
		defer mu.Unlock()
		if closed || finished[i] {
			return
		}
		finished[i] = last
		if err := stream.Send(ev); err != nil {
			closed, sendErr = true, err
		}
	}

	tasks := make([]func(), len(req.Items))
	for i, it := range req.Items {
		tasks[i] = func() {
			var waiting atomic.Bool
			report := func(msg string, wait bool) {
				send(i, &protocol.ApplyResources_Event{
					Index: int64(i),
					Kind:  &protocol.ApplyResources_Event_Progress{Progress: &protocol.ApplyResources_Progress{Message: msg, Waiting: wait}},
				}, false)
			}
			progress := func(msg string) { report(msg, false) }
			wait := func(msg string) { report(msg, !waiting.Swap(true)) }
			res := s.applyOne(ctx, it, progress, wait)
			send(i, &protocol.ApplyResources_Event{
				Index: int64(i),
				Kind:  &protocol.ApplyResources_Event_Result{Result: res},
			}, true)
		}
	}
	// The host bounds what it sends at once (its -parallelism, or the
	// provider's ApplyParallelism when the user chose none), so each item
	// of a call runs at once, up to maxApplyItems.
	runBoundedBy(min(len(tasks), maxApplyItems), tasks)

	mu.Lock()
	defer mu.Unlock()
	closed = true
	return sendErr
}

func (s *server) applyOne(ctx context.Context, it *protocol.ApplyResources_Item, progress, waiting func(string)) *protocol.ApplyResources_Result {
	r, ok := s.resources[it.TypeName]
	if !ok {
		return &protocol.ApplyResources_Result{Diagnostics: diagsToProto(unsupported("resource", it.TypeName))}
	}
	ty := s.rTypes[it.TypeName]
	subj := subject("resource", it.Address, it.TypeName)
	cfg, err1 := wire.DecodeValue(it.Config, ty)
	prior, err2 := wire.DecodeValue(it.PriorState, ty)
	planned, err3 := wire.DecodeValue(it.PlannedState, ty)
	if err := firstErr(err1, err2, err3); err != nil {
		// Nothing was done, so the prior state still describes the object.
		return &protocol.ApplyResources_Result{
			NewState:    it.PriorState,
			Private:     it.PlannedPrivate,
			Diagnostics: diagsToProto(decodeError("apply request", err)),
		}
	}
	areq := ApplyRequest{
		Address: it.Address, TypeName: it.TypeName,
		Config: cfg, PriorState: prior, PlannedState: planned,
		PlannedPrivate: it.PlannedPrivate,
		OperationID:    it.OperationId,
		Progress:       progress,
		Waiting:        waiting,
		Interrupt:      interruptOf(ctx),
	}
	resp := ApplyResponse{Private: it.PlannedPrivate}
	func() {
		defer recoverInto(&resp.Diagnostics, subj, "Apply")
		r.Apply(ctx, areq, &resp)
	}()

	// A result that cannot stand (no new state where the plan has values
	// known only after apply, unknown values, a value of another type) is
	// an error. A create may have made an object all the same (the common
	// mistake is a NewState set to the plan, its computed id left
	// unknown): as Terraform does, its new state is the result, or the
	// plan, with the unknown values null, which slipway records (tainted,
	// as after any create that fails but leaves an object) instead of
	// forgetting an object that the next apply would create a second
	// time. An update whose result holds unknown values changed the
	// object, so the prior state no longer describes it: as Terraform
	// does, its new state is the result with those values null (not
	// tainted: slipway taints failed creates only), and the next plan
	// shows what differs from the configuration. An update refused
	// otherwise (no new state, a value of another type) keeps its prior
	// state: nothing says what the object is now.
	create := isNull(prior) && !isNull(planned)
	update := !isNull(prior) && !isNull(planned)
	var kept string
	if create {
		kept = " The object it created is kept in state, tainted, with those values null."
	}
	refused := func(v cty.Value) cty.Value {
		if !create {
			return prior
		}
		if v = cty.UnknownAsNull(v); v.IsNull() {
			v = cty.UnknownAsNull(planned)
		}
		return v
	}
	newState := resp.NewState
	if newState != cty.NilVal {
		newState = s.conform(s.rSchemas[it.TypeName], newState, &resp.Diagnostics, "new state", subj)
	}
	if newState == cty.NilVal {
		switch {
		case resp.Diagnostics.HasErrors():
			// The provider says what exists by setting NewState; it
			// did not, so nothing was made or changed.
			newState = prior
		case planned.IsNull():
			newState = planned
		case planned.IsWhollyKnown():
			newState = planned
		default:
			newState = refused(planned)
			resp.Diagnostics.AddError("Provider returned no new state",
				fmt.Sprintf("Applying %s succeeded but the provider returned no new state, and the plan has values known only after apply. This is a bug in the provider; please report it to its author.%s", subj, kept))
		}
	}
	if !newState.IsWhollyKnown() {
		detail := kept
		if result := cty.UnknownAsNull(newState); update && !result.IsNull() {
			detail = " Its new state is recorded with those values null."
			newState = result
		} else {
			newState = refused(newState)
		}
		resp.Diagnostics.AddError("Provider produced an invalid new state",
			fmt.Sprintf("After applying %s the provider returned a state with unknown values; every value must be known after apply. This is a bug in the provider; please report it to its author.%s", subj, detail))
	}
	dv, err := wire.EncodeValue(newState, ty)
	if err != nil {
		d := encodeError("new state", subj, err)
		d[0].Detail += kept
		resp.Diagnostics = append(resp.Diagnostics, d...)
		dv = it.PriorState
		if create {
			// The plan, which came over the wire, encodes.
			if pv, perr := wire.EncodeValue(cty.UnknownAsNull(planned), ty); perr == nil {
				dv = pv
			}
		}
	}
	return &protocol.ApplyResources_Result{NewState: dv, Private: resp.Private, SensitivePaths: pathsToProto(resp.SensitivePaths), Diagnostics: diagsToProto(resp.Diagnostics)}
}

func (s *server) ReadResources(ctx context.Context, req *protocol.ReadResources_Request) (*protocol.ReadResources_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	n := len(req.Items)
	reqs := make([]ReadRequest, n)
	resps := make([]ReadResponse, n)
	// elided[i] is set for an item sent without its state; same[i] once
	// ReadElided found it unchanged.
	elided, same := make([]bool, n), make([]bool, n)
	// An item sent without its private state takes the one this process
	// was last sent for its address; without a record (lost[i]), the
	// host sends it again whole.
	lost := make([]bool, n)
	for i, it := range req.Items {
		if it.PrivateAsLastRead {
			p, ok := s.readPrivate.Get(it.Address)
			if !ok {
				lost[i] = true
				continue
			}
			it.Private = p
		}
	}
	// Recorded once every item is resolved: items of one request take
	// what earlier requests were sent, as the host, which records them
	// after the call, expects of two items of the same address.
	for i, it := range req.Items {
		if !lost[i] {
			s.readPrivate.Put(it.Address, it.Private)
		}
	}
	elidedGroups := map[string][]int{}
	for i, it := range req.Items {
		if lost[i] {
			continue
		}
		if it.StateElided {
			elided[i] = true
			if _, ok := s.resources[it.TypeName].(ResourceWithElidedState); ok {
				elidedGroups[it.TypeName] = append(elidedGroups[it.TypeName], i)
			}
		}
	}
	par.Each(n, func(i int) {
		it := req.Items[i]
		if elided[i] || lost[i] {
			return
		}
		ty, ok := s.rTypes[it.TypeName]
		if !ok {
			resps[i].Diagnostics = unsupported("resource", it.TypeName)
			return
		}
		st, err := wire.DecodeValue(it.State, ty)
		if err != nil {
			resps[i].Diagnostics = decodeError("state", err)
			return
		}
		reqs[i] = ReadRequest{Address: it.Address, TypeName: it.TypeName, State: st, Private: it.Private, InterruptedOperation: it.InterruptedOperation}
		// Unless the provider says otherwise, the object is as it was.
		resps[i] = ReadResponse{NewState: st, Private: it.Private}
	})
	groups := map[string][]int{}
	for i, it := range req.Items {
		if len(resps[i].Diagnostics) == 0 && reqs[i].State != cty.NilVal && !reqs[i].State.IsNull() {
			groups[it.TypeName] = append(groups[it.TypeName], i)
		}
	}

	var tasks []func()
	for _, typeName := range sortedKeys(elidedGroups) {
		idx := elidedGroups[typeName]
		er := s.resources[typeName].(ResourceWithElidedState)
		tasks = append(tasks, func() {
			breqs := make([]ReadRequest, len(idx))
			for j, i := range idx {
				it := req.Items[i]
				breqs[j] = ReadRequest{Address: it.Address, TypeName: it.TypeName, State: cty.NilVal, Private: it.Private}
			}
			// Without an answer, the batch is read in full, which says
			// what went wrong if anything did.
			found := askElided(typeName, "ReadElided", len(idx), func() []bool { return er.ReadElided(ctx, breqs) })
			for j, i := range idx {
				same[i] = found[j]
			}
		})
	}
	for _, typeName := range sortedKeys(groups) {
		idx := groups[typeName]
		r := s.resources[typeName]
		if br, ok := r.(ResourceWithBatchRead); ok {
			tasks = append(tasks, func() {
				batchCall(idx, reqs, resps, subject("resource", "", typeName), "ReadBatch",
					func(q []ReadRequest, a []ReadResponse) { br.ReadBatch(ctx, q, a) },
					func(a *ReadResponse) *Diagnostics { return &a.Diagnostics },
					func(i int, a *ReadResponse) {
						if a.NewState == cty.NilVal || a.Unchanged {
							// Unchanged: the state of the request, which
							// slipway keeps; the answer leaves it out.
							a.NewState = reqs[i].State
						} else {
							a.NewState = s.conform(s.rSchemas[typeName], a.NewState, &a.Diagnostics, "refreshed state", subject("resource", reqs[i].Address, typeName))
						}
					})
			})
			continue
		}
		for _, i := range idx {
			tasks = append(tasks, func() {
				defer recoverInto(&resps[i].Diagnostics, subject("resource", reqs[i].Address, typeName), "Read")
				r.Read(ctx, reqs[i], &resps[i])
				if resps[i].NewState == cty.NilVal || resps[i].Unchanged {
					resps[i].NewState = reqs[i].State
				} else {
					resps[i].NewState = s.conform(s.rSchemas[typeName], resps[i].NewState, &resps[i].Diagnostics, "refreshed state", subject("resource", reqs[i].Address, typeName))
				}
			})
		}
	}
	runBounded(tasks)

	out := &protocol.ReadResources_Response{Results: make([]*protocol.ReadResources_Result, n)}
	keep := make(map[string]cty.Value, n)
	var keepMu sync.Mutex
	// private is what a result says of the item's private state.
	private := func(res *protocol.ReadResources_Result, it *protocol.ReadResources_Item, p []byte) {
		if res.PrivateUnchanged = privateUnchanged(req.OmitUnchangedPrivate, p, it.Private); !res.PrivateUnchanged {
			res.Private = p
		}
	}
	par.Each(n, func(i int) {
		it := req.Items[i]
		res := &protocol.ReadResources_Result{}
		out.Results[i] = res
		if lost[i] {
			res.StateMissing = true
			return
		}
		if elided[i] {
			// Unchanged: the state slipway holds stands, and so does the
			// private state; the plan asks PlanElided. Otherwise slipway
			// sends the state.
			if same[i] {
				res.Unchanged = true
				private(res, it, it.Private)
				keepMu.Lock()
				keep[it.Address] = cty.NilVal
				keepMu.Unlock()
			} else {
				res.StateMissing = true
			}
			return
		}
		ty, ok := s.rTypes[it.TypeName]
		if !ok {
			res.Diagnostics = diagsToProto(resps[i].Diagnostics)
			return
		}
		ns := resps[i].NewState
		if ns != cty.NilVal && reqs[i].State != cty.NilVal && !ns.IsWhollyKnown() {
			// A refresh reads what exists, which is known. The object
			// is as the prior state says, as far as slipway can tell.
			resps[i].Diagnostics.AddError("Provider produced an invalid refreshed state",
				fmt.Sprintf("Reading %s the provider returned a state with unknown values; every value must be known after a refresh. The prior state is kept. This is a bug in the provider; please report it to its author.", subject("resource", it.Address, it.TypeName)))
			ns, resps[i].Private = reqs[i].State, it.Private
		}
		if resps[i].Unchanged || (reqs[i].State != cty.NilVal && ns.RawEquals(reqs[i].State)) {
			res.Unchanged = true
		} else {
			dv, err := wire.EncodeValue(ns, ty)
			if err != nil {
				resps[i].Diagnostics = append(resps[i].Diagnostics, encodeError("refreshed state", subject("resource", it.Address, it.TypeName), err)...)
				dv = it.State
				ns = reqs[i].State
			}
			res.NewState = dv
		}
		if !resps[i].Diagnostics.HasErrors() && ns != cty.NilVal && !ns.IsNull() {
			keepMu.Lock()
			keep[it.Address] = ns
			keepMu.Unlock()
		}
		private(res, it, resps[i].Private)
		res.SensitivePaths = pathsToProto(resps[i].SensitivePaths)
		res.Diagnostics = diagsToProto(resps[i].Diagnostics)
	})
	s.refreshMu.Lock()
	if s.refreshed == nil {
		s.refreshed = keep
	} else {
		for k, v := range keep {
			s.refreshed[k] = v
		}
	}
	s.refreshMu.Unlock()
	return out, nil
}

// privateUnchanged reports whether a result may leave out private state
// p, as the item's own (sent): the host asked (omit) and keeps it.
func privateUnchanged(omit bool, p, sent []byte) bool {
	return omit && len(p) > 0 && bytes.Equal(p, sent)
}

func (s *server) ResourceStatus(ctx context.Context, req *protocol.ResourceStatus_Request) (*protocol.ResourceStatus_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	n := len(req.Items)
	out := &protocol.ResourceStatus_Response{Results: make([]*protocol.ResourceStatus_Result, n)}
	reqs := make([]StatusRequest, n)
	resps := make([]StatusResponse, n)
	// asked[i] is set for an item the resource is asked about.
	asked := make([]bool, n)
	groups := map[string][]int{}
	for i, it := range req.Items {
		out.Results[i] = &protocol.ResourceStatus_Result{Health: Unknown}
		ty, ok := s.rTypes[it.TypeName]
		if !ok {
			resps[i].Diagnostics = unsupported("resource", it.TypeName)
			continue
		}
		r := s.resources[it.TypeName]
		_, batch := r.(ResourceWithBatchStatus)
		if _, single := r.(ResourceWithStatus); !batch && !single {
			continue
		}
		st, err := wire.DecodeValue(it.State, ty)
		if err != nil {
			resps[i].Diagnostics = decodeError("state", err)
			continue
		}
		reqs[i], asked[i] = StatusRequest{Address: it.Address, TypeName: it.TypeName, State: st, Private: it.Private}, true
		groups[it.TypeName] = append(groups[it.TypeName], i)
	}
	var tasks []func()
	for _, typeName := range sortedKeys(groups) {
		idx := groups[typeName]
		switch r := s.resources[typeName].(type) {
		case ResourceWithBatchStatus:
			tasks = append(tasks, func() {
				batchCall(idx, reqs, resps, subject("resource", "", typeName), "StatusBatch",
					func(q []StatusRequest, a []StatusResponse) { r.StatusBatch(ctx, q, a) },
					func(a *StatusResponse) *Diagnostics { return &a.Diagnostics }, nil)
			})
		case ResourceWithStatus:
			for _, i := range idx {
				tasks = append(tasks, func() {
					defer recoverInto(&resps[i].Diagnostics, subject("resource", reqs[i].Address, typeName), "Status")
					r.Status(ctx, reqs[i], &resps[i])
				})
			}
		}
	}
	runBounded(tasks)
	for i, res := range out.Results {
		resp := resps[i]
		if asked[i] {
			if resp.Health != "" {
				res.Health = resp.Health
			}
			res.Sync, res.Message = resp.Sync, resp.Message
			for _, o := range resp.Objects {
				res.Objects = append(res.Objects, &protocol.ResourceStatus_Object{Id: o.ID, Sync: o.Sync, Health: o.Health, Message: o.Message})
			}
		}
		res.Diagnostics = diagsToProto(resp.Diagnostics)
	}
	return out, nil
}

// batchCall makes one batch call of the requests reqs[i] for i in idx,
// with resps[i] as their responses, filled in place; finish, when not nil,
// then sees each answer (with its request's index) before it is put
// back. A panic in call is an error of every response of the batch
// (diags says where a response's diagnostics are).
func batchCall[Q, A any](idx []int, reqs []Q, resps []A, subj, method string, call func([]Q, []A), diags func(*A) *Diagnostics, finish func(i int, a *A)) {
	breqs := make([]Q, len(idx))
	bresps := make([]A, len(idx))
	for j, i := range idx {
		breqs[j], bresps[j] = reqs[i], resps[i]
	}
	var panicked Diagnostics
	func() {
		defer recoverInto(&panicked, subj, method)
		call(breqs, bresps)
	}()
	for j, i := range idx {
		if finish != nil {
			finish(i, &bresps[j])
		}
		resps[i] = bresps[j]
		d := diags(&resps[i])
		*d = append(*d, panicked...)
	}
}

func (s *server) ReadSources(ctx context.Context, req *protocol.ReadSources_Request) (*protocol.ReadSources_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	n := len(req.Items)
	resps := make([]SourceReadResponse, n)
	var tasks []func()
	for i, it := range req.Items {
		src, ok := s.sources[it.TypeName]
		if !ok {
			resps[i].Diagnostics = unsupported("source", it.TypeName)
			continue
		}
		ty := s.sTypes[it.TypeName]
		cfg, err1 := wire.DecodeValue(it.Config, ty)
		prior, err2 := wire.DecodeValue(it.PriorState, ty)
		if err := firstErr(err1, err2); err != nil {
			resps[i].Diagnostics = decodeError("source read request", err)
			continue
		}
		if d := runValidators(subject("source", it.Address, it.TypeName), s.sSchemas[it.TypeName].Attributes, s.sSchemas[it.TypeName].Blocks, cfg); d.HasErrors() {
			resps[i].Diagnostics = d
			continue
		}
		sreq := SourceReadRequest{Address: it.Address, TypeName: it.TypeName, Config: cfg, PriorState: prior, Hard: it.Hard, LocalDir: it.LocalDir}
		tasks = append(tasks, func() {
			defer recoverInto(&resps[i].Diagnostics, subject("source", it.Address, it.TypeName), "Read")
			src.Read(ctx, sreq, &resps[i])
		})
	}
	runBounded(tasks)

	out := &protocol.ReadSources_Response{Results: make([]*protocol.ReadSources_Result, n)}
	for i, it := range req.Items {
		res := &protocol.ReadSources_Result{}
		out.Results[i] = res
		if ty, ok := s.sTypes[it.TypeName]; ok {
			st := resps[i].State
			if st != cty.NilVal {
				st = s.conform(s.sSchemas[it.TypeName], st, &resps[i].Diagnostics, "source state", subject("source", it.Address, it.TypeName))
			}
			dv, err := wire.EncodeValue(st, ty)
			if err != nil {
				resps[i].Diagnostics = append(resps[i].Diagnostics, encodeError("source state", subject("source", it.Address, it.TypeName), err)...)
			}
			res.State = dv
		}
		res.Diagnostics = diagsToProto(resps[i].Diagnostics)
		res.LocalRevision = resps[i].LocalRevision
	}
	return out, nil
}

func (s *server) ImportResource(ctx context.Context, req *protocol.ImportResource_Request) (*protocol.ImportResource_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	r, ok := s.resources[req.TypeName]
	if !ok {
		return &protocol.ImportResource_Response{Diagnostics: diagsToProto(unsupported("resource", req.TypeName))}, nil
	}
	subj := subject("resource", req.Address, req.TypeName)
	ir, ok := r.(ResourceWithImport)
	if !ok {
		var d Diagnostics
		d.AddError("Resource type does not support import",
			fmt.Sprintf("The resource type %q cannot import existing objects. Create %s with slipway instead.", req.TypeName, subj))
		return &protocol.ImportResource_Response{Diagnostics: diagsToProto(d)}, nil
	}
	var resp ImportResponse
	func() {
		defer recoverInto(&resp.Diagnostics, subj, "Import")
		ir.Import(ctx, ImportRequest{Address: req.Address, TypeName: req.TypeName, ID: req.Id}, &resp)
	}()
	if isNull(resp.State) && !resp.Diagnostics.HasErrors() {
		resp.Diagnostics.AddError("Cannot import non-existent object",
			fmt.Sprintf("No object with ID %q exists for %s. Check the ID, or create the object with slipway instead.", req.Id, subj))
	}
	ty := s.rTypes[req.TypeName]
	if resp.State != cty.NilVal {
		resp.State = s.conform(s.rSchemas[req.TypeName], resp.State, &resp.Diagnostics, "imported state", subj)
	}
	if resp.State != cty.NilVal && !resp.State.IsWhollyKnown() {
		// An import reads what exists, which is known: such a state
		// is not recorded.
		resp.Diagnostics.AddError("Provider produced an invalid imported state",
			fmt.Sprintf("Importing %s the provider returned a state with unknown values; every value must be known after an import. Nothing is imported. This is a bug in the provider; please report it to its author.", subj))
		return &protocol.ImportResource_Response{Diagnostics: diagsToProto(resp.Diagnostics)}, nil
	}
	dv, err := wire.EncodeValue(resp.State, ty)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, encodeError("imported state", subj, err)...)
		dv = nil
	}
	return &protocol.ImportResource_Response{State: dv, Private: resp.Private, Diagnostics: diagsToProto(resp.Diagnostics)}, nil
}

// conform gives a value a provider returned its schema's type (a value
// Set made lacks the attributes its struct leaves out); a value that
// cannot have it is kept as it is, for the encoder to refuse, with an
// error diagnostic.
func (s *server) conform(schema Schema, v cty.Value, diags *Diagnostics, what, subj string) cty.Value {
	if v == cty.NilVal || v.Type().Equals(schema.ImpliedType()) && !hasNullBlocks(schema, v) {
		return v
	}
	out, err := schema.Conform(v)
	if err != nil {
		diags.AddError("Provider produced an invalid "+what,
			fmt.Sprintf("The %s of %s does not match its schema: %s. This is a bug in the provider; please report it to its author.", what, subj, err))
		return v
	}
	return out
}

// hasNullBlocks reports whether a nested block of list, set or map
// nesting is null in v, at any depth (a list block inside a single
// block: a struct whose slice is nil), which Conform makes empty.
func hasNullBlocks(schema Schema, v cty.Value) bool {
	return nullBlocksIn(schema.Blocks, v)
}

func nullBlocksIn(blocks map[string]Block, obj cty.Value) bool {
	obj, _ = obj.Unmark()
	if len(blocks) == 0 || obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() {
		return false
	}
	for name, b := range blocks {
		if !obj.Type().HasAttribute(name) {
			continue
		}
		v, _ := obj.GetAttr(name).Unmark()
		switch {
		case v.IsNull():
			if b.Nesting != NestingSingle {
				return true
			}
		case !v.IsKnown() || len(b.Blocks) == 0:
		case b.Nesting == NestingSingle:
			if nullBlocksIn(b.Blocks, v) {
				return true
			}
		case v.CanIterateElements():
			for it := v.ElementIterator(); it.Next(); {
				if _, ev := it.Element(); nullBlocksIn(b.Blocks, ev) {
					return true
				}
			}
		}
	}
	return false
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *server) UpgradeState(ctx context.Context, req *protocol.UpgradeState_Request) (*protocol.UpgradeState_Response, error) {
	ctx, end := s.inflight.begin(ctx)
	defer end()
	out := &protocol.UpgradeState_Response{Results: make([]*protocol.UpgradeState_Result, len(req.Items))}
	var tasks []func()
	for i, it := range req.Items {
		res := &protocol.UpgradeState_Result{}
		out.Results[i] = res
		r, ok := s.resources[it.TypeName]
		if !ok {
			res.Diagnostics = diagsToProto(unsupported("resource", it.TypeName))
			continue
		}
		tasks = append(tasks, func() {
			subj := subject("resource", it.Address, it.TypeName)
			v, diags := upgradeState(ctx, r, s.rSchemas[it.TypeName], it.Version, it.RawState, subj)
			if !diags.HasErrors() {
				dv, err := wire.EncodeValue(v, s.rTypes[it.TypeName])
				if err != nil {
					diags = append(diags, encodeError("upgraded state", subj, err)...)
				}
				res.UpgradedState = dv
			}
			res.Diagnostics = diagsToProto(diags)
		})
	}
	runBounded(tasks)
	return out, nil
}
