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

package kubernetes

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/kube"
)

// TestRolloutConfigRefusesWhatTheLanguageWouldNot: the provider may be
// driven by another host, so it checks a strategy itself; no input panics.
func TestRolloutConfigRefusesWhatTheLanguageWouldNot(t *testing.T) {
	t.Parallel()
	w := func(n int) *int { return &n }
	for name, tc := range map[string]struct {
		spec string
		want string
	}{
		"not JSON":          {`{`, "read the rollout strategy"},
		"no strategy":       {`{"rollout":"x"}`, "neither canary nor blue_green"},
		"both":              {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{}, BlueGreen: &rolloutspec.BlueGreenSpec{ActiveService: "a"}}), "both canary and blue_green"},
		"weight over 100":   {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{SetWeight: w(101)}}}}), "set_weight 101 must be from 0 to 100"},
		"weight going down": {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{SetWeight: w(50)}, {SetWeight: w(20)}}}}), "must be from 50 to 100"},
		"empty step":        {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{}}}}), "exactly one of"},
		"bad pause":         {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{Pause: &rolloutspec.Pause{Duration: "-1s"}}}}}), "not a duration longer than zero"},
		"missing analysis":  {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{Analysis: "nope"}}}}), `analysis "nope" is not among`},
		"route unnamed":     {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficGatewayAPI}}}), "needs the HTTPRoute's name"},
		"unknown traffic":   {mustJSON(rolloutspec.Spec{Rollout: "x", Canary: &rolloutspec.CanarySpec{Traffic: rolloutspec.Traffic{Kind: "istio"}}}), `unknown traffic "istio"`},
		"workload a pod":    {mustJSON(rolloutspec.Spec{Rollout: "x", Workload: "Pod/web", Canary: &rolloutspec.CanarySpec{}}), "must name a Deployment"},
		"no active service": {mustJSON(rolloutspec.Spec{Rollout: "x", BlueGreen: &rolloutspec.BlueGreenSpec{}}), "needs an active_service"},
	} {
		t.Run(name, func(t *testing.T) {
			conf := cty.ObjectVal(map[string]cty.Value{builtin.AppRollout: cty.StringVal(tc.spec), builtin.AppRolloutAction: cty.NullVal(cty.String)})
			_, _, err := rolloutConfig(conf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one saying %q", err, tc.want)
			}
		})
	}
	// The default traffic is replicas.
	conf := cty.ObjectVal(map[string]cty.Value{builtin.AppRollout: cty.StringVal(`{"rollout":"x","canary":{"steps":[]}}`), builtin.AppRolloutAction: cty.StringVal("promote")})
	spec, req, err := rolloutConfig(conf)
	if err != nil || spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas || req != "promote" {
		t.Errorf("rolloutConfig = %+v, %q, %v", spec, req, err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestSurgeAndReplicas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		n    int
		want int
	}{{"", 4, 1}, {"25%", 10, 3}, {"100%", 5, 5}, {"2", 5, 2}, {"0", 5, 1}, {"nonsense", 5, 1}} {
		if got := surgeOf(tc.s, tc.n); got != tc.want {
			t.Errorf("surgeOf(%q, %d) = %d, want %d", tc.s, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		obj  map[string]any
		want int
	}{
		{map[string]any{}, 1},
		{map[string]any{"spec": map[string]any{"replicas": int64(3)}}, 3},
		{map[string]any{"spec": map[string]any{"replicas": float64(4)}}, 4},
		{map[string]any{"spec": map[string]any{"replicas": json.Number("5")}}, 5},
		{map[string]any{"spec": map[string]any{"replicas": "six"}}, 1},
	} {
		if got := replicasOf(tc.obj); got != tc.want {
			t.Errorf("replicasOf(%v) = %d, want %d", tc.obj, got, tc.want)
		}
	}
}

// TestLiveStatusOfAnyAnnotation: the canary's status annotation is
// anyone's to edit; what cannot be read, or names a step the status does
// not have, is no status, never a panic.
func TestLiveStatusOfAnyAnnotation(t *testing.T) {
	t.Parallel()
	for _, ann := range []string{"", "{", "null", `{"steps":["a"],"step":-1}`, `{"steps":["a"],"step":1}`, `{"step":0}`, `[1,2]`} {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetAnnotations(map[string]string{annStatus: ann})
		if st := liveStatus(u); st != nil {
			t.Errorf("liveStatus(%q) = %+v, want none", ann, st)
		}
	}
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAnnotations(map[string]string{annStatus: `{"steps":["set_weight 50","100%"],"step":1,"revision":"abc"}`})
	if st := liveStatus(u); st == nil || st.Step != 1 || st.Revision != "abc" {
		t.Errorf("liveStatus of a good annotation = %+v", st)
	}
}

// TestWorkloadOf: without workload, the app's one Deployment rolls; an
// app of several must name one, as the docs say.
func TestWorkloadOf(t *testing.T) {
	dep := func(name string) *desiredObject {
		return &desiredObject{id: kube.ObjectID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: name}}
	}
	svc := &desiredObject{id: kube.ObjectID{Version: "v1", Kind: "Service", Namespace: "ns", Name: "web"}}
	spec := &rolloutspec.Spec{Rollout: "canary"}
	if w, err := workloadOf(spec, &desiredSet{objects: []*desiredObject{svc, dep("web")}}); err != nil || w.id.Name != "web" {
		t.Errorf("one Deployment: %v, %v; want it", w, err)
	}
	two := &desiredSet{objects: []*desiredObject{dep("web"), svc, dep("worker")}}
	if _, err := workloadOf(spec, two); err == nil || !strings.Contains(err.Error(), `name the one that rolls out with workload = "Deployment/NAME"`) {
		t.Errorf("two Deployments without workload: %v; want them refused", err)
	}
	named := &rolloutspec.Spec{Rollout: "canary", Workload: "Deployment/worker"}
	if w, err := workloadOf(named, two); err != nil || w.id.Name != "worker" {
		t.Errorf("two Deployments, worker named: %v, %v", w, err)
	}
	if _, err := workloadOf(spec, &desiredSet{objects: []*desiredObject{svc}}); err == nil || !strings.Contains(err.Error(), "hold no Deployment") {
		t.Errorf("no Deployment: %v; want it refused", err)
	}
}

// TestResumedAnalysis: the analysis an apply left measuring at the step
// under way is gone on with; any other is a new run.
func TestResumedAnalysis(t *testing.T) {
	t.Parallel()
	m := []rolloutspec.Measurement{{Phase: rolloutspec.Failed}}
	running := rolloutspec.AnalysisRun{Name: "errors", Digest: analysisErrors.Digest(), Step: 1, Phase: rolloutspec.Running, Measurements: m}
	older := running
	older.Digest = "" // recorded before runs had digests
	tests := map[string]struct {
		analyses []rolloutspec.AnalysisRun
		step     int
		wantIdx  int
	}{
		"left measuring":       {analyses: []rolloutspec.AnalysisRun{running}, step: 1, wantIdx: 0},
		"without a digest":     {analyses: []rolloutspec.AnalysisRun{older}, step: 1, wantIdx: 0},
		"after an earlier one": {analyses: []rolloutspec.AnalysisRun{{Name: "smoke", Step: 0, Phase: rolloutspec.Successful}, running}, step: 1, wantIdx: 1},
		"none yet":             {step: 1, wantIdx: -1},
		"another step":         {analyses: []rolloutspec.AnalysisRun{running}, step: 3, wantIdx: -1},
		"over":                 {analyses: []rolloutspec.AnalysisRun{{Name: "errors", Step: 1, Phase: rolloutspec.Successful}}, step: 1, wantIdx: -1},
		"another analysis":     {analyses: []rolloutspec.AnalysisRun{{Name: "latency", Step: 1, Phase: rolloutspec.Running}}, step: 1, wantIdx: -1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			idx, run, resumed, dropped := resumedAnalysis(&rolloutspec.Status{Step: tc.step, Analyses: tc.analyses}, analysisErrors)
			if idx != tc.wantIdx || resumed != (tc.wantIdx >= 0) || dropped != 0 {
				t.Fatalf("index %d, resumed %v, %d dropped; want index %d, resumed %v, none dropped", idx, resumed, dropped, tc.wantIdx, tc.wantIdx >= 0)
			}
			if run.Digest != analysisErrors.Digest() {
				t.Errorf("run digest %q, want the analysis's %q", run.Digest, analysisErrors.Digest())
			}
			if run.Name != "errors" || run.Step != tc.step || run.Phase != rolloutspec.Running {
				t.Errorf("run %+v, want errors at step %d, Running", run, tc.step)
			}
			want := 0
			if idx >= 0 {
				want = len(m)
			}
			if len(run.Measurements) != want {
				t.Errorf("the run holds %d measurements, want %d", len(run.Measurements), want)
			}
		})
	}
}

// analysisErrors is the analysis the tests of resumedAnalysis resume.
var analysisErrors = &rolloutspec.Analysis{Name: "errors", Count: 3, Interval: "1m",
	Prometheus: &rolloutspec.PrometheusMetric{Address: "http://prometheus:9090", Query: "errors", Condition: "result < 0.05"}}

// TestResumedAnalysisChanged: a run left measuring by an analysis that
// has changed since (its condition, its limit) is not gone on with; a
// new run replaces it, and says how many measurements it drops.
func TestResumedAnalysisChanged(t *testing.T) {
	t.Parallel()
	m := []rolloutspec.Measurement{{Phase: rolloutspec.Failed}, {Phase: rolloutspec.Successful}}
	for name, change := range map[string]func(*rolloutspec.Analysis){
		"condition":     func(a *rolloutspec.Analysis) { a.Prometheus.Condition = "result < 0.5" },
		"failure limit": func(a *rolloutspec.Analysis) { a.FailureLimit = 3 },
		"query":         func(a *rolloutspec.Analysis) { a.Prometheus.Query = "sum(errors)" },
	} {
		t.Run(name, func(t *testing.T) {
			a := *analysisErrors
			p := *a.Prometheus
			a.Prometheus = &p
			change(&a)
			st := &rolloutspec.Status{Step: 1, Analyses: []rolloutspec.AnalysisRun{
				{Name: "smoke", Step: 0, Phase: rolloutspec.Successful},
				{Name: "errors", Digest: analysisErrors.Digest(), Step: 1, Phase: rolloutspec.Running, Measurements: m},
			}}
			idx, run, resumed, dropped := resumedAnalysis(st, &a)
			if idx != 1 || resumed || dropped != 2 {
				t.Fatalf("index %d, resumed %v, %d dropped; want index 1, not resumed, 2 dropped", idx, resumed, dropped)
			}
			if len(run.Measurements) != 0 || run.Digest != a.Digest() || run.Step != 1 || run.Phase != rolloutspec.Running {
				t.Errorf("run %+v, want a new run of the changed analysis", run)
			}
		})
	}
}

// TestFollowVersions: a prior entry under an older version of the same
// object is taken for the object the manifests now give: re-keyed, or,
// when an earlier version kept both keys (prune off), dropped, so that no
// leftover names the live object.
func TestFollowVersions(t *testing.T) {
	t.Parallel()
	const (
		old  = "e2e.slipway.dev/v1alpha1 Gadget ns/g1"
		new  = "e2e.slipway.dev/v1beta1 Gadget ns/g1"
		kept = "v1 ConfigMap ns/gone"
	)
	id, err := kube.ParseObjectID(new)
	if err != nil {
		t.Fatal(err)
	}
	d := &desiredSet{objects: []*desiredObject{{id: id}}}
	for name, inv := range map[string][]string{
		"the old key alone": {old, kept},
		"both keys":         {old, new, kept},
	} {
		t.Run(name, func(t *testing.T) {
			p := priorApp{inventory: inv, objects: map[string]cty.Value{old: cty.StringVal("o")}, private: privateData{Hashes: map[string]string{old: "h"}}}
			p.followVersions(d)
			if !slices.Equal(p.inventory, []string{new, kept}) {
				t.Errorf("inventory %v, want %v", p.inventory, []string{new, kept})
			}
			if _, ok := p.objects[old]; ok {
				t.Errorf("objects keep the old key: %v", p.objects)
			}
			if _, ok := p.private.Hashes[old]; ok {
				t.Errorf("hashes keep the old key: %v", p.private.Hashes)
			}
		})
	}
}
