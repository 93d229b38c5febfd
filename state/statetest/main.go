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

package statetest

import (
	"testing"

	"slipway.dev/slipway/state"
)

// MainWith is Main for a test binary whose tests another function runs:
// testbed.Main, for one, which stops the shared cluster after them. In a
// child process Run started it does the child's part and exits;
// otherwise it calls run(m), which must exit.
func MainWith(m *testing.M, open func(where string) (state.Backend, error), run func(*testing.M)) {
	Child(open)
	run(m)
}
