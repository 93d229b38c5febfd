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

package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// requestHost is a plan host that knows only the requests of
// `slipway rollout`.
type requestHost struct {
	kind.PlanHost
	requests map[string]string
	replace  map[string]bool // -replace
}

func (h requestHost) ReplaceRequested(addr addrs.ResourceInstance) bool {
	return h.replace[addr.String()]
}

func (h requestHost) RolloutRequest(addr addrs.ResourceInstance) string {
	return h.requests[addr.String()]
}

func TestRolloutRequestInConfig(t *testing.T) {
	t.Parallel()
	schema := sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName:          {Type: cty.String, Required: true},
		builtin.AppRolloutAction: {Type: cty.String, Optional: true},
	}}
	decoded := func(_ *lang.Resource, s sdk.Schema, _ *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics) {
		return kind.SchemaObject(s, map[string]cty.Value{builtin.AppName: cty.StringVal(in.Addr.Resource.Name)}, nil), nil
	}
	h := requestHost{requests: map[string]string{"app.web": builtin.RolloutPromote}}
	config := withRolloutRequest(h, decoded)
	action := func(name string) cty.Value {
		t.Helper()
		a, d := addrs.ParseResourceInstance("app." + name)
		if d.HasErrors() {
			t.Fatal(d.Error())
		}
		v, diags := config(nil, schema, nil, kind.Instance{Addr: a})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		return v.GetAttr(builtin.AppRolloutAction)
	}
	if diff := cmp.Diff(cty.StringVal(builtin.RolloutPromote), action("web"), ctyCmp); diff != "" {
		t.Errorf("app.web rollout_action (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cty.NullVal(cty.String), action("api"), ctyCmp); diff != "" {
		t.Errorf("app.api rollout_action (-want +got):\n%s", diff)
	}

	// At apply, the configuration is evaluated again without the
	// request: it holds the one the plan was made with.
	web, _ := decoded(nil, schema, nil, kind.Instance{Addr: addrs.ResourceInstance{Resource: addrs.Resource{Kind: addrs.App, Name: "web"}}})
	planned := withAttr(web, builtin.AppRolloutAction, cty.StringVal(builtin.RolloutAbort))
	if diff := cmp.Diff(planned, holdRolloutRequest(web, planned), ctyCmp); diff != "" {
		t.Errorf("held configuration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(web, holdRolloutRequest(web, web), ctyCmp); diff != "" {
		t.Errorf("held configuration without a request (-want +got):\n%s", diff)
	}
	// A helm_release has no rollout: the request does not apply to it.
	release := cty.ObjectVal(map[string]cty.Value{builtin.AppName: cty.StringVal("web")})
	if diff := cmp.Diff(release, withAction(release, cty.StringVal(builtin.RolloutAbort)), ctyCmp); diff != "" {
		t.Errorf("helm_release (-want +got):\n%s", diff)
	}
}
