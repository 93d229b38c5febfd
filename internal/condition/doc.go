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

// Package condition is the language of an analysis's condition: a CEL
// expression over the measured value, `result`, that is true when the
// measurement is successful (result < 0.05). The planner compiles a
// condition to check it before anything moves; the kubernetes provider
// compiles and evaluates it while a rollout runs. Both use this one
// environment, so a condition the plan accepted means the same in the
// cluster.
//
// What must stay true: the environment declares one variable, result, of
// type dyn, and a condition's type is bool; a condition is evaluated
// within a cost limit.
package condition
