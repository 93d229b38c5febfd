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

// Package lang is slipway's configuration language: the model of a
// configuration (Config and its blocks), loading it from the *.slip.hcl
// files of a directory, finding and statically checking the references
// between blocks, the functions expressions may call, input variable
// values from the command line, environment and .slipvars files, and
// printing diagnostics for people (WriteDiagnostics) and machines
// (DiagnosticsJSON).
//
// What must stay true:
//   - A Config is immutable once LoadDir returns it; callers share it freely
//     between goroutines.
//   - lang imports nothing of slipway's except lang/addrs and
//     internal/termtext (which imports the standard library alone): never
//     the planner, state or plugin-sdk, which all depend on it.
//   - Every mistake a user can make in a file is reported as an
//     hcl.Diagnostic with a Subject range, so that it prints with the
//     offending source line; Go errors are kept for failures of the machine.
//   - Functions are deterministic: plan and apply evaluate the same
//     expressions and must agree on their values.
package lang
