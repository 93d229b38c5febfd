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
	"sync"
	"sync/atomic"
)

// Each calls fn for 0..n-1, on as many goroutines as there are CPUs when
// n is large enough to be worth it. fn must be safe for concurrent use
// on distinct indexes. A panic in fn reaches the caller's goroutine,
// where the caller may recover it: one on a worker goroutine is recovered
// there and raised again once every other call has returned.
func Each(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 2*workers || workers < 2 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	// A panic on a worker goroutine could not be recovered by anyone and
	// would end the process: it is carried to the caller's goroutine
	// instead, as if fn had run there.
	call := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				once.Do(func() { panicked = r })
			}
		}()
		fn(i)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				call(i)
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}
