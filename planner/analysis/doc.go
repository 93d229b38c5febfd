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

// Package analysis is the analysis block kind: a check a rollout step
// runs (analysis = analysis.NAME), a Prometheus query judged by a CEL
// condition, an HTTP probe or a Kubernetes Job, measured count times an
// interval apart. This package decodes and checks the block; its value,
// an object with the analysis's name and its rolloutspec.Analysis as
// JSON (spec), is what rollout blocks read. The kubernetes provider runs
// the measurements while it carries out a rollout.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through
// kind.Kind. An analysis proposes no change of its own; its value is the
// same in plan and apply, so that an app's strategy does not move
// between the two.
package analysis
