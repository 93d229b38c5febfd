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

package regauth

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPlainHTTPAllowed: the transport's rule for plain HTTP, for the
// hosts no test can reach by name.
func TestPlainHTTPAllowed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scheme, host string
		insecure     bool
		want         bool
	}{
		{"https", "10.0.0.1", false, true},
		{"https", "ghcr.io", false, true},
		{"http", "localhost", false, true},
		{"http", "LocalHost", false, true},
		{"http", "127.0.0.1", false, true},
		{"http", "127.4.5.6", false, true},
		{"http", "::1", false, true},
		{"http", "10.0.0.1", false, false},
		{"http", "172.16.0.1", false, false},
		{"http", "192.168.1.1", false, false},
		{"http", "registry.localhost", false, false},
		{"http", "localhost.example.com", false, false},
		{"http", "ghcr.io", false, false},
		{"http", "fd00::2", false, false},
		{"http", "10.0.0.1", true, true},
		{"http", "ghcr.io", true, true},
	} {
		if got := plainHTTPAllowed(tc.scheme, tc.host, tc.insecure); got != tc.want {
			t.Errorf("plainHTTPAllowed(%q, %q, insecure %v) = %v, want %v", tc.scheme, tc.host, tc.insecure, got, tc.want)
		}
	}
}

// closeRecorder is a request body that records that it was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestRefusePlainHTTP: a refused request is not sent, its body is
// closed (as a RoundTripper must), and the error says which host; an
// allowed one goes to the transport underneath.
func TestRefusePlainHTTP(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	// Every request is dialled to the test server, whatever its host.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = nil
	tr.Dial = func(network, _ string) (c net.Conn, err error) {
		return net.Dial(network, srv.Listener.Addr().String())
	}

	for _, tc := range []struct {
		url      string
		insecure bool
		refused  bool
	}{
		{"http://10.1.2.3:5000/v2/", false, true},
		{"http://registry.localhost:5000/v2/", false, true},
		{"http://10.1.2.3:5000/v2/", true, false},
		{"http://127.0.0.1:5000/v2/", false, false},
		{"http://localhost:5000/v2/", false, false},
	} {
		before := hits.Load()
		body := &closeRecorder{Reader: strings.NewReader("secret layer")}
		req, err := http.NewRequest(http.MethodPut, tc.url, body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := RefusePlainHTTP(tr, tc.insecure).RoundTrip(req)
		if !tc.refused {
			if err != nil || resp.StatusCode != http.StatusTeapot {
				t.Errorf("%s (insecure %v): %v, want it sent", tc.url, tc.insecure, err)
			} else {
				resp.Body.Close()
			}
			continue
		}
		var pe *PlainHTTPError
		if !errors.As(err, &pe) || pe.Host != req.URL.Host || !strings.Contains(err.Error(), "refused plain HTTP to "+req.URL.Host) {
			t.Errorf("%s: error %v, want the refusal of %s", tc.url, err, req.URL.Host)
		}
		if resp != nil {
			t.Errorf("%s: a response to a refused request", tc.url)
		}
		if hits.Load() != before {
			t.Errorf("%s: the refused request was sent", tc.url)
		}
		if !body.closed {
			t.Errorf("%s: the refused request's body was not closed", tc.url)
		}
	}
}
