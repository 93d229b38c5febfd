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

// Package exampletest tests the example providers in examples/ end to end
// against the real services the testbed runs. The example modules cannot
// import slipway's testbed (they depend on the SDK alone, as a provider
// outside the repository does), so their tests that need a real service
// live here, in slipway's module, which requires each example by a
// replace to its directory.
//
// What must stay true: the package holds tests only, the providers run
// through sdktest (the real plugin protocol), and every test starts the
// services it uses and stops them when it ends.
package exampletest
