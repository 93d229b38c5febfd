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
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Provider is the interface every provider implements.
type Provider interface {
	// Metadata names the provider and its version.
	Metadata() Metadata
	// Schema describes the provider block's configuration.
	Schema() Schema
	// Configure receives the provider block's evaluated configuration
	// before any resource call. It is called once per process, unless
	// Metadata says Sessions: then each plan a host serves from the same
	// process configures it again, and each Configure starts afresh.
	Configure(ctx context.Context, req ConfigureRequest, resp *ConfigureResponse)
	// Resources lists the managed resource types, by type name.
	Resources() map[string]Resource
}

// ProviderWithSources is a provider that also serves `source "T" "N"` blocks.
type ProviderWithSources interface {
	Provider
	// Sources lists the source types, by type name.
	Sources() map[string]Source
}

// ProviderWithStop is a provider that can be asked to stop work in flight
// (the user pressed Ctrl-C to stop at once). Before it calls Stop, the
// SDK cancels the context of every call in flight (with ErrStopped as
// the cause), so a provider whose work follows its calls' contexts needs
// no Stop of its own; Stop is for work that does not (a child process, a
// shared worker). Stop must return quickly; calls in flight should then
// end with an error diagnostic, and NewState saying what exists. slipway
// kills a provider whose calls have not returned a grace period after
// Stop (10 seconds unless SLIPWAY_STOP_GRACE says otherwise).
type ProviderWithStop interface {
	Provider
	Stop(ctx context.Context) error
}

// Metadata names a provider.
type Metadata struct {
	Name    string
	Version string
	// Offline says the provider honours ConfigureRequest.Offline. In an
	// offline plan (slipway plan -offline) a provider that does not say so
	// is not configured, and its resources are reported as not planned.
	Offline bool
	// ApplyParallelism, when above the host's default (10), is how many
	// changes the host may ask of the provider at once when the user has
	// not chosen a bound with -parallelism. A provider whose systems pace
	// their clients themselves (the Kubernetes API server's flow control
	// answers 429 with Retry-After) can carry more changes than one that
	// calls an API with fixed quotas. A bound the user chose always wins.
	ApplyParallelism int
	// Sessions says the process may be configured again once a plan is
	// done, each Configure after the first starting a new session that
	// keeps nothing of the last one: no refresh, record, client or
	// cached answer survives it unless it is still true of the systems
	// the provider manages. A host that keeps provider processes running
	// between plans (slipway agent) keeps only those that say so, and
	// starts the others for each plan.
	Sessions bool
}

// ConfigureRequest carries the provider block's configuration.
type ConfigureRequest struct {
	Config cty.Value
	// SlipwayVersion is the version of the slipway that started the provider.
	SlipwayVersion string
	// Offline says the process will only plan, and must reach none of the
	// systems the provider manages (no cluster, no API server): plans are
	// made from the configuration, PriorState and PriorPrivate alone.
	// Only providers whose Metadata says Offline are configured so.
	Offline bool
	// Resident says the host keeps the process for the plans that follow
	// (slipway agent keeps those whose Metadata says Sessions). The
	// provider may then keep, from one session to the next, what it
	// keeps true of the systems it manages, such as a watch of the
	// objects its refresh reads; a process the host does not keep is
	// ended after one operation, and such a watch would be wasted on it.
	Resident bool
}

// ConfigureResponse reports problems with the configuration.
type ConfigureResponse struct {
	Diagnostics Diagnostics
}

// Resource is one managed resource type. Plan is optional (see
// ResourceWithPlan): without it the SDK plans the configuration as written,
// computed attributes unknown on create and kept on update, and replacement
// when a ForceNew attribute changes.
type Resource interface {
	Schema() Schema
	// Apply carries out one planned change: create (PriorState null),
	// update, or delete (PlannedState null). resp.Private arrives set to
	// PlannedPrivate. A NewState left unset (cty.NilVal) means PriorState
	// after an error diagnostic, null after a delete, and PlannedState
	// after a create or update whose plan was wholly known.
	Apply(ctx context.Context, req ApplyRequest, resp *ApplyResponse)
	// Read refreshes State from the real world. A NewState of cty.NullVal
	// says the object is gone. resp arrives with NewState and Private set to
	// the request's, so leaving them says nothing changed.
	Read(ctx context.Context, req ReadRequest, resp *ReadResponse)
}

// ResourceWithPlan customises planning of one resource. resp arrives
// filled with the default plan (see DefaultPlan), which Plan adjusts; a
// PlannedState left cty.NilVal keeps the default. Plan is not called for a
// delete (null Config): the SDK plans those alone.
type ResourceWithPlan interface {
	Resource
	Plan(ctx context.Context, req PlanRequest, resp *PlanResponse)
}

// ResourceWithValidate checks a configuration before planning. Without it
// the SDK runs ValidateConfig (required attributes present), which Validate
// may call itself.
type ResourceWithValidate interface {
	Resource
	Validate(ctx context.Context, req ValidateRequest, resp *ValidateResponse)
}

// ResourceWithImport adopts an existing object by its ID. A null State with
// no error diagnostic is reported as "no such object".
type ResourceWithImport interface {
	Resource
	Import(ctx context.Context, req ImportRequest, resp *ImportResponse)
}

// ResourceWithBatchPlan plans many instances in one call, for types whose
// backing API is cheaper in bulk (one LIST instead of a GET per object).
// resps has the same length as reqs; fill resps[i] for reqs[i]. As with
// ResourceWithPlan, resps arrive filled with the default plan and deletes
// are not included. It takes precedence over ResourceWithPlan.
type ResourceWithBatchPlan interface {
	Resource
	PlanBatch(ctx context.Context, reqs []PlanRequest, resps []PlanResponse)
}

// ResourceWithBatchRead refreshes many instances in one call, for every
// instance of the type in one refresh. resps has the same length as reqs and
// arrives as for Read; a NewState left cty.NilVal keeps the state as it was.
type ResourceWithBatchRead interface {
	Resource
	ReadBatch(ctx context.Context, reqs []ReadRequest, resps []ReadResponse)
}

// ResourceWithElidedState is a resource whose private state says enough to
// tell, without the state itself, that an instance is live as its state
// records and that its plan changes nothing. A plan of many large
// instances that changed in nothing then moves no state: slipway leaves
// each instance's state out of the refresh and sends it only for those
// the provider cannot tell unchanged this way, which the SDK then reads
// and plans as usual (ReadBatch or Read, then the plan). A plan made
// with the refresh off leaves the state out of the plan the same way.
//
// The two methods may only answer true when the full Read and Plan would
// find the instance unchanged; false is always safe. resps/the returned
// slice has the same length as reqs.
type ResourceWithElidedState interface {
	Resource
	// ReadElided reports, per request, whether the instance is live as
	// its state records. Requests carry Address, TypeName and Private;
	// State is cty.NilVal.
	ReadElided(ctx context.Context, reqs []ReadRequest) []bool
	// PlanElided reports, per request, whether the instance's plan
	// leaves it unchanged. It is called only for instances whose prior
	// state is the state as recorded with PriorPrivate: ones ReadElided
	// found unchanged in this process, whose state the refresh therefore
	// kept as it was, and, in a plan made with the refresh off, ones no
	// refresh read. Requests carry Address, TypeName, Config and
	// PriorPrivate; PriorState and ProposedNewState are cty.NilVal.
	PlanElided(ctx context.Context, reqs []PlanRequest) []bool
}

// Source is one source type: an input read at every plan and never
// written, such as a git ref resolved to a commit.
type Source interface {
	Schema() Schema
	Read(ctx context.Context, req SourceReadRequest, resp *SourceReadResponse)
}

// ValidateRequest carries a configuration that may hold unknown values.
type ValidateRequest struct {
	TypeName string
	Config   cty.Value
}

// ValidateResponse reports problems found in a configuration.
type ValidateResponse struct {
	Diagnostics Diagnostics
}

// PlanRequest asks for the planned new state of one resource instance.
type PlanRequest struct {
	// Address is the instance's address (file.a["x"]), for messages.
	Address  string
	TypeName string
	// Config is the evaluated configuration; it may hold unknown values.
	Config cty.Value
	// PriorState is the state after refresh; null when the instance is new.
	PriorState cty.Value
	// ProposedNewState is Config with computed attributes that the
	// configuration leaves null taken from PriorState.
	ProposedNewState cty.Value
	// PriorPrivate is the provider's own data saved with the state.
	PriorPrivate []byte
	// PriorFromRefresh is for hosts: PriorState is exactly the NewState
	// this provider returned for Address in the refresh just before, so
	// the SDK does not send it again. Providers can ignore it.
	PriorFromRefresh bool
	// PriorAsRecorded is for hosts: PriorState is the state as recorded
	// with PriorPrivate, which no refresh has read in this plan (the
	// refresh is off). For a type with elided state the SDK then sends
	// it only if PlanElided cannot tell the plan unchanged without it.
	// Providers can ignore it.
	PriorAsRecorded bool
	// ConfigDigest, in a process the host keeps running between plans
	// (ConfigureRequest.Resident), identifies Config by its encoded form:
	// two requests of the process with the same ConfigDigest have equal
	// configurations (cty.Value.RawEquals), which the SDK decoded and
	// validated once. A provider that keeps what it found of a
	// configuration can compare digests instead of values. Empty in any
	// other process, and for a configuration the SDK could not decode.
	ConfigDigest string
}

// PlanResponse is the provider's plan for one instance.
type PlanResponse struct {
	// PlannedState is the expected new state; unknown values are "known
	// after apply". Null plans a delete.
	PlannedState cty.Value
	// RequiresReplace lists the attribute paths whose change forces the
	// object to be destroyed and created again.
	RequiresReplace []cty.Path
	// ReplaceReasons says why, for each path of RequiresReplace at the
	// same index, the change forces replacement; the plan shows it
	// beside the attribute. It may be shorter than RequiresReplace, and
	// "" says nothing.
	ReplaceReasons []string
	// PlannedPrivate is handed back to Apply.
	PlannedPrivate []byte
	// SensitivePaths marks values inside PlannedState that views must
	// mask beyond the schema's Sensitive attributes (the data of a
	// Kubernetes Secret inside an app's objects).
	SensitivePaths []cty.Path
	Diagnostics    Diagnostics
	// Unchanged says PlannedState is PriorState: the plan changes nothing.
	// The SDK sets it when the two are equal, and then sends neither back;
	// a provider may set it itself to save the comparison.
	Unchanged bool
}

// ApplyRequest carries out one planned change.
type ApplyRequest struct {
	Address        string
	TypeName       string
	Config         cty.Value
	PriorState     cty.Value
	PlannedState   cty.Value
	PlannedPrivate []byte
	// OperationID identifies this change. slipway makes it durable in its
	// intent journal before it asks for the change. A provider that
	// leaves it on what it creates (as a client token or a tag) can find
	// the object again if a crash interrupts the change; see
	// ReadRequest.InterruptedOperation.
	OperationID string
	// Progress reports a line of progress to the user while the change runs
	// ("3/5 replicas ready"). It is safe to call from any goroutine and
	// never nil.
	Progress func(message string)
	// Waiting reports, as a line of progress, that the change has made
	// every change it is going to make and from now on only waits (for
	// health, for objects to be deleted). slipway then lets another change
	// start in its place: -parallelism bounds the changes being made, not
	// the waits. After calling it, a provider only reads until it returns
	// its response; it calls Progress for further lines. It is safe to
	// call from any goroutine and never nil; calls after the first are
	// plain progress.
	Waiting func(message string)
	// Interrupt is closed when the user asks slipway to stop (the first
	// Ctrl-C, or SIGTERM, during an apply). The context is not cancelled
	// then: the change should finish what it must to leave its objects
	// whole and recorded, and end early only a long wait that the next
	// apply can resume (a rollout's pause, an analysis between its
	// measurements), with NewState and a warning saying where it stopped.
	// The second Ctrl-C cancels the context. Never nil.
	Interrupt <-chan struct{}
}

// ApplyResponse is the outcome of one change.
type ApplyResponse struct {
	// NewState is the state after the change; null after a delete. On an
	// error, NewState should still describe what exists (null if nothing).
	NewState cty.Value
	Private  []byte
	// SensitivePaths marks values inside NewState to mask, as in PlanResponse.
	SensitivePaths []cty.Path
	Diagnostics    Diagnostics
}

// ReadRequest refreshes one instance.
type ReadRequest struct {
	Address  string
	TypeName string
	State    cty.Value
	Private  []byte
	// InterruptedOperation is set when slipway reads back a change a
	// crash interrupted: the OperationID it was applied with. State is
	// then the planned state, values known only after apply null. The
	// provider finds the object by what it knows (a name, or the
	// operation ID it left on it) and returns it, or a null NewState when
	// nothing was made. A provider that can do neither makes slipway
	// create the object again.
	InterruptedOperation string
}

// ReadResponse is the refreshed state; null when the object is gone.
type ReadResponse struct {
	NewState cty.Value
	// Private is the instance's private state, the request's unless the
	// provider sets it anew: the plan then gets it as PriorPrivate, and
	// applying the plan records it, even a plan that changes nothing.
	Private []byte
	// SensitivePaths marks values inside NewState to mask, as in PlanResponse.
	SensitivePaths []cty.Path
	Diagnostics    Diagnostics
	// Unchanged says NewState is the request's State: nothing changed
	// outside. The SDK sets it when the two are equal, and then does not
	// send the state back; a provider may set it itself.
	Unchanged bool
}

// ImportRequest adopts an existing object.
type ImportRequest struct {
	Address  string
	TypeName string
	ID       string
}

// ImportResponse holds the imported object's state.
type ImportResponse struct {
	State       cty.Value
	Private     []byte
	Diagnostics Diagnostics
}

// SourceReadRequest resolves one source.
type SourceReadRequest struct {
	Address  string
	TypeName string
	Config   cty.Value
	// PriorState is what the source resolved to at the last apply, or null.
	PriorState cty.Value
	// Hard asks the provider to drop its caches and fetch afresh.
	Hard bool
	// LocalDir, when set, is a local checkout to read the source from
	// instead of its remote (slipway plan -source NAME=DIR, the preview of
	// a pull request). The provider checks it is a checkout of the
	// source's repository, resolves what it holds as it stands (uncommitted
	// changes included), and must record nothing of it in its caches.
	LocalDir string
}

// SourceReadResponse is the resolved source, an object of the source's
// schema (a git source fills commit, short_commit, dir and so on).
type SourceReadResponse struct {
	State       cty.Value
	Diagnostics Diagnostics
	// LocalRevision, for a request with LocalDir, is what the checkout
	// holds as a plan shows it: its HEAD commit, and when it has
	// uncommitted changes "dirty" with a hash of its files.
	LocalRevision string
}

// ResourceWithStatus reports the live status of an instance, for
// `slipway status`: its health and, for resources made of many objects,
// each object's sync status and health.
type ResourceWithStatus interface {
	Resource
	Status(ctx context.Context, req StatusRequest, resp *StatusResponse)
}

// ResourceWithBatchStatus reports the live status of many instances in
// one call, for types whose backing API is cheaper in bulk: `slipway
// status` of 1,000 apps is then one LIST of each kind, not LISTs for each
// app. resps has the same length as reqs; fill resps[i] for reqs[i]. It
// takes precedence over ResourceWithStatus.
type ResourceWithBatchStatus interface {
	Resource
	StatusBatch(ctx context.Context, reqs []StatusRequest, resps []StatusResponse)
}

// StatusRequest asks for the live status of one instance.
type StatusRequest struct {
	Address  string
	TypeName string
	State    cty.Value
	Private  []byte
}

// Health values, as Argo CD names them.
const (
	Healthy     = "Healthy"
	Progressing = "Progressing"
	Degraded    = "Degraded"
	Suspended   = "Suspended"
	Missing     = "Missing"
	Unknown     = "Unknown"
)

// Sync values: whether the live object matches what slipway applied.
const (
	Synced    = "Synced"
	OutOfSync = "OutOfSync"
)

// StatusResponse is the live status of one instance.
type StatusResponse struct {
	Health      string
	Sync        string
	Message     string
	Objects     []ObjectStatus
	Diagnostics Diagnostics
}

// ObjectStatus is the live status of one object inside an instance.
type ObjectStatus struct {
	// ID names the object ("apps/v1 Deployment web/web").
	ID      string
	Sync    string
	Health  string
	Message string
}
