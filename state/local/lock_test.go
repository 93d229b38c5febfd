package local

import (
	"testing"
	"time"
)

func TestLockPollStaysWithinBounds(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	// The waits before jitter, which adds up to a quarter of each.
	bases := []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 160 * ms, 160 * ms}
	// The jitter is random: many runs show its bounds.
	for range 200 {
		next := lockPoll.DelayFunc()
		for i, base := range bases {
			d := next()
			if top := base + base/4; d < base || d > top {
				t.Fatalf("wait %d = %s, want it within [%s, %s]", i+1, d, base, top)
			}
			if d > 200*ms {
				t.Fatalf("wait %d = %s, over 200ms", i+1, d)
			}
		}
	}
}
