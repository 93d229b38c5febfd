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

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// TestConfigureStartsANewSession: a process serving several plans (slipway
// agent) is configured for each; a configuration that fails leaves none
// of the last session's credentials in use.
func TestConfigureStartsANewSession(t *testing.T) {
	t.Parallel()
	p := New().(*provider)
	ctx := context.Background()
	var resp sdk.ConfigureResponse
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{
		"username": cty.StringVal("u"), "password": cty.StringVal("p"), "insecure": cty.True,
	})}, &resp)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	resp = sdk.ConfigureResponse{}
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{"username": cty.StringVal("u")})}, &resp)
	if !resp.Diagnostics.HasErrors() {
		t.Fatal("a user name without a password was not reported")
	}
	if s := p.config(); s.insecure {
		t.Error("the failed session uses the last one's settings")
	}
}
