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

package analysis

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

func scope(vars map[string]cty.Value) *hcl.EvalContext {
	return kindtest.Scope{Vars: vars}.EvalContext()
}

// specOf decodes the spec of an analysis value.
func specOf(t *testing.T, v cty.Value) *rolloutspec.Analysis {
	t.Helper()
	_, spec, _, known, ok := kind.SpecOf(v)
	if !ok || !known {
		t.Fatalf("value %#v has no known spec", v)
	}
	var a rolloutspec.Analysis
	if err := json.Unmarshal([]byte(spec), &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestDecode(t *testing.T) {
	t.Parallel()
	job := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: smoke\nspec:\n  template:\n    spec:\n      containers: [{name: smoke, image: busybox}]\n      restartPolicy: Never\n"
	tests := map[string]struct {
		src  string
		vars map[string]cty.Value
		want *rolloutspec.Analysis
	}{
		"prometheus": {
			src: `
analysis "errors" {
  interval           = "30s"
  count              = 3
  failure_limit      = 1
  inconclusive_limit = 2
  prometheus {
    address   = var.prometheus
    query     = "sum(rate(http_requests_total{code=~\"5..\"}[1m]))"
    condition = "result < 0.05"
  }
}`,
			vars: map[string]cty.Value{"prometheus": cty.StringVal("http://prometheus:9090")},
			want: &rolloutspec.Analysis{
				Name: "errors", Interval: "30s", Count: 3, FailureLimit: 1, InconclusiveLimit: 2,
				Prometheus: &rolloutspec.PrometheusMetric{Address: "http://prometheus:9090", Query: `sum(rate(http_requests_total{code=~"5.."}[1m]))`, Condition: "result < 0.05"},
			},
		},
		"http with defaults": {
			src:  "analysis \"up\" {\n  http { url = \"http://web.shop/healthz\" }\n}",
			want: &rolloutspec.Analysis{Name: "up", HTTP: &rolloutspec.HTTPMetric{URL: "http://web.shop/healthz", ExpectStatus: 200}},
		},
		"http with body": {
			src:  "analysis \"up\" {\n  http {\n    url           = \"https://web.shop/\"\n    expect_status = 204\n    body_match    = \"^ok$\"\n  }\n}",
			want: &rolloutspec.Analysis{Name: "up", HTTP: &rolloutspec.HTTPMetric{URL: "https://web.shop/", ExpectStatus: 204, BodyMatch: "^ok$"}},
		},
		"job": {
			src:  "analysis \"smoke\" {\n  job { manifest = var.job }\n}",
			vars: map[string]cty.Value{"job": cty.StringVal(job)},
			want: &rolloutspec.Analysis{Name: "smoke", Job: &rolloutspec.JobMetric{Manifest: job}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := kindtest.LoadBlock(t, tt.src)
			v, diags := Decode(rc, scope(tt.vars))
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", kindtest.At(diags))
			}
			if diff := cmp.Diff(tt.want, specOf(t, v)); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
			if got := v.GetAttr(kind.SpecName).AsString(); got != tt.want.Name {
				t.Errorf("name = %q, want %q", got, tt.want.Name)
			}
		})
	}
}

// TestDecodeUnknown: a value known only later (validate, or a value from
// a later stage) leaves the spec unknown, without a diagnostic; a
// sensitive one makes the spec sensitive.
func TestDecodeUnknown(t *testing.T) {
	t.Parallel()
	rc := kindtest.LoadBlock(t, `
analysis "errors" {
  prometheus {
    address   = var.prometheus
    query     = "up"
    condition = "result > 0"
  }
}`)
	v, diags := Decode(rc, scope(map[string]cty.Value{"prometheus": cty.UnknownVal(cty.String)}))
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", kindtest.At(diags))
	}
	if v.GetAttr(kind.SpecJSON).IsKnown() {
		t.Errorf("spec = %#v, want unknown", v.GetAttr(kind.SpecJSON))
	}

	v, diags = Decode(rc, scope(map[string]cty.Value{"prometheus": cty.StringVal("http://user:secret@prom:9090").Mark(kind.SensitiveMark)}))
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", kindtest.At(diags))
	}
	if spec := v.GetAttr(kind.SpecJSON); !spec.HasMark(kind.SensitiveMark) {
		t.Errorf("spec = %#v, want it sensitive", spec)
	}
}

func TestDecodeDiagnostics(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []string
	}{
		"no measurement": {
			src:  "analysis \"a\" {\n  count = 2\n}",
			want: []string{"Missing analysis measurement @ main.slip.hcl:1:1"},
		},
		"two measurements": {
			src:  "analysis \"a\" {\n  http { url = \"http://x/\" }\n  job { manifest = \"apiVersion: batch/v1\\nkind: Job\\nspec: {template: {spec: {containers: [{name: a, image: b}]}}}\" }\n}",
			want: []string{"Too many analysis measurements @ main.slip.hcl:3:3"},
		},
		"bad interval": {
			src:  "analysis \"a\" {\n  interval = \"10\"\n  http { url = \"http://x/\" }\n}",
			want: []string{"Invalid analysis interval @ main.slip.hcl:2:14"},
		},
		"zero interval": {
			src:  "analysis \"a\" {\n  interval = \"0s\"\n  http { url = \"http://x/\" }\n}",
			want: []string{"Invalid analysis interval @ main.slip.hcl:2:14"},
		},
		"zero count": {
			src:  "analysis \"a\" {\n  count = 0\n  http { url = \"http://x/\" }\n}",
			want: []string{"Invalid analysis count @ main.slip.hcl:2:11"},
		},
		"fractional count": {
			src:  "analysis \"a\" {\n  count = 1.5\n  http { url = \"http://x/\" }\n}",
			want: []string{"Invalid analysis count @ main.slip.hcl:2:11"},
		},
		"negative limits": {
			src:  "analysis \"a\" {\n  failure_limit = -1\n  inconclusive_limit = -2\n  http { url = \"http://x/\" }\n}",
			want: []string{"Invalid analysis failure_limit @ main.slip.hcl:2:19", "Invalid analysis inconclusive_limit @ main.slip.hcl:3:24"},
		},
		"condition syntax": {
			src:  "analysis \"a\" {\n  prometheus {\n    address   = \"http://prom:9090\"\n    query     = \"up\"\n    condition = \"result < < 1\"\n  }\n}",
			want: []string{"Invalid analysis condition @ main.slip.hcl:5:27"},
		},
		"condition not bool": {
			src:  "analysis \"a\" {\n  prometheus {\n    address   = \"http://prom:9090\"\n    query     = \"up\"\n    condition = \"result + 1\"\n  }\n}",
			want: []string{"Invalid analysis condition @ main.slip.hcl:5:17"},
		},
		"condition undeclared": {
			src:  "analysis \"a\" {\n  prometheus {\n    address   = \"http://prom:9090\"\n    query     = \"up\"\n    condition = \"value < 1\"\n  }\n}",
			want: []string{"Invalid analysis condition @ main.slip.hcl:5:18"},
		},
		"prometheus address": {
			src:  "analysis \"a\" {\n  prometheus {\n    address   = \"prom:9090\"\n    query     = \"\"\n    condition = \"result < 1\"\n  }\n}",
			want: []string{"Invalid Prometheus address @ main.slip.hcl:3:17", "Invalid Prometheus query @ main.slip.hcl:4:17"},
		},
		"http status": {
			src:  "analysis \"a\" {\n  http {\n    url           = \"http://x/\"\n    expect_status = 42\n  }\n}",
			want: []string{"Invalid HTTP check status @ main.slip.hcl:4:21"},
		},
		"http body_match": {
			src:  "analysis \"a\" {\n  http {\n    url        = \"http://x/\"\n    body_match = \"(\"\n  }\n}",
			want: []string{"Invalid HTTP check body_match @ main.slip.hcl:4:18"},
		},
		"http url": {
			src:  "analysis \"a\" {\n  http { url = \"/healthz\" }\n}",
			want: []string{"Invalid HTTP check URL @ main.slip.hcl:2:16"},
		},
		"job of a Deployment": {
			src:  "analysis \"a\" {\n  job { manifest = \"apiVersion: apps/v1\\nkind: Deployment\\n\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		"job of two documents": {
			src:  "analysis \"a\" {\n  job { manifest = \"kind: Job\\n---\\nkind: Job\\n\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		// What the rollout's provider would refuse when the analysis's
		// step comes, after earlier steps moved traffic.
		"job without apiVersion": {
			src:  "analysis \"a\" {\n  job { manifest = \"kind: Job\\nspec: {template: {spec: {containers: [{name: a, image: b}]}}}\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		"job without containers": {
			src:  "analysis \"a\" {\n  job { manifest = \"apiVersion: batch/v1\\nkind: Job\\nmetadata: {name: smoke}\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		"job with a field a Job has not": {
			src:  "analysis \"a\" {\n  job { manifest = \"apiVersion: batch/v1\\nkind: Job\\nspec: {template: {spec: {contaners: [{name: a, image: b}]}}}\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		"job not YAML": {
			src:  "analysis \"a\" {\n  job { manifest = \"kind: [Job\" }\n}",
			want: []string{"Invalid analysis Job manifest @ main.slip.hcl:2:20"},
		},
		"missing url": {
			src:  "analysis \"a\" {\n  http {}\n}",
			want: []string{"Missing required argument @ main.slip.hcl:2:3"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := kindtest.LoadBlock(t, tt.src)
			v, diags := Decode(rc, scope(nil))
			if diff := cmp.Diff(tt.want, kindtest.At(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, diags.Error())
			}
			if v != cty.DynamicVal {
				t.Errorf("value = %#v, want unknown", v)
			}
		})
	}
}

// TestDocDescribesTheDecoder: every argument and block an analysis block
// decodes is described for its reference page.
func TestDocDescribesTheDecoder(t *testing.T) {
	t.Parallel()
	doc := Kind{}.Doc()
	prom, _ := doc.Block("prometheus")
	http, _ := doc.Block("http")
	job, _ := doc.Block("job")
	kindtest.DocDescribesDecoder(t, []kindtest.DocCase{
		{Path: "analysis", Doc: doc, Decoded: &analysisBlock{}},
		{Path: "prometheus", Doc: prom, Decoded: &prometheusBlock{}},
		{Path: "http", Doc: http, Decoded: &httpBlock{}},
		{Path: "job", Doc: job, Decoded: &jobBlock{}},
	})
}
