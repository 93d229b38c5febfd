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
	"fmt"
	"net"
	"net/http"
	"strings"
)

// RefusePlainHTTP is next behind a guard that refuses, with a
// *PlainHTTPError, a plain HTTP request to a host that is not a loopback
// one (localhost, 127.0.0.0/8, ::1) unless insecure is set. Give it to
// every registry call (remote.WithTransport): go-containerregistry picks
// plain HTTP by itself for more than loopback hosts (its
// name.Registry.Scheme: private addresses in 10.0.0.0/8, 172.16.0.0/12
// and 192.168.0.0/16, and *.localhost names, where it races HTTPS
// against HTTP), and no option of its name package turns that off; a
// registry's token service, or a redirect, may also lead to http://.
// Credentials, and what is pushed or pulled, would cross the network in
// clear. Every request passes here, the ping, token requests and
// redirects included, and a refused one is not sent.
func RefusePlainHTTP(next http.RoundTripper, insecure bool) http.RoundTripper {
	return plainHTTPGuard{next: next, insecure: insecure}
}

type plainHTTPGuard struct {
	next     http.RoundTripper
	insecure bool
}

func (g plainHTTPGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !plainHTTPAllowed(req.URL.Scheme, req.URL.Hostname(), g.insecure) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &PlainHTTPError{Host: req.URL.Host}
	}
	return g.next.RoundTrip(req)
}

// plainHTTPAllowed reports whether a request with scheme may go to host
// (without its port): HTTPS always; plain HTTP when insecure is set or
// the host is a loopback one (localhost, 127.0.0.0/8, ::1).
func plainHTTPAllowed(scheme, host string, insecure bool) bool {
	if !strings.EqualFold(scheme, "http") || insecure {
		return true
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PlainHTTPError is a plain HTTP request that RefusePlainHTTP refused.
// Its message says what was refused and why; the caller adds what its
// user can do (set insecure, serve the registry over HTTPS).
type PlainHTTPError struct {
	// Host is the host:port the request was for.
	Host string
}

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("refused plain HTTP to %s: only registries on localhost, 127.0.0.0/8 and ::1 are reached without TLS", e.Host)
}
