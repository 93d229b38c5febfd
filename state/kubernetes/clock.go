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

package kubernetes

import (
	"net/http"
	"sync"
	"time"
)

// serverClock estimates the API server's clock from the Date header of its
// responses, so that a lock holder and a waiter on machines whose clocks
// differ still agree on when a lease ran out. Until a response has been
// seen it is the local clock.
//
// A Date is to the second, so one response only bounds the offset
// (server time minus local time) to an interval a second and a round trip
// wide; the clock keeps the intersection of every response's interval,
// which narrows to about a round trip as responses come in at different
// points of a second.
type serverClock struct {
	mu     sync.Mutex
	known  bool
	lo, hi time.Duration // bounds of the offset
}

// now is the API server's time, as best known.
func (c *serverClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add((c.lo + c.hi) / 2)
}

// wrap records the Date of every response.
func (c *serverClock) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		sent := time.Now()
		resp, err := rt.RoundTrip(req)
		if err == nil {
			c.observe(sent, time.Now(), resp.Header.Get("Date"))
		}
		return resp, err
	})
}

// observe takes one sample: the server's clock read date, to the second,
// at some time between sent and received.
func (c *serverClock) observe(sent, received time.Time, date string) {
	at, err := http.ParseTime(date)
	if err != nil {
		return
	}
	// The server's time was in [at, at+1s) at a local time in
	// [sent, received].
	lo := at.Sub(received.Round(0))
	hi := at.Add(time.Second).Sub(sent.Round(0))
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known || lo > c.hi || hi < c.lo {
		// The first sample, or one that contradicts the others: a clock
		// was set. Start again from it.
		c.known, c.lo, c.hi = true, lo, hi
		return
	}
	c.lo, c.hi = max(c.lo, lo), min(c.hi, hi)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
