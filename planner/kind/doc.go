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

// Package kind is the contract between slipway's engine (package planner)
// and its block kinds (planner/pipeline, planner/app, planner/rollout):
// the Kind interface a kind implements, the Host interfaces through which
// the engine offers a kind its services during a walk, and the few value
// helpers that every kind needs.
//
// What must stay true: this package imports neither the engine nor any
// kind, so that a kind package depends on it and never on the engine or
// another kind; the engine reaches a kind only through Kind, registered
// once in the engine's kinds.go; nothing here knows what a pipeline or an
// app is. Host methods are safe for concurrent use, since the engine
// walks the graph concurrently.
package kind
