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

// Package par runs the per-item work of a batch (encoding and decoding
// values) on every CPU.
//
// What must stay true: fn runs exactly once per index, Each returns only
// when every call has returned, and a panic in fn reaches the caller's
// goroutine rather than ending the process from a worker; it is internal
// to plugin-sdk.
package par
