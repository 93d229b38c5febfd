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

// Package par runs the calls of a loop on every CPU: decoding and
// encoding the resources of a state, the work of the apps of a batch in
// the kubernetes provider, the objects of a LIST. It is the one such
// loop of slipway's module; the plugin-sdk module has its own (its
// internal par), since neither may import the other's internal packages.
//
// What must stay true: Each returns only once every call it started has
// returned, and a panic in a call reaches the caller's goroutine, where
// it can be recovered, instead of ending the process from a worker.
package par
