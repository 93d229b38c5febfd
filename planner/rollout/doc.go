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
// strategy (canary, blue-green) that apps name. This version parses and
// orders rollout blocks in the graph, checks their references, and warns
// that their effects are not planned yet.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through kind.Kind.
package rollout
