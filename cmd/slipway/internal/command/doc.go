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

// Package command holds the CLI's operations: each takes typed arguments
// (filled from flags by package main), does its work through lang,
// planner and state, reports through a views.View and returns the exit
// code. Nothing here knows about cobra or flag parsing.
//
// What must stay true: every operation that touches state opens it
// through Meta.backend, which is the selected workspace's Backend of the
// configured Store, and which refuses a backend configuration other than
// the one init set up (backend.go); every operation that reads state for
// writing takes the state lock first and releases it on every path; every started
// provider is stopped before the operation returns; exit codes follow
// Terraform (0 success, 1 error, 2 changes present with
// -detailed-exitcode).
package command
