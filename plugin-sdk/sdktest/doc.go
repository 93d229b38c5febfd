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

// Package sdktest runs a provider through the real plugin protocol in
// tests, for provider authors and for slipway's own tests. The test binary
// re-executes itself as the plugin process (the go-plugin way), so a test
// exercises the handshake, gRPC, msgpack values and crash handling exactly
// as slipway will, with no binary to build first.
//
// Wire it up in TestMain with Main (MainWith when another helper must run
// the tests), then call Start in a test to get a *host.Client; the helpers
// (PlanApply, Refresh, Object, ...) cover the common steps and fail the
// test on error diagnostics. A Session carries one instance's state and
// private data through plan, apply, refresh and status as the core does,
// for tests that look at each step.
//
// What must stay true: sdktest goes through package host and the real
// protocol, never around it, so what passes here works in slipway; a
// binary whose TestMain does not call Main or MainWith can never
// re-execute itself; and it imports nothing of any provider, Kubernetes
// and Helm included, so every provider's tests can use it.
package sdktest
