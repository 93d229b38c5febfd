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

package registry

import "testing"

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
