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

package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// kitApp is an app resource of the kit provider, with the attributes of
// a kubernetes_app that an app's rollout sets: enough for the engine to
// lower an app block to it (destination { provider = kit }) and plan it.
type kitApp struct{}

func (kitApp) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName:          {Type: cty.String, Required: true},
		builtin.AppManifestsDir:  {Type: cty.String, Required: true, Local: true},
		builtin.AppNamespace:     {Type: cty.String, Optional: true},
		builtin.AppRevision:      {Type: cty.String, Optional: true},
		builtin.AppRollout:       {Type: cty.String, Optional: true},
		builtin.AppRolloutStatus: {Type: cty.String, Computed: true},
	}}
}

func (kitApp) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if !req.PlannedState.IsNull() {
		resp.NewState = sdk.With(req.PlannedState, builtin.AppRolloutStatus, cty.NullVal(cty.String))
	}
}

// Read leaves a mark in the app's directory, for tests of when apps are
// refreshed.
func (kitApp) Read(_ context.Context, req sdk.ReadRequest, _ *sdk.ReadResponse) {
	if dir := sdk.GetString(req.State, builtin.AppManifestsDir); dir != "" {
		os.WriteFile(filepath.Join(dir, "refreshed"), nil, 0o644)
	}
}

// TestAppFollowsRollout: an app's rollout block puts the strategy of the
// rollout it names, with the analyses its steps name and the app's
// workload and triggers, into the configuration of the resource the app
// is lowered to, and the plan says which rollout the app follows. The
// rollout and analysis blocks propose no change of their own.
func TestAppFollowsRollout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "cache" { type = string }
variable "prometheus" {
  type    = string
  default = "http://prometheus.monitoring:9090"
}

source "kit" "gitops" {
  revision  = "r1"
  cache_dir = var.cache
}

analysis "errors" {
  count         = 3
  failure_limit = 1
  prometheus {
    address   = var.prometheus
    query     = "sum(rate(http_requests_total{code=~\"5..\"}[1m]))"
    condition = "result < 0.05"
  }
}

rollout "canary" {
  canary {
    step { set_weight = 20 }
    step {
      pause { duration = "30s" }
    }
    step { analysis = analysis.errors }
    step { set_weight = 50 }
    step {
      pause {}
    }
  }
}

app "web" {
  source { repo = source.kit.gitops }
  destination {
    namespace = "web"
    provider  = kit
  }
  rollout {
    strategy   = rollout.canary
    workload   = "Deployment/web"
    trigger_on = ["ConfigMap/web-config"]
  }
}
`)
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "r1"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := f.context(map[string]string{"cache": cache})
	if diags := c.Validate(context.Background()); diags.HasErrors() {
		t.Fatalf("validate: %s", diags.Error())
	}
	p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	for _, d := range diags {
		t.Errorf("plan warns: %s: %s", d.Summary, d.Detail)
	}
	if diff := cmp.Diff(map[string]string{"app.web": "create", "source.kit.gitops": "read"}, actions(p)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	ch := p.Change(mustAddr(t, "app.web"))
	if ch.Rollout != "rollout.canary" {
		t.Errorf("the change follows %q, want rollout.canary", ch.Rollout)
	}
	attr := ch.After.GetAttr(builtin.AppRollout)
	if !attr.IsKnown() || attr.IsNull() {
		t.Fatalf("rollout = %#v, want the strategy", attr)
	}
	got, err := rolloutspec.DecodeSpec(attr.AsString())
	if err != nil {
		t.Fatal(err)
	}
	twenty, fifty := 20, 50
	want := &rolloutspec.Spec{
		Rollout:   "canary",
		Workload:  "Deployment/web",
		TriggerOn: []string{"ConfigMap/web-config"},
		Canary: &rolloutspec.CanarySpec{
			Steps: []rolloutspec.Step{
				{SetWeight: &twenty}, {Pause: &rolloutspec.Pause{Duration: "30s"}}, {Analysis: "errors"},
				{SetWeight: &fifty}, {Pause: &rolloutspec.Pause{}},
			},
			Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
		},
		Analyses: map[string]*rolloutspec.Analysis{"errors": {
			Name: "errors", Count: 3, FailureLimit: 1,
			Prometheus: &rolloutspec.PrometheusMetric{
				Address: "http://prometheus.monitoring:9090", Query: `sum(rate(http_requests_total{code=~"5.."}[1m]))`, Condition: "result < 0.05",
			},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strategy (-want +got):\n%s", diff)
	}
	if road, wantRoad := got.Road(), "set_weight 20 -> pause 30s -> analysis errors (3 x 10s) -> set_weight 50 -> pause until promoted -> 100%"; road != wantRoad {
		t.Errorf("road = %q, want %q", road, wantRoad)
	}
}

// TestValidateRollout: validate reports a rollout's mistakes at the value
// that holds them, with every reference unknown; an analysis that
// depends on a variable is no mistake there.
func TestValidateRollout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "prometheus" { type = string }

analysis "errors" {
  prometheus {
    address   = var.prometheus
    query     = "up"
    condition = "result >"
  }
}

rollout "canary" {
  canary {
    step { analysis = analysis.errors }
    step { set_weight = 120 }
  }
}
`)
	diags := f.context(map[string]string{"prometheus": "http://prom:9090"}).Validate(context.Background())
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s @ %d:%d", d.Summary, d.Subject.Start.Line, d.Subject.Start.Column))
	}
	want := []string{"Invalid analysis condition @ 8:26", "Invalid canary weight @ 15:25"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}
