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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/plugins"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/state"
)

// DefaultParallelism is how many provider operations run at once unless
// -parallelism says otherwise. Ten is Terraform's default, which users
// know and size their API quotas for; batching makes it cheap: during
// plan it bounds calls in flight per provider, each carrying up to
// planBatchSize instances, and during apply it bounds instances in flight,
// which keeps a provider's own client (the kubernetes provider's QPS and
// burst) from queueing requests behind one slow object. When the user
// sets no -parallelism, a provider may declare that it carries more
// applies at once (see applyParallelism).
const DefaultParallelism = 10

// planBatchSize caps the instances sent in one plan or read call: large
// enough that a plan of thousands of objects takes a handful of calls,
// small enough that one call's messages stay a few megabytes.
const planBatchSize = 500

// Hooks receive apply progress. Implementations must be safe for
// concurrent use; calls for one instance come in order.
type Hooks interface {
	// PreApply is called when a change leaves its provider's queue and
	// the provider starts it (a pipeline: when its run starts).
	PreApply(addr addrs.ResourceInstance, action plans.Action)
	// Progress carries what the provider (or a pipeline's stage) says
	// while the change runs, masked.
	Progress(addr addrs.ResourceInstance, message string)
	// PostApply is called once the outcome is durable: in the intent
	// journal when the backend keeps one, else in state. elapsed is the
	// time since PreApply (since the change was queued when it never
	// started).
	PostApply(addr addrs.ResourceInstance, action plans.Action, err error, elapsed time.Duration)
}

// HooksWithTotal are Hooks that hear, once, before the first change of
// an apply starts, how many changes the apply will report: Steps of the
// plan it carries out. A view shows "N/M done" with it.
type HooksWithTotal interface {
	Hooks
	Total(steps int)
}

// NopHooks ignores every event.
type NopHooks struct{}

func (NopHooks) PreApply(addrs.ResourceInstance, plans.Action)                        {}
func (NopHooks) Progress(addrs.ResourceInstance, string)                              {}
func (NopHooks) PostApply(addrs.ResourceInstance, plans.Action, error, time.Duration) {}

// Context holds what every operation works from.
type Context struct {
	Config *lang.Config
	// State is the prior state; operations never modify it.
	State *state.State
	// Variables are the input variable values (lang.LoadVariableValues).
	Variables   map[string]cty.Value
	Providers   *plugins.Set
	Parallelism int
	Hooks       Hooks
	Version     string
	// Workspace is the selected workspace, whose state State is:
	// slipway.workspace in expressions, and what plans record. Empty
	// means state.DefaultWorkspace.
	Workspace string
	// Kinds are the block kinds beside resources and sources; nil means
	// DefaultKinds.
	Kinds []kind.Kind

	// Journal, when set, is the intent journal apply makes each change
	// durable in before a provider starts it, and its outcome before the
	// provider may start another in its place (a change that only waits
	// gives its place up earlier; see applyQueue).
	Journal state.Journal
	// Pending are the changes the journal says began and never finished;
	// plan reads each back through its provider.
	Pending []state.Pending
	// JournalMark is state.JournalMark of the journal State was replayed
	// from ("" for none): plans record it, and a saved plan made with
	// another is stale.
	JournalMark string
	// Stop, when set and done, asks apply to start no new change and to
	// let the ones in flight finish (the first Ctrl-C). The context given
	// to Apply cancels the changes in flight themselves.
	Stop context.Context

	// Approved names the pipeline approval gates (pipeline.NAME.STAGE)
	// that pass without asking: apply -approve.
	Approved []string
	// Ask asks the person running apply to pass an approval gate; nil
	// when nobody can be asked (a run without a terminal).
	Ask func(ctx context.Context, gate, message string) (bool, error)
	// OnSecrets, when set, is told of the strings computed from
	// sensitive values that evaluation finds (a sha256 of a secret), so
	// that the caller masks them wherever it masks the secrets: apply
	// output, diagnostics and provider logs.
	OnSecrets func([]string)

	// Memo, when set, is what a process that makes plan after plan
	// (slipway agent) keeps of the evaluations of kinds' blocks for the
	// next plans (EvalMemo). Plans only: apply evaluates afresh.
	Memo *EvalMemo

	// secrets are the strings masked in what providers say, from the
	// operation's start.
	secrets *secretSet
}

// workspace is c.Workspace, or the default workspace's name.
func (c *Context) workspace() string {
	if c.Workspace == "" {
		return state.DefaultWorkspace
	}
	return c.Workspace
}

// ConfigHash identifies a configuration's files, for saved plans.
func ConfigHash(cfg *lang.Config) string {
	names := make([]string, 0, len(cfg.Sources))
	for n := range cfg.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(cfg.Sources[n]))
		h.Write(cfg.Sources[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Requirements lists the providers a configuration (and the resources in
// state it would delete) needs, for `slipway init`, and says which of
// them a plan of the configuration starts only on demand.
func Requirements(cfg *lang.Config, st *state.State) []plugins.Requirement {
	seen := map[string]*plugins.Requirement{}
	now := map[string]bool{}
	add := func(name string, rng *hcl.Range) {
		if name == "" {
			return
		}
		now[name] = true
		if seen[name] != nil {
			return
		}
		seen[name] = &plugins.Requirement{Name: name, Range: rng}
	}
	// declare lists a provider that no plan needs from the start for this
	// (walker.neededProviders decides alike): one required_providers
	// names, or one a kind starts on demand.
	declare := func(name string, rng *hcl.Range) {
		if name != "" && seen[name] == nil {
			seen[name] = &plugins.Requirement{Name: name, Range: rng}
		}
	}
	if cfg.Slipway != nil {
		for n, rp := range cfg.Slipway.RequiredProviders {
			r := rp.DeclRange
			declare(n, &r)
			seen[n].Constraint = rp.Version
			seen[n].Source = rp.Source
		}
	}
	for _, p := range cfg.Providers {
		r := p.DeclRange
		add(p.Name, &r)
	}
	kinds := kindMap(nil)
	for _, rc := range cfg.Resources {
		if engineKind(rc.Addr.Kind) {
			r := rc.TypeRange
			add(rc.Provider.Name, &r)
		}
		if k := kinds[rc.Addr.Kind]; k != nil {
			var onDemand []addrs.Provider
			if od, ok := k.(kind.ProvidersOnDemand); ok {
				onDemand = od.ProvidersOnDemand(rc)
			}
			for _, pa := range k.Providers(rc) {
				// The block's own provider is named by its type (or
				// chosen from its body); others by the block as a whole.
				r := rc.DeclRange
				if pa == rc.Provider {
					r = rc.TypeRange
				}
				if slices.Contains(onDemand, pa) {
					declare(pa.Name, &r)
				} else {
					add(pa.Name, &r)
				}
			}
		}
	}
	if st != nil {
		for _, ri := range st.Resources {
			add(ri.Provider.Name, nil)
		}
	}
	out := make([]plugins.Requirement, 0, len(seen))
	for _, r := range seen {
		r.OnDemand = !now[r.Name]
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// providerConn is one running provider configuration with its batchers.
type providerConn struct {
	addr     addrs.Provider
	client   *host.Client
	schemas  *sdk.ProviderSchemas
	plan     *batcher[sdk.PlanRequest, sdk.PlanResponse]
	read     *batcher[sdk.ReadRequest, sdk.ReadResponse]
	sources  *batcher[sdk.SourceReadRequest, sdk.SourceReadResponse]
	validate *batcher[sdk.ValidateRequest, sdk.ValidateResponse]
	apply    *applyQueue
	// secrets are the strings masked in what the provider says.
	secrets *secretSet
	// demand is set when the walk starts the provider only if a block
	// asks for it (kind.ProvidersOnDemand); the fields above but addr
	// and secrets are set once it has started (walker.conn).
	demand *demand
}

// demand is the start of a provider configuration on demand: once.
type demand struct {
	// configure is set by the walk's node of the provider, in the walks
	// that configure providers (plan and apply, not validate): the
	// provider is then configured once started.
	configure bool
	once      sync.Once
	ok        bool // started, and configured if asked
}

// startProviders starts every provider configuration in needed and
// fetches its schemas, in parallel. One needed only on demand (false in
// needed) is not started: its connection is left for
// walker.startOnDemand.
func (c *Context) startProviders(ctx context.Context, needed map[addrs.Provider]bool) (map[addrs.Provider]*providerConn, hcl.Diagnostics) {
	secrets := newSecretSet(lang.SensitiveStrings(c.Config, c.Variables), c.OnSecrets)
	c.secrets = secrets
	conns := map[addrs.Provider]*providerConn{}
	var diags hcl.Diagnostics
	var mu sync.Mutex
	var wg sync.WaitGroup
	for pa, now := range needed {
		if !now {
			// Under mu: the providers started before it in this loop
			// are writing to conns too.
			mu.Lock()
			conns[pa] = &providerConn{addr: pa, secrets: secrets, demand: &demand{}}
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := c.startConn(ctx, pa, secrets)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				diags = append(diags, kind.ErrorDiag("Provider failed to start", err.Error(), nil))
				return
			}
			conns[pa] = conn
		}()
	}
	wg.Wait()
	return conns, diags
}

// startConn starts provider configuration pa and fetches its schemas.
func (c *Context) startConn(ctx context.Context, pa addrs.Provider, secrets *secretSet) (*providerConn, error) {
	cl, err := c.Providers.Get(ctx, pa.String(), pa.Name)
	if err != nil {
		return nil, err
	}
	sch, err := cl.Schemas(ctx)
	if err != nil {
		return nil, err
	}
	par := c.parallelism()
	// What the provider says is masked (mask.go).
	return &providerConn{
		addr: pa, client: cl, schemas: sch, secrets: secrets,
		plan:     newBatcher(planBatchSize, par, maskCalls(cl.Plan, secrets, func(r *sdk.PlanResponse) sdk.Diagnostics { return r.Diagnostics })),
		read:     newBatcher(planBatchSize, par, maskCalls(cl.Read, secrets, func(r *sdk.ReadResponse) sdk.Diagnostics { return r.Diagnostics })),
		sources:  newBatcher(planBatchSize, par, maskCalls(cl.ReadSources, secrets, func(r *sdk.SourceReadResponse) sdk.Diagnostics { return r.Diagnostics })),
		validate: newBatcher(planBatchSize, par, maskCalls(cl.Validate, secrets, func(r *sdk.ValidateResponse) sdk.Diagnostics { return r.Diagnostics })),
		apply:    newApplyQueue(cl, c.applyParallelism(sch.Metadata), secrets),
	}, nil
}

func (c *Context) parallelism() int {
	if c.Parallelism > 0 {
		return c.Parallelism
	}
	return DefaultParallelism
}

// applyParallelism is how many changes apply asks of one provider at
// once: the -parallelism the user chose, or else the default, raised to
// what the provider declares it can carry (sdk.Metadata.ApplyParallelism:
// the kubernetes provider, whose API server paces its clients with flow
// control, takes more apps at once than Terraform's ten).
func (c *Context) applyParallelism(m sdk.Metadata) int {
	if c.Parallelism > 0 {
		return c.Parallelism
	}
	return max(DefaultParallelism, m.ApplyParallelism)
}

func (c *Context) hooks() Hooks {
	if c.Hooks == nil {
		return NopHooks{}
	}
	return c.Hooks
}
