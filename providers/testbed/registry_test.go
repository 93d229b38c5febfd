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

package testbed_test

import (
	"net/http"
	"strings"
	"testing"

	"slipway.dev/slipway/providers/testbed"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	r, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Addr, "127.0.0.1:") {
		t.Errorf("registry listens on %s, want 127.0.0.1", r.Addr)
	}
	resp, err := http.Get("http://" + r.Addr + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v2/ = %s, want 200", resp.Status)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get("http://" + r.Addr + "/v2/"); err == nil {
		t.Error("the registry still answers after Close")
	}
}
