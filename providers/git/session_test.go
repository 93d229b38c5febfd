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

package git

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// TestConfigureStartsANewSession: a process serving several plans (slipway
// agent) is configured for each; a configuration that fails leaves none
// of the last session's settings (its credentials, its cache) in use.
func TestConfigureStartsANewSession(t *testing.T) {
	t.Parallel()
	p := New().(*provider)
	ctx := context.Background()
	dir := t.TempDir()
	var resp sdk.ConfigureResponse
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{
		"cache_dir": cty.StringVal(dir), "username": cty.StringVal("u"), "password": cty.StringVal("p"),
	})}, &resp)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	resp = sdk.ConfigureResponse{}
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{
		"cache_dir": cty.StringVal(dir), "ssh_key_file": cty.StringVal(filepath.Join(dir, "missing")),
	})}, &resp)
	if !resp.Diagnostics.HasErrors() {
		t.Fatal("a missing ssh_key_file was not reported")
	}
	s, _, err := p.config()
	if err != nil {
		t.Fatal(err)
	}
	if s.creds.username != "" || s.creds.password != "" || s.cacheDir == dir {
		t.Errorf("the failed session uses the last one's settings: user %q, cache %s", s.creds.username, s.cacheDir)
	}
}
