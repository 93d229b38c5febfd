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

// Package rolloutspec is the contract between slipway and the kubernetes
// provider for progressive delivery: the strategy an app follows (Spec,
// sent as JSON in the app's "rollout" attribute) and where its rollout
// stands (Status, returned as JSON in the app's "rollout_status"
// attribute, kept in state and shown by plans and `slipway rollout
// status`).
//
// What must stay true: this package holds data types and the functions
// that describe them in words, nothing that talks to a cluster; it
// imports the standard library only. A field is only ever added, with
// omitempty, so that state and plans written by an older slipway read.
package rolloutspec
