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
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

func TestHostsScopeProviderCredentials(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "private", "main")
	sha := repo.commit("Secret", map[string]string{"a": "a\n"})
	srv.requireAuth("robot", "s3cret")
	cfg := map[string]cty.Value{"url": str(repo.url)}
	creds := func(hosts ...string) map[string]cty.Value {
		block := map[string]cty.Value{"username": str("robot"), "password": str("s3cret")}
		if hosts != nil {
			vals := make([]cty.Value, len(hosts))
			for i, h := range hosts {
				vals[i] = str(h)
			}
			block["hosts"] = cty.ListVal(vals)
		}
		return block
	}

	// Another host's credentials are not sent to this one.
	resp := read(t, startProvider(t, "", creds("git.example.com")), false, cfg)
	checkDiag(t, resp.Diagnostics, "Git authentication failed", "url", repo.url)
	checkState(t, mustRead(t, startProvider(t, "", creds("127.0.0.1")), cfg), map[string]string{"commit": sha})

	// Unscoped, they still go everywhere, and the configuration warns.
	c := sdktest.Start(t, "git")
	block := creds()
	block["cache_dir"] = str(newCacheDir(t))
	diags, err := c.Configure(t.Context(), providerSchema.Object(block))
	if err != nil || diags.HasErrors() || len(diags) != 1 || diags[0].Severity != sdk.Warning || !strings.Contains(diags[0].Detail, "hosts") {
		t.Fatalf("configure without hosts: %v %v, want one warning about hosts", diags, err)
	}
	checkState(t, mustRead(t, c, cfg), map[string]string{"commit": sha})

	// An entry that is no host is an error.
	c = sdktest.Start(t, "git")
	block = creds("https://git.example.com/org")
	block["cache_dir"] = str(newCacheDir(t))
	diags, err = c.Configure(t.Context(), providerSchema.Object(block))
	if err != nil || !diags.HasErrors() || !strings.Contains(diags.Err().Error(), "not a host") {
		t.Fatalf("configure with a URL in hosts: %v %v, want an error", diags, err)
	}
}
