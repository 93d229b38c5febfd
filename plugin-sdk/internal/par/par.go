package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn for 0..n-1, on as many goroutines as there are CPUs when
// n is large enough to be worth it. fn must be safe for concurrent use
// on distinct indexes.
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
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
