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

package rollout

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/kind/kindtest"
)

// errorsSpec is the spec of analysis.errors as its block's value holds it.
var errorsSpec = &rolloutspec.Analysis{
	Name: "errors", Interval: "10s", Count: 3, FailureLimit: 1,
	Prometheus: &rolloutspec.PrometheusMetric{Address: "http://prom:9090", Query: "up", Condition: "result < 0.05"},
}

// analyses is the evaluation context of a rollout that names
// analysis.errors and analysis.smoke.
func analyses(errors, smoke cty.Value) *hcl.EvalContext {
	ectx := kindtest.Scope{}.EvalContext()
	ectx.Variables = map[string]cty.Value{"analysis": cty.ObjectVal(map[string]cty.Value{"errors": errors, "smoke": smoke})}
	return ectx
}

func known() *hcl.EvalContext {
	smoke := &rolloutspec.Analysis{Name: "smoke", HTTP: &rolloutspec.HTTPMetric{URL: "http://web-preview/", ExpectStatus: 200}}
	return analyses(kind.SpecValue("errors", cty.StringVal(encode(errorsSpec))), kind.SpecValue("smoke", cty.StringVal(encode(smoke))))
}

// encode is the JSON of an analysis, as the analysis kind writes it.
func encode(a *rolloutspec.Analysis) string {
	b, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func weight(n int) *int { return &n }

func TestDecode(t *testing.T) {
	t.Parallel()
	smoke := &rolloutspec.Analysis{Name: "smoke", HTTP: &rolloutspec.HTTPMetric{URL: "http://web-preview/", ExpectStatus: 200}}
	tests := map[string]struct {
		src  string
		want *rolloutspec.Spec
		road string
	}{
		"canary": {
			src: `
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
    max_surge = "25%"
  }
}`,
			want: &rolloutspec.Spec{
				Rollout: "canary",
				Canary: &rolloutspec.CanarySpec{
					Steps: []rolloutspec.Step{
						{SetWeight: weight(20)}, {Pause: &rolloutspec.Pause{Duration: "30s"}}, {Analysis: "errors"},
						{SetWeight: weight(50)}, {Pause: &rolloutspec.Pause{}},
					},
					Traffic:  rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
					MaxSurge: "25%",
				},
				Analyses: map[string]*rolloutspec.Analysis{"errors": errorsSpec},
			},
			road: "set_weight 20 -> pause 30s -> analysis errors (3 x 10s) -> set_weight 50 -> pause until promoted -> 100%",
		},
		"gateway api": {
			src: `
rollout "canary" {
  canary {
    step { set_weight = 10 }
    traffic {
      gateway_api {
        route          = "web"
        stable_service = "web"
        canary_service = "web-next"
      }
    }
    max_surge = 1
  }
}`,
			want: &rolloutspec.Spec{
				Rollout: "canary",
				Canary: &rolloutspec.CanarySpec{
					Steps:    []rolloutspec.Step{{SetWeight: weight(10)}},
					Traffic:  rolloutspec.Traffic{Kind: rolloutspec.TrafficGatewayAPI, Route: "web", StableService: "web", CanaryService: "web-next"},
					MaxSurge: "1",
				},
			},
			road: "set_weight 10 -> 100%",
		},
		"nginx": {
			src: `
rollout "canary" {
  canary {
    step { set_weight = 10 }
    traffic {
      nginx { ingress = "web" }
    }
  }
}`,
			want: &rolloutspec.Spec{
				Rollout: "canary",
				Canary: &rolloutspec.CanarySpec{
					Steps:   []rolloutspec.Step{{SetWeight: weight(10)}},
					Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficNginx, Ingress: "web"},
				},
			},
			road: "set_weight 10 -> 100%",
		},
		"blue green": {
			src: `
rollout "bg" {
  blue_green {
    active_service         = "web"
    preview_service        = "web-preview"
    pre_promotion_analysis = analysis.smoke
    auto_promotion         = "2m"
    scale_down_delay       = "30s"
  }
}`,
			want: &rolloutspec.Spec{
				Rollout: "bg",
				BlueGreen: &rolloutspec.BlueGreenSpec{
					ActiveService: "web", PreviewService: "web-preview", PrePromotionAnalysis: "smoke",
					AutoPromotion: "2m", ScaleDownDelay: "30s",
				},
				Analyses: map[string]*rolloutspec.Analysis{"smoke": smoke},
			},
			road: "preview at full size -> analysis smoke (1 x 10s) -> promote after 2m -> switch web -> scale down the old pods after 30s",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := kindtest.LoadBlock(t, tt.src)
			v, diags := Decode(rc, known())
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", kindtest.At(diags))
			}
			gotName, spec, _, ok, isSpec := kind.SpecOf(v)
			if !ok || !isSpec {
				t.Fatalf("value %#v has no known spec", v)
			}
			if gotName != tt.want.Rollout {
				t.Errorf("name = %q, want %q", gotName, tt.want.Rollout)
			}
			got, err := rolloutspec.DecodeSpec(spec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
			if got := got.Road(); got != tt.road {
				t.Errorf("road = %q, want %q", got, tt.road)
			}
		})
	}
}

// TestDecodeUnknownAnalysis: while an analysis's spec is unknown (in
// validate, every reference is), so is the rollout's, without a
// diagnostic; a sensitive analysis makes the rollout's spec sensitive.
func TestDecodeUnknownAnalysis(t *testing.T) {
	t.Parallel()
	rc := kindtest.LoadBlock(t, `
rollout "canary" {
  canary {
    step { analysis = analysis.errors }
  }
}`)
	for name, errors := range map[string]cty.Value{
		"unknown block":  cty.DynamicVal,
		"unknown spec":   kind.SpecValue("errors", cty.UnknownVal(cty.String)),
		"sensitive spec": kind.SpecValue("errors", cty.StringVal(encode(errorsSpec)).Mark(kind.SensitiveMark)),
	} {
		v, diags := Decode(rc, analyses(errors, cty.DynamicVal))
		if len(diags) > 0 {
			t.Fatalf("%s: diagnostics: %v", name, kindtest.At(diags))
		}
		spec := v.GetAttr(kind.SpecJSON)
		if name == "sensitive spec" {
			if !spec.IsKnown() || !spec.HasMark(kind.SensitiveMark) {
				t.Errorf("%s: spec = %#v, want it known and sensitive", name, spec)
			}
			continue
		}
		if spec.IsKnown() {
			t.Errorf("%s: spec = %#v, want unknown", name, spec)
		}
	}
}

func TestDecodeDiagnostics(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []string
	}{
		"no strategy": {
			src:  "rollout \"r\" {\n}",
			want: []string{"Missing rollout strategy @ main.slip.hcl:1:1"},
		},
		"two strategies": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n  }\n  blue_green { active_service = \"web\" }\n}",
			want: []string{"Two strategies in one rollout @ main.slip.hcl:5:3"},
		},
		"no steps": {
			src:  "rollout \"r\" {\n  canary {\n  }\n}",
			want: []string{"Missing canary steps @ main.slip.hcl:2:3"},
		},
		"weight above 100": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 120 }\n  }\n}",
			want: []string{"Invalid canary weight @ main.slip.hcl:3:25"},
		},
		"negative weight": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = -5 }\n  }\n}",
			want: []string{"Invalid canary weight @ main.slip.hcl:3:25"},
		},
		"weight goes down": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 50 }\n    step { set_weight = 20 }\n  }\n}",
			want: []string{"Canary weight goes down @ main.slip.hcl:4:25"},
		},
		"fractional weight": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 12.5 }\n  }\n}",
			want: []string{"Invalid canary weight @ main.slip.hcl:3:25"},
		},
		"empty step": {
			src:  "rollout \"r\" {\n  canary {\n    step {}\n  }\n}",
			want: []string{"Invalid canary step @ main.slip.hcl:3:5"},
		},
		"step of two": {
			src:  "rollout \"r\" {\n  canary {\n    step {\n      set_weight = 10\n      pause {}\n    }\n  }\n}",
			want: []string{"Invalid canary step @ main.slip.hcl:3:5"},
		},
		"bad pause": {
			src:  "rollout \"r\" {\n  canary {\n    step {\n      pause { duration = \"soon\" }\n    }\n  }\n}",
			want: []string{"Invalid pause duration @ main.slip.hcl:4:26"},
		},
		"analysis in quotes": {
			src:  "rollout \"r\" {\n  canary {\n    step { analysis = \"errors\" }\n  }\n}",
			want: []string{"Invalid analysis reference @ main.slip.hcl:3:23"},
		},
		"bad max_surge": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    max_surge = \"150%\"\n  }\n}",
			want: []string{"Invalid max_surge @ main.slip.hcl:4:17"},
		},
		"max_surge past any integer": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    max_surge = \"99999999999999999999%\"\n  }\n}",
			want: []string{"Invalid max_surge @ main.slip.hcl:4:17"},
		},
		"a null weight is no weight": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = null }\n  }\n}",
			want: []string{"Invalid canary step @ main.slip.hcl:3:5"},
		},
		"max_surge words": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    max_surge = \"a few\"\n  }\n}",
			want: []string{"Invalid max_surge @ main.slip.hcl:4:17"},
		},
		"empty traffic": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    traffic {}\n  }\n}",
			want: []string{"Missing traffic routing @ main.slip.hcl:4:5"},
		},
		"two traffic": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    traffic {\n      replicas {}\n      nginx { ingress = \"web\" }\n    }\n  }\n}",
			want: []string{"Two kinds of traffic routing @ main.slip.hcl:6:7"},
		},
		"gateway without route": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    traffic {\n      gateway_api {}\n    }\n  }\n}",
			want: []string{"Missing required argument @ main.slip.hcl:5:7"},
		},
		"bad service name": {
			src:  "rollout \"r\" {\n  canary {\n    step { set_weight = 10 }\n    traffic {\n      replicas { stable_service = \"Web_1\" }\n    }\n  }\n}",
			want: []string{"Invalid Service name @ main.slip.hcl:5:35"},
		},
		"blue green without active": {
			src:  "rollout \"r\" {\n  blue_green {\n    preview_service = \"web-preview\"\n  }\n}",
			want: []string{"Missing required argument @ main.slip.hcl:2:3"},
		},
		"blue green same services": {
			src:  "rollout \"r\" {\n  blue_green {\n    active_service  = \"web\"\n    preview_service = \"web\"\n  }\n}",
			want: []string{"Same active and preview Service @ main.slip.hcl:4:23"},
		},
		"blue green durations": {
			src:  "rollout \"r\" {\n  blue_green {\n    active_service   = \"web\"\n    auto_promotion   = \"-1m\"\n    scale_down_delay = \"later\"\n  }\n}",
			want: []string{"Invalid auto_promotion @ main.slip.hcl:4:24", "Invalid scale_down_delay @ main.slip.hcl:5:24"},
		},
		"old pause form": {
			src:  "rollout \"r\" {\n  canary {\n    step { pause = \"30s\" }\n  }\n}",
			want: []string{"Unsupported argument @ main.slip.hcl:3:12"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := kindtest.LoadBlock(t, tt.src)
			v, diags := Decode(rc, known())
			if diff := cmp.Diff(tt.want, kindtest.At(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, diags.Error())
			}
			if v != cty.DynamicVal {
				t.Errorf("value = %#v, want unknown", v)
			}
		})
	}
}

// TestDocDescribesTheDecoder: every argument and block a rollout block
// decodes is described for its reference page.
func TestDocDescribesTheDecoder(t *testing.T) {
	t.Parallel()
	doc := Kind{}.Doc()
	canary, _ := doc.Block("canary")
	step, _ := canary.Block("step")
	pause, _ := step.Block("pause")
	traffic, _ := canary.Block("traffic")
	replicas, _ := traffic.Block("replicas")
	gateway, _ := traffic.Block("gateway_api")
	nginx, _ := traffic.Block("nginx")
	bg, _ := doc.Block("blue_green")
	kindtest.DocDescribesDecoder(t, []kindtest.DocCase{
		{Path: "rollout", Doc: doc, Decoded: &rolloutBlock{}},
		{Path: "canary", Doc: canary, Decoded: &canaryBlock{}},
		{Path: "step", Doc: step, Decoded: &stepBlock{}},
		{Path: "pause", Doc: pause, Decoded: &pauseBlock{}},
		{Path: "traffic", Doc: traffic, Decoded: &trafficBlock{}},
		{Path: "replicas", Doc: replicas, Decoded: &trafficReplicas{}},
		{Path: "gateway_api", Doc: gateway, Decoded: &trafficGateway{}},
		{Path: "nginx", Doc: nginx, Decoded: &trafficNginx{}},
		{Path: "blue_green", Doc: bg, Decoded: &blueGreenBlock{}},
	})
}
