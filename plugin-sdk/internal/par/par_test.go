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

package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestEachCarriesAPanicToTheCaller checks that a panic on a worker
// goroutine reaches the caller, after every other call, instead of
// ending the process.
func TestEachCarriesAPanicToTheCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const n = 100
	var calls atomic.Int64
	got := func() (r any) {
		defer func() { r = recover() }()
		Each(n, func(i int) {
			calls.Add(1)
			if i == 50 {
				panic("item 50")
			}
		})
		return nil
	}()
	if got != "item 50" {
		t.Fatalf("recovered %v, want the panic of item 50", got)
	}
	if c := calls.Load(); c != n {
		t.Fatalf("fn ran %d times, want %d", c, n)
	}
}
