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

// Package planner is slipway's engine: it turns a configuration and a
// prior state into a plan, and carries a plan out. It builds the
// dependency graph from references, walks it concurrently, evaluates
// expressions, has providers upgrade stored state of older schema
// versions, asks them to read, plan and apply in batches, and
// records what apply did through a state recorder after every finished
// resource. It also validates, imports and reports status.
//
// The engine knows resources, sources, locals and outputs. Every other
// block (pipeline, app, rollout) belongs to a kind: a package under
// planner/ implementing kind.Kind, registered in kinds.go, which is the
// only file here that names one. The engine never branches on a kind.
//
// What must stay true: plan never changes anything outside slipway
// (providers are asked to read and plan only); apply changes exactly what
// the plan says and fails loudly when a provider does otherwise; a
// difference in a schema's Local attributes (cache paths, a rollout's
// proposal) alone is never a change, yet the planned value holds this
// machine's, and is no promise apply holds the provider to; the cost
// of a plan grows linearly with the number of resources (expressions are
// evaluated with only the values they refer to, and provider calls are
// batched); a refresh is given only state and a configured provider, so
// a plan refreshes each provider's instances as soon as it is configured
// (earlyread.go); a provider that blocks use only in some cases
// (kind.ProvidersOnDemand) and nothing else needs is started, and
// configured, only when a block asks for it (walker.conn); what a kind
// recalls from an earlier plan (kind.Host.Recall, EvalMemo: plans of a
// process that makes plan after plan) is found only under the digest of
// everything its evaluation read, never for a block that calls a function
// or reads a value not known yet, and what it read of the filesystem the
// kind checks again, so that a plan with a memo says what one without it
// says; package cmd is the only importer.
package planner
