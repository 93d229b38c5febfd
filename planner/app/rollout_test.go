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
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/kind/kindtest"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
)

func TestRolloutOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `
rollout "canary" {}
app "safe" {
  source { repo = "x" }
  rollout {
    strategy = rollout.canary
  }
}
app "plain" {
  source { repo = "x" }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for addr, want := range map[string]string{"app.safe": "rollout.canary", "app.plain": ""} {
		if got := rolloutOf(cfg.Resources[addr]); got != want {
			t.Errorf("rolloutOf(%s) = %q, want %q", addr, got, want)
		}
	}
}

// rolloutSchema is appSchema with the rollout attributes.
var rolloutSchema = func() sdk.Schema {
	s := sdk.Schema{Attributes: map[string]sdk.Attribute{}}
	for k, v := range appSchema.Attributes {
		s.Attributes[k] = v
	}
	s.Attributes[builtin.AppRollout] = sdk.Attribute{Type: cty.String, Optional: true}
	s.Attributes[builtin.AppRolloutStatus] = sdk.Attribute{Type: cty.String, Computed: true}
	return s
}()

// canarySpec is the strategy of rollout.canary, as its block's value
// holds it.
var canarySpec = &rolloutspec.Spec{
	Rollout: "canary",
	Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{{Pause: &rolloutspec.Pause{Duration: "30s"}}, {Analysis: "errors"}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	},
	Analyses: map[string]*rolloutspec.Analysis{"errors": {Name: "errors", HTTP: &rolloutspec.HTTPMetric{URL: "http://web/", ExpectStatus: 200}}},
}

// withRollout is the gitops scope with rollout.canary of value v.
func withRollout(v cty.Value) *hcl.EvalContext {
	ectx := gitops().EvalContext()
	ectx.Variables["rollout"] = cty.ObjectVal(map[string]cty.Value{"canary": v})
	return ectx
}

func TestDecodeAppRollout(t *testing.T) {
	t.Parallel()
	rc := loadBlock(t, `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/web"
  }
  rollout {
    strategy   = rollout.canary
    workload   = "Deployment/web"
    trigger_on = ["ConfigMap/web-config", "Secret/web"]
  }
}`)
	v, diags := decodeApp(rc, typeOf(rc), rolloutSchema, withRollout(kind.SpecValue("canary", cty.StringVal(canarySpec.Encode()))), nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got, err := rolloutspec.DecodeSpec(v.GetAttr(builtin.AppRollout).AsString())
	if err != nil {
		t.Fatal(err)
	}
	want := *canarySpec
	want.Workload, want.TriggerOn = "Deployment/web", []string{"ConfigMap/web-config", "Secret/web"}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("rollout (-want +got):\n%s", diff)
	}

	// Unknown while the strategy is; sensitive when it is.
	v, diags = decodeApp(rc, typeOf(rc), rolloutSchema, withRollout(cty.DynamicVal), nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if r := v.GetAttr(builtin.AppRollout); r.IsKnown() {
		t.Errorf("rollout = %#v, want unknown", r)
	}
	v, diags = decodeApp(rc, typeOf(rc), rolloutSchema, withRollout(kind.SpecValue("canary", cty.StringVal(canarySpec.Encode()).Mark(kind.SensitiveMark))), nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if r := v.GetAttr(builtin.AppRollout); !r.HasMark(kind.SensitiveMark) {
		t.Errorf("rollout = %#v, want it sensitive", r)
	}

	// Without a rollout block, the attribute is null.
	plain := loadBlock(t, webApp)
	v, diags = decodeApp(plain, typeOf(plain), rolloutSchema, gitops().EvalContext(), nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if r := v.GetAttr(builtin.AppRollout); !r.IsNull() {
		t.Errorf("rollout of an app without one = %#v, want null", r)
	}
}

func TestDecodeAppRolloutErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []string
	}{
		"workload of another kind": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout {\n    strategy = rollout.canary\n    workload = \"StatefulSet/web\"\n  }\n}",
			want: []string{"Invalid rollout workload @ main.slip.hcl:5:16"},
		},
		"workload without a kind": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout {\n    strategy = rollout.canary\n    workload = \"web\"\n  }\n}",
			want: []string{"Invalid rollout workload @ main.slip.hcl:5:16"},
		},
		"trigger without a name": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout {\n    strategy   = rollout.canary\n    trigger_on = [\"ConfigMap\"]\n  }\n}",
			want: []string{"Invalid rollout trigger_on @ main.slip.hcl:5:18"},
		},
		"strategy in quotes": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout {\n    strategy = \"canary\"\n  }\n}",
			want: []string{"Invalid rollout strategy @ main.slip.hcl:4:16"},
		},
		"no strategy": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout {\n    workload = \"Deployment/web\"\n  }\n}",
			want: []string{"Missing required argument @ main.slip.hcl:3:3"},
		},
		"old attribute form": {
			src:  "app \"web\" {\n  source { repo = source.git.gitops }\n  rollout = rollout.canary\n}",
			want: []string{"Unsupported argument @ main.slip.hcl:3:3"},
		},
		"a helm chart": {
			src:  "app \"web\" {\n  chart {\n    repository = \"https://charts.example.com\"\n    name       = \"web\"\n  }\n  destination { namespace = \"web\" }\n  rollout {\n    strategy = rollout.canary\n  }\n}",
			want: []string{"Rollouts need an app of manifests @ main.slip.hcl:7:3"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			schema := rolloutSchema
			if lang.AppUsesHelm(rc) {
				schema = releaseSchema
			}
			v, diags := decodeApp(rc, typeOf(rc), schema, withRollout(kind.SpecValue("canary", cty.StringVal(canarySpec.Encode()))), nil, nil)
			if diff := cmp.Diff(tc.want, kindtest.At(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, diags.Error())
			}
			if !v.RawEquals(cty.DynamicVal) {
				t.Errorf("decodeApp with errors returned %#v, want cty.DynamicVal", v)
			}
		})
	}
}

// TestDescribeRolloutStatus: a change carries the rollout status its
// app's planned value holds when the plan moves the rollout (an action),
// or when its phase moves; not when nothing happens to it.
func TestDescribeRolloutStatus(t *testing.T) {
	t.Parallel()
	rc := loadBlock(t, `app "web" {
  source { repo = source.git.gitops }
  rollout {
    strategy = rollout.canary
  }
}`)
	status := func(s *rolloutspec.Status) cty.Value {
		if s == nil {
			return cty.ObjectVal(map[string]cty.Value{builtin.AppRolloutStatus: cty.NullVal(cty.String)})
		}
		return cty.ObjectVal(map[string]cty.Value{builtin.AppRolloutStatus: cty.StringVal(s.Encode())})
	}
	healthy := &rolloutspec.Status{Rollout: "canary", Phase: rolloutspec.PhaseHealthy, Steps: []string{"100%"}}
	start := &rolloutspec.Status{Rollout: "canary", Phase: rolloutspec.PhasePlanned, Action: rolloutspec.ActionStart, Steps: []string{"pause 30s", "100%"}}
	paused := &rolloutspec.Status{Rollout: "canary", Phase: rolloutspec.PhasePaused, Steps: []string{"pause until promoted", "100%"}}
	tests := map[string]struct {
		before, after cty.Value
		want          *rolloutspec.Status
	}{
		"an action":         {status(healthy), status(start), start},
		"a phase moves":     {status(healthy), status(paused), paused},
		"nothing moves":     {status(healthy), status(healthy), nil},
		"a new status":      {cty.NullVal(cty.DynamicPseudoType), status(paused), paused},
		"no status":         {status(nil), status(nil), nil},
		"known after apply": {status(healthy), cty.ObjectVal(map[string]cty.Value{builtin.AppRolloutStatus: cty.UnknownVal(cty.String)}), nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ch := &plans.ResourceChange{Before: tc.before, After: tc.after}
			describe(rc, ch)
			if ch.Rollout != "rollout.canary" {
				t.Errorf("Rollout = %q, want rollout.canary", ch.Rollout)
			}
			if diff := cmp.Diff(tc.want, ch.RolloutStatus); diff != "" {
				t.Errorf("RolloutStatus (-want +got):\n%s", diff)
			}
		})
	}
}
