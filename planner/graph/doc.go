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

// Package graph is the dependency graph slipway plans and applies along:
// nodes keyed by a comparable, named key, edges from a node to what it depends on, cycle
// reports that name the path, and a concurrent walk that starts a node
// once everything it depends on has finished.
//
// It is written here rather than taken from a library because the walk
// must report which nodes were skipped because of a failed dependency and
// must scale linearly to tens of thousands of nodes; the general graph
// libraries in Go either lack a dependency-ordered concurrent walk or
// carry an API far larger than this one.
//
// What must stay true: a Graph is built by one goroutine and then only
// read; Walk never runs a node before all of its dependencies finished,
// never runs a node whose dependency failed, and costs O(nodes + edges).
package graph
