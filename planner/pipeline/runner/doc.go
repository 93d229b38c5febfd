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

// Package runner carries out the stages of a pipeline run on this machine:
// a clean workspace copied from the source checkout, each stage's commands
// run with its environment, working directory, timeout and retry policy,
// output streamed line by line to a callback and kept in a log file per
// stage, and concurrency groups that hold across processes.
//
// What must stay true:
//   - A run starts from a clean workspace: whatever an earlier run left is
//     removed before the source is copied in. The workspace path of a
//     pipeline is stable from run to run, so builds that embed their path
//     (compilers, code generators) stay reproducible.
//   - Every line a command prints reaches the log file before the callback
//     sees it, so a crash never shows output that the log lacks.
//   - A command that outlives its timeout is killed with its whole process
//     group; nothing it started keeps running after the stage fails.
//   - A concurrency group's limit holds across processes on one machine:
//     each running pipeline holds one slot, an flock on one of limit slot
//     files, which the kernel frees when the holder dies.
//
// The package knows nothing of configuration or state; the planner decides
// what runs and records the outcome.
package runner
