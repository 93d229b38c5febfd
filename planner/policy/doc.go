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

// Package policy checks a plan against policies: rules written in CEL
// over the JSON plan document (render.JSON), each denying the plan or
// warning about it. The configuration's policy blocks and those of
// -policy directories are compiled once (Compile), with diagnostics that
// point inside the rule's string, and evaluated over the plan before it
// is saved or applied (Set.Evaluate).
//
// What must stay true:
//   - rules see exactly the JSON plan document, as `plan`, and nothing
//     else: what a policy can read, a JSON consumer can read too, and
//     sensitive values are as hidden from rules as from that document;
//   - evaluating never changes anything and is deterministic;
//   - this package imports neither the engine (package planner) nor a
//     kind: cmd hands it the policies and the plan.
package policy
