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

package kind

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// Kind is one block kind beside the engine's own resources, sources,
// locals and outputs. The engine calls it for every block whose address
// has its addrs.Kind. Implementations are stateless: everything a walk
// accumulates lives in the engine and is reached through the Host.
type Kind interface {
	// Kind is the addrs.Kind of the blocks this kind handles.
	Kind() addrs.Kind

	// Providers lists the provider configurations a block uses. The
	// engine starts them before the walk and orders the block after their
	// configuration.
	Providers(rc *lang.Resource) []addrs.Provider

	// Writes lists the sources a block commits to. Whatever else reads
	// one of them comes after the block in the graph, so that apply reads
	// the source again at its new commit.
	Writes(rc *lang.Resource) []addrs.Resource

	// Check runs once the providers have started, before any block is
	// evaluated: it reports what the providers cannot do for the block
	// (a resource type they do not have).
	Check(h Host, rc *lang.Resource) hcl.Diagnostics

	// Validate checks a block with every reference unknown.
	Validate(ctx context.Context, h ValidateHost, rc *lang.Resource) hcl.Diagnostics

	// Plan plans every instance of a block, adding its changes and its
	// value through h.
	Plan(ctx context.Context, h PlanHost, rc *lang.Resource) hcl.Diagnostics

	// Apply carries out the planned changes of every instance of a block.
	Apply(ctx context.Context, h ApplyHost, rc *lang.Resource) hcl.Diagnostics
}

// Instance is one instance of a block, as count or for_each expand it.
type Instance struct {
	Addr addrs.ResourceInstance
	// Pin, when set, fixes what the instance is planned from (slipway
	// rollback).
	Pin *Pin

	// Rep is the engine's own record of what each.* and count.* mean in
	// this instance; kinds pass the Instance back unchanged.
	Rep any
}

// Pin fixes what an instance is planned from, whatever its sources say
// now: a revision, and the local directory that holds its content at that
// revision.
type Pin struct {
	Revision string
	Dir      string
}

// Provider is a started provider as a kind uses it. Calls are batched and
// bounded by the engine's parallelism.
type Provider interface {
	Schemas() *sdk.ProviderSchemas
	Plan(ctx context.Context, req sdk.PlanRequest) (sdk.PlanResponse, error)
	// Apply streams the provider's progress messages to progress.
	Apply(ctx context.Context, req sdk.ApplyRequest, progress func(string)) (sdk.ApplyResponse, error)
}

// Host is what the engine offers a kind in every walk.
type Host interface {
	// Dir is the configuration's directory.
	Dir() string
	// Workspace is the selected workspace (state.DefaultWorkspace when
	// none was selected). A kind that keeps files of its own beside the
	// configuration keeps each workspace's apart, as each has its state.
	Workspace() string
	// Expand evaluates a block's count or for_each into its instances.
	Expand(rc *lang.Resource) ([]Instance, hcl.Diagnostics)
	// EvalContext is the evaluation context of one instance: the values
	// the block refers to, each.* and count.*.
	EvalContext(rc *lang.Resource, in Instance) (*hcl.EvalContext, hcl.Diagnostics)
	// Prior is an instance's entry in the prior state, or nil.
	Prior(addr addrs.ResourceInstance) *state.ResourceInstance
	// PriorOf lists a block's instances in the prior state.
	PriorOf(r addrs.Resource) []*state.ResourceInstance
	// SetValues gives the block its value for the expressions that refer
	// to it, one value per instance of insts.
	SetValues(rc *lang.Resource, insts []Instance, vals []cty.Value)
	// Provider is a started provider configuration.
	Provider(p addrs.Provider) (Provider, bool)
	// Recall returns the value an earlier plan of this process kept
	// under name for instance in of rc, when everything the instance's
	// evaluation reads is as it was then (the text of the block's file,
	// the values the block refers to, each.* and count.*, the pin), and
	// keep, which keeps a value under name for the plans that follow.
	// Without a memo (a plan in a process of its own, apply, validate),
	// or for a block that calls a function or refers to a value not known
	// yet, ok is false and keep keeps nothing. What the kept value was
	// made from beyond that (files on disk) the kind checks again.
	Recall(rc *lang.Resource, in Instance, name string) (v any, ok bool, keep func(any))
}

// ValidateHost is what the engine offers a kind in validate.
type ValidateHost interface {
	Host
	// ValidateResource validates a block lowered to a provider resource.
	ValidateResource(ctx context.Context, rc *lang.Resource, l Lowering) hcl.Diagnostics
}

// PlanHost is what the engine offers a kind in plan.
type PlanHost interface {
	Host
	// Targeted reports whether -target and -exclude leave an instance in
	// the plan.
	Targeted(addr addrs.ResourceInstance) bool
	// ReplaceRequested reports whether -replace names an instance.
	ReplaceRequested(addr addrs.ResourceInstance) bool
	// RolloutRequest is the request of `slipway rollout` for an
	// instance's rollout (builtin.RolloutPromote, ...), or "".
	RolloutRequest(addr addrs.ResourceInstance) string
	// AddChange adds a change to the plan.
	AddChange(ch *plans.ResourceChange)
	// AddWrite records that a block of this plan will commit to a source.
	AddWrite(src addrs.Resource, w Write)
	// Writes returns the pending writes to the sources rc reads.
	Writes(rc *lang.Resource) map[addrs.Resource][]Write
	// PlanResource plans every instance of a block lowered to a provider
	// resource, as the engine plans resource blocks.
	PlanResource(ctx context.Context, rc *lang.Resource, l Lowering) hcl.Diagnostics
}

// ApplyHost is what the engine offers a kind in apply.
type ApplyHost interface {
	Host
	// Change is an instance's planned change, or nil.
	Change(addr addrs.ResourceInstance) *plans.ResourceChange
	// ApplyResource applies every instance of a block lowered to a
	// provider resource, as the engine applies resource blocks.
	ApplyResource(ctx context.Context, rc *lang.Resource, l Lowering) hcl.Diagnostics
	// ApplyDeletes deletes the instances of a block that count or
	// for_each no longer produce.
	ApplyDeletes(ctx context.Context, rc *lang.Resource) hcl.Diagnostics
	// Record puts an entry into the state the apply builds.
	Record(ri *state.ResourceInstance)
	// Recorded is an entry of the state the apply builds, or nil.
	Recorded(addr addrs.ResourceInstance) *state.ResourceInstance
	// UpdateSectionMember replaces one member of a section of the state
	// the apply builds (a JSON object by instance address, the kind
	// naming the section in InstanceSections) with what fn returns for
	// its current value (nil when absent); nil removes it.
	// A section that is not a JSON object is started afresh, and a value
	// that is not JSON is ignored. The section is decoded once per apply,
	// so an update costs what its member does, not the whole section.
	UpdateSectionMember(section, member string, fn func(json.RawMessage) json.RawMessage)
	// Persist makes the state the apply built so far durable.
	Persist()
	// Started and Progress report an instance's progress; Finished makes
	// the state durable and reports the outcome.
	Started(addr addrs.ResourceInstance, action plans.Action)
	Progress(addr addrs.ResourceInstance, message string)
	Finished(addr addrs.ResourceInstance, action plans.Action, start time.Time, diags hcl.Diagnostics)
	// Approve passes an approval gate (-approve, or the person at the
	// terminal); progress reports how it was passed.
	Approve(ctx context.Context, gate, message string, progress func(string)) (bool, error)
	// RereadSource reads a source again after a block of this apply
	// committed to it, and records its new value.
	RereadSource(ctx context.Context, src addrs.Resource) hcl.Diagnostics
}

// Write is a commit a block of this plan will make to a source.
type Write struct {
	By addrs.ResourceInstance
	// Images are the repositories whose references the commit rewrites;
	// Other is set when it may change anything else.
	Images []string
	Other  bool
}

// Lowering tells the engine how a block becomes one provider resource per
// instance.
type Lowering struct {
	// Type is the provider's resource type.
	Type string
	// Config evaluates one instance's configuration against the
	// resource type's schema.
	Config func(rc *lang.Resource, schema sdk.Schema, ectx *hcl.EvalContext, in Instance) (cty.Value, hcl.Diagnostics)
	// AfterWrites adjusts a planned change for the sources that blocks of
	// this plan will commit to before it.
	AfterWrites func(ch *plans.ResourceChange, writes map[addrs.Resource][]Write)
	// Hold makes the configuration at apply time read what the plan
	// showed.
	Hold func(config, planned cty.Value) cty.Value
	// Applied hears of every apply of an instance, with its outcome.
	Applied func(h ApplyHost, addr addrs.ResourceInstance, config cty.Value, err error)
	// Retries, when set, reports whether -replace of an instance asks
	// the provider to retry what its last apply held back (the kind
	// passes the request in the configuration, as an app does with the
	// aborted revision of its rollout) rather than to delete and create
	// it.
	Retries func(addr addrs.ResourceInstance) bool
	// Describe adds to a planned change what the block says about it
	// beyond the provider's values (the rollout an app follows), for
	// the views and policies.
	Describe func(rc *lang.Resource, ch *plans.ResourceChange)
}

// Nester is a Kind whose lowered resources hold objects of their own (an
// app's Kubernetes objects): the engine asks it to break each change of
// such a resource, in every plan, into one change per object.
type Nester interface {
	// Nested returns the changes of what ch holds, and the attributes of
	// ch they come from; ok is false when ch is not of this kind.
	Nested(ch *plans.ResourceChange) (nested []*plans.NestedChange, from []string, ok bool)
}

// EngineRefreshed is a Kind whose Plan plans its instances through
// PlanHost.PlanResource as the resource type state records for them. The
// engine then refreshes them as soon as their provider is configured,
// alongside the rest of the walk, and PlanResource uses that refresh.
type EngineRefreshed interface {
	RefreshedByEngine()
}

// ProvidersOnDemand is a Kind some of whose blocks' providers (of those
// Providers lists) serve a block only in some cases that the block's
// plan finds out, such as the helm provider of an app whose directory
// holds a chart. Unless something else needs one from the start (another
// block, the state, a provider block), the engine starts it the first
// time a block asks Host.Provider for it, and configures it then: a
// provider process costs every plan its start.
type ProvidersOnDemand interface {
	ProvidersOnDemand(rc *lang.Resource) []addrs.Provider
}

// InstanceSections is a Kind that keeps, beside its instances, sections
// of the state (UpdateSectionMember) whose members are keyed by an
// instance's address, such as an app's sync history. They belong to the
// instance: `state mv` carries a member with its instance and `state rm`
// forgets it with the instance (planner.MoveInstanceSections), so that
// an address never inherits what another object left there.
type InstanceSections interface {
	InstanceSections() []string
}

// Documented is a Kind that describes its block for the reference pages.
// Its package tests that the description covers what it decodes.
type Documented interface {
	Doc() lang.BlockDoc
}
