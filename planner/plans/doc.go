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

// Package plans is slipway's plan model: the one description of every
// effect a plan proposes, from which every view (human, JSON, markdown,
// HTML) is rendered and which apply carries out.
//
// What must stay true: a Plan is built by the planner and not changed
// afterwards, except by apply's own bookkeeping on a copy; values may hold
// unknowns (known after apply) but never marks; sensitive paths are kept
// beside the values, and every view must mask them.
package plans
