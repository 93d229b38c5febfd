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
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

func weightStep(w int) rolloutspec.Step { return rolloutspec.Step{SetWeight: &w} }

// stepObservation is what the cluster showed when a rollout recorded a
// step as done.
type stepObservation struct {
	step           int
	stable, canary int64 // ready replicas
	stableImage    string
}

// watchSteps records, from a watch of the namespace's Deployments, the
// ready replicas of web and web-canary each time the canary's status
// annotation moves to a new step.
func watchSteps(t *testing.T, k *kubetest.Client, ns string) func() []stepObservation {
	t.Helper()
	w, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out []stepObservation
	done := make(chan struct{})
	go func() {
		defer close(done)
		latest := map[string]*unstructured.Unstructured{}
		last := -1
		for ev := range w.ResultChan() {
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			if ev.Type == watch.Deleted {
				delete(latest, u.GetName())
				continue
			}
			latest[u.GetName()] = u
			st := liveStatus(latest["web-canary"])
			if st == nil || st.Step == last || u.GetName() != "web-canary" {
				continue
			}
			last = st.Step
			ready := func(name string) int64 {
				if d := latest[name]; d != nil {
					n, _, _ := unstructured.NestedInt64(d.Object, "status", "readyReplicas")
					return n
				}
				return 0
			}
			img := ""
			if d := latest["web"]; d != nil {
				cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
				if len(cs) > 0 {
					img, _ = cs[0].(map[string]any)["image"].(string)
				}
			}
			mu.Lock()
			out = append(out, stepObservation{step: st.Step, stable: ready("web"), canary: ready("web-canary"), stableImage: img})
			mu.Unlock()
		}
	}()
	return func() []stepObservation {
		w.Stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return out
	}
}

const canaryDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: IMAGE
        ports: [{containerPort: 80}]
`

const webService = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 80}]\n"

// TestCanaryReplicas rolls a new image out with a 5-step canary whose
// traffic follows the ready pods, and checks the stable and canary pods
// the cluster shows at each step.
func TestCanaryReplicas(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	const ns = "e2e-canary-replicas"
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(canaryDeployment, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	weights := []int{20, 40, 60, 80}
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps: []rolloutspec.Step{
			weightStep(weights[0]), weightStep(weights[1]),
			{Pause: &rolloutspec.Pause{Duration: "1s"}},
			weightStep(weights[2]), weightStep(weights[3]),
		},
		Traffic:  rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
		MaxSurge: "100%",
	}}
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("90s"),
		"rollout": cty.StringVal(spec.Encode()),
	})
	s := newSession(t, c)
	s.Sync(config)

	// A new image: the plan shows the road, and nothing moves yet.
	writeFile(t, dir+"/deployment.yaml", strings.Replace(canaryDeployment, "IMAGE", "nginx:1.28", 1))
	plan := s.Plan(config)
	st, err := rolloutspec.DecodeStatus(plan.PlannedState.GetAttr("rollout_status").AsString())
	if err != nil || st == nil {
		t.Fatalf("planned rollout_status: %v, %v", st, err)
	}
	if want := "set_weight 20 -> set_weight 40 -> pause 1s -> set_weight 60 -> set_weight 80 -> 100%"; st.Action != rolloutspec.ActionStart || strings.Join(st.Steps, " -> ") != want {
		t.Fatalf("planned rollout: action %q, road %q; want start, %q", st.Action, strings.Join(st.Steps, " -> "), want)
	}
	stop := watchSteps(t, k, ns)
	resp, progress := s.Apply(config, plan)
	t.Logf("apply progress:\n  %s", strings.Join(progress, "\n  "))
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	obs := stop()
	t.Logf("observed: %+v", obs)

	// After each set_weight step, the cluster showed ceil(5*w/100) ready
	// canary pods and the rest stable, on the old image.
	byStep := map[int]stepObservation{}
	for _, o := range obs {
		byStep[o.step] = o
	}
	for i, w := range map[int]int{0: 20, 1: 40, 3: 60, 4: 80} {
		o, ok := byStep[i+1]
		canary := int64(math.Ceil(5 * float64(w) / 100))
		if !ok || o.canary != canary || o.stable != 5-canary || o.stableImage != "nginx:1.27" {
			t.Errorf("after step %d (set_weight %d): observed %+v (seen %v), want %d canary and %d stable pods ready, stable on nginx:1.27", i+1, w, o, ok, canary, 5-canary)
		}
	}
	// Done: the Deployment of the manifests runs the new image with 5
	// pods, the canary is gone, and state records the revision stable.
	web := k.Get(kubetest.Deployments, ns, "web")
	img, _, _ := unstructured.NestedSlice(web.Object, "spec", "template", "spec", "containers")
	ready, _, _ := unstructured.NestedInt64(web.Object, "status", "readyReplicas")
	if got := img[0].(map[string]any)["image"]; got != "nginx:1.28" || ready != 5 {
		t.Errorf("web after the rollout: image %v, %d ready; want nginx:1.28, 5", got, ready)
	}
	if k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Error("web-canary still exists after the rollout")
	}
	final, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if final == nil || final.Phase != rolloutspec.PhaseHealthy || final.Stable != st.Revision {
		t.Errorf("state's rollout_status = %+v; want Healthy with stable %s", final, st.Revision)
	}
	// And the next plan has nothing to do.
	again := s.Plan(config)
	if d := sdktest.DiffPaths(s.State, again.PlannedState); len(d) > 0 {
		t.Errorf("plan after the rollout differs from state at %v", d)
	}
}
