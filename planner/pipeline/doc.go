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

// Package pipeline is the pipeline block kind (CI): the HCL schema of a
// pipeline block and its stage, image, promote, concurrency and post
// blocks; their decoding and validation with diagnostics; the decision
// whether a pipeline runs, from its inputs against the last successful
// run in state; the lowering of its images to builtin.RegistryImage and
// its promotes to builtin.GitPromote; and the runs themselves (stages in
// a workspace through package runner, then images, then promotes), with
// their records in state.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through
// kind.Kind. A run is in state from its start to its end, so a crash
// leaves a record the next plan reads as "run again"; nothing is pushed
// or promoted after a stage fails; a failed run names everything it made
// that stays, down to the tags a push wrote before it failed; the values
// of sensitive variables are masked in everything a run prints or logs.
package pipeline
