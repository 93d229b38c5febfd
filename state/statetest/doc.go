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

// Package statetest holds what tests of state backends share: Run, the
// conformance suite every state.Backend must pass (TestBackend, its
// in-process part, and checks across processes: a lock freed after its
// holder is SIGKILLed, two processes racing for the lock, a 20 MB state,
// readers during writes), TestStore for a state.Store and its
// workspaces, TestReseal for a state.Resealer moved into encryption, onto
// another key and out again, Main (or Child) for the test binary's
// TestMain, and Sample, Large and Diff for tests that need a rich or a
// large state or must compare two.
//
// Of slipway's packages it imports only state and lang/addrs; only tests
// may import it.
package statetest
