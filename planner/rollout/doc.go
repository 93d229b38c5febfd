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

// Package rollout is the rollout block kind: a progressive delivery
// strategy (canary steps, or blue-green) that apps name in their rollout
// block. This package decodes and checks the block; its value, an object
// with the rollout's name and its rolloutspec.Spec as JSON (spec), holds
// every analysis its steps name, resolved from their blocks' values. An
// app copies that spec, with its workload and triggers, into the
// resource it is lowered to, and the kubernetes provider carries it out
// while applying the app.
//
// A rollout proposes no change of its own: its steps show in the plan of
// each app that follows it. Its value is the same in plan and apply, so
// that an app's strategy does not move between the two.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through kind.Kind.
package rollout
