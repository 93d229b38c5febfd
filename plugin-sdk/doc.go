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

// Package sdk is what a slipway provider author imports. A provider is a
// plain Go value that implements Provider; Serve runs it as a plugin
// process that slipway starts and talks to over gRPC (hashicorp/go-plugin,
// with slipway's handshake and AutoMTLS, or, for the providers built
// into slipway, each side admitting the other's process alone: peercred).
//
// plugin-sdk is a Go module of its own (slipway.dev/slipway/plugin-sdk,
// tagged plugin-sdk/vX.Y.Z), so that an author's go.mod gets only what
// it requires: go-plugin, gRPC, protobuf, go-cty and x/sys. Its go line stays as
// low as its code and those modules allow.
//
// Authors see plain Go types only: schemas as Schema values, values as
// go-cty values, mistakes as Diagnostics in responses. The wire protocol
// (plugin-sdk/proto) and its generated code stay internal, so the protocol
// can grow without breaking providers.
//
// The SDK does the protocol's chores: it groups batch requests by type
// (one PlanBatch or ReadBatch call per type when a resource implements
// them, otherwise one Plan or Read per instance, at most 16 at once), runs
// the changes of an apply concurrently and streams each result as soon as
// it is done, plans resources without a Plan method (DefaultPlan: nested
// blocks, defaults and plan modifiers included), checks required
// attributes for resources without a Validate method (ValidateConfig),
// runs every attribute's Validators on its value once known, gives what a
// provider returns its schema's type (Schema.Conform, so Set may leave
// attributes out), upgrades stored states of older schema versions through
// a resource's StateUpgraders (ResourceWithUpgradeState), refreshes and
// plans from private state alone the instances of a
// ResourceWithElidedState that changed in nothing (and asks the host for
// the state of the others), cancels the context of every call in flight
// when slipway calls Stop, and turns a panic in a provider method, or in a
// validator or plan modifier it runs for one, into an error diagnostic of
// the item it was for instead of a dead process. Decode and the responses'
// Set methods move values to and from Go structs with slipway tags.
//
// Related packages: sdktest runs a provider through the real protocol in
// tests; host is slipway's side of the connection; memo keeps values for
// a process that serves plan after plan.
//
// What must stay true: nothing here imports Kubernetes, Helm or any part of
// slipway's core; every request/response type is safe to use from one
// goroutine at a time, and the SDK may call a provider's methods from many
// goroutines at once (a provider must be safe for concurrent use). Authors
// never see a generated protocol type, and an incompatible change to the
// protocol bumps its version (internal/wire.ProtocolVersion) so old and new
// ends refuse each other at the handshake instead of misreading each other.
package sdk
