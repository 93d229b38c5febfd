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

package helm

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kubetest"
)

// TestConfigureStartsANewSession: a process configured for an offline
// plan and then, serving the next plan (slipway agent), for a plan that
// reaches the cluster, plans the second against the cluster.
func TestConfigureStartsANewSession(t *testing.T) {
	t.Parallel()
	p := New().(*provider)
	ctx := context.Background()
	var resp sdk.ConfigureResponse
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{"cache_dir": cty.StringVal(t.TempDir())}), Offline: true}, &resp)
	if p.offline == nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("an offline Configure: %v, %v", p.offline, resp.Diagnostics)
	}
	kubeconfig := kubetest.UnreachableKubeconfig(t)
	resp = sdk.ConfigureResponse{}
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{"kubeconfig": cty.StringVal(kubeconfig), "cache_dir": cty.StringVal(t.TempDir())})}, &resp)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	if p.offline != nil {
		t.Error("the session after an offline one still plans offline")
	}
	if _, err := p.Cluster(); err != nil {
		t.Errorf("no connection after the second Configure: %v", err)
	}
}
