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

// Command slipway-testbed runs slipway's testbed (package
// providers/testbed) outside of tests, for `make demo` and for people:
//
//	slipway-testbed build            build the control-plane binaries once
//	slipway-testbed up --dir DIR     start a cluster, a git server and an image registry in the background
//	slipway-testbed down --dir DIR   stop them
//
// up re-executes the command as `slipway-testbed serve --dir DIR` in a new
// session, so the testbed outlives the shell that started it. serve writes
// DIR/testbed.pid at once and DIR/env (shell exports of KUBECONFIG,
// SLIPWAY_GIT_URL, SLIPWAY_GIT_ROOT and SLIPWAY_REGISTRY) once everything
// is ready, and stops every component when it gets SIGTERM, which is what
// down sends. Each up starts afresh: it replaces DIR/cluster, DIR/git and
// DIR/registry.
package main
