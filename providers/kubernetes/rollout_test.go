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
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
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

// webIngress sends to the Service web through NGINX.
const webIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: web.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`

const webService = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 80}]\n"

// TestCanaryReplicas rolls a new image out with a 5-step canary whose
// traffic follows the ready pods, and checks the stable and canary pods
// the cluster shows at each step.
func TestCanaryReplicas(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-canary-replicas")
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
	config := rolloutApp(dir, ns, spec, "")
	s.Sync(config)

	// A new image: the plan shows the road, and nothing moves yet.
	writeFile(t, dir+"/deployment.yaml", strings.Replace(canaryDeployment, "IMAGE", "nginx:1.28", 1))
	plan := s.Plan(config)
	st := planStatus(t, plan)
	if v := plan.PlannedState.GetAttr("rollout_status"); v.IsKnown() {
		t.Errorf("planned rollout_status = %#v, want known after apply", v)
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
	if d := changesBut(s.State, again.PlannedState); len(d) > 0 {
		t.Errorf("plan after the rollout differs from state at %v", d)
	}
}

// TestBlueGreen rolls a new image out blue-green: the active Service
// switches to the preview's pods only once all of them are Ready, and the
// old pods go only after scale_down_delay.
func TestBlueGreen(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-blue-green")
	dep := strings.Replace(strings.Replace(canaryDeployment, "IMAGE", "nginx:1.27", 1), "replicas: 5", "replicas: 3", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": dep,
		"service.yaml":    webService,
		"preview.yaml":    strings.Replace(webService, "name: web}", "name: web-preview}", 1),
	})
	// The pre-promotion analysis checks an HTTP endpoint (standing in
	// for the preview Service, which nothing serves on the testbed).
	smoke := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok: preview healthy") }))
	t.Cleanup(smoke.Close)
	spec := &rolloutspec.Spec{Rollout: "bg", BlueGreen: &rolloutspec.BlueGreenSpec{
		ActiveService: "web", PreviewService: "web-preview", AutoPromotion: "1s", ScaleDownDelay: "3s",
		PrePromotionAnalysis: "smoke",
	}, Analyses: map[string]*rolloutspec.Analysis{"smoke": {
		Name: "smoke", Interval: "100ms", Count: 2,
		HTTP: &rolloutspec.HTTPMetric{URL: smoke.URL, ExpectStatus: 200, BodyMatch: "preview healthy"},
	}}}
	config := rolloutApp(dir, ns, spec, "")
	s.Sync(config)
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "nginx:1.27", "nginx:1.28", 1))

	type event struct {
		at     time.Time
		what   string
		detail string
	}
	var mu sync.Mutex
	var events []event
	record := func(what, detail string) {
		mu.Lock()
		events = append(events, event{time.Now(), what, detail})
		mu.Unlock()
	}
	for _, gvr := range []schema.GroupVersionResource{kubetest.Deployments, kubetest.Services} {
		w, err := k.Dynamic.Resource(gvr).Namespace(ns).Watch(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()

		go func() {

			for ev := range w.ResultChan() {
				u, ok := ev.Object.(*unstructured.Unstructured)
				if !ok || ev.Type == watch.Deleted {
					continue
				}
				switch {
				case u.GetKind() == "Service" && u.GetName() == "web":
					sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector")
					record("active", sel[labelPodTemplateHash])
				case u.GetName() == "web-preview" && u.GetKind() == "Deployment":
					n, _, _ := unstructured.NestedInt64(u.Object, "status", "readyReplicas")
					record("preview-ready", fmt.Sprint(n))
				case u.GetName() == "web" && u.GetKind() == "Deployment":
					cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
					record("stable-image", cs[0].(map[string]any)["image"].(string))
				}
			}
		}()
	}
	resp, _ := s.Sync(config)
	final, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if final == nil || final.Phase != rolloutspec.PhaseHealthy || len(final.Analyses) != 1 || final.Analyses[0].Phase != rolloutspec.Successful {
		t.Fatalf("rollout_status after apply: %+v", final)
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	var previewReady, switched, newStable time.Time
	hashes := map[string]bool{}
	for _, e := range events {
		switch {
		case e.what == "preview-ready" && e.detail == "3" && previewReady.IsZero():
			previewReady = e.at
		case e.what == "active" && e.detail != "":
			hashes[e.detail] = true
			if len(hashes) == 2 && switched.IsZero() {
				switched = e.at // the second pin: to the preview's pods
			}
		case e.what == "stable-image" && e.detail == "nginx:1.28" && newStable.IsZero():
			newStable = e.at
		}
	}
	t.Logf("preview ready %s, switched %s, old pods replaced %s", previewReady.Format("15:04:05.000"), switched.Format("15:04:05.000"), newStable.Format("15:04:05.000"))
	switch {
	case previewReady.IsZero() || switched.IsZero() || newStable.IsZero():
		t.Fatalf("missing events: %+v", events)
	case switched.Before(previewReady):
		t.Errorf("the active Service switched before the preview was Ready")
	case newStable.Sub(switched) < 3*time.Second:
		t.Errorf("the old pods went %s after the switch, before scale_down_delay (3s)", newStable.Sub(switched))
	}
	if sel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector"); sel[labelPodTemplateHash] != "" || sel["app"] != "web" {
		t.Errorf("active selector after the rollout = %v, want the manifests' {app: web}", sel)
	}
	if k.Get(kubetest.Deployments, ns, "web-preview") != nil {
		t.Error("the preview Deployment still exists")
	}
}

// planStatus is what a plan proposes for the rollout (rollout_plan).
func planStatus(t *testing.T, plan sdk.PlanResponse) *rolloutspec.Status {
	t.Helper()
	v := plan.PlannedState.GetAttr("rollout_plan")
	if v.IsNull() || !v.IsKnown() {
		t.Fatalf("the plan has no rollout_plan")
	}
	st, err := rolloutspec.DecodeStatus(v.AsString())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func imageOf(t *testing.T, u *unstructured.Unstructured) string {
	t.Helper()
	if u == nil {
		return ""
	}
	cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	return cs[0].(map[string]any)["image"].(string)
}

// TestCanarySupersedeAndPromote pauses a canary until promoted, then a
// newer revision replaces the one under way (never queued behind it), a
// promote moves it past the pause, and an abort request and a retry work
// on the next revision.
func TestCanarySupersedeAndPromote(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-canary-supersede")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 4", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	attrs := func(request string) cty.Value { return rolloutApp(dir, ns, spec, request) }
	s.Sync(attrs(""))
	setImage := func(img string) { writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", img, 1)) }

	// v2 pauses at step 2 with half the pods on it.
	setImage("nginx:1.28")
	resp, _ := s.Sync(attrs(""))
	st, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st.Phase != rolloutspec.PhasePaused || st.Step != 1 || st.Weight != 50 {
		t.Fatalf("after the first apply: %+v; want Paused at step 2, weight 50", st)
	}
	if got := imageOf(t, k.Get(kubetest.Deployments, ns, "web-canary")); got != "nginx:1.28" {
		t.Fatalf("canary image = %q", got)
	}
	// The plan while paused: it goes on at step 2.
	if p := planStatus(t, s.Plan(attrs(""))); p.Action != rolloutspec.ActionContinue || p.Step != 1 {
		t.Errorf("plan while paused: %+v", p)
	}

	// v3 during the pause supersedes v2: the canary runs v3 from step 1.
	setImage("nginx:1.29")
	plan := s.Plan(attrs(""))
	if p := planStatus(t, plan); p.Action != rolloutspec.ActionSupersede || p.Superseded != st.Revision {
		t.Fatalf("plan of a newer revision: %+v; want supersede of %s", p, st.Revision)
	}
	resp, _ = s.Apply(attrs(""), plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	st3, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st3.Phase != rolloutspec.PhasePaused || st3.Revision == st.Revision || st3.Step != 1 {
		t.Fatalf("after the superseding apply: %+v", st3)
	}
	if got := imageOf(t, k.Get(kubetest.Deployments, ns, "web-canary")); got != "nginx:1.29" {
		t.Errorf("canary image after supersede = %q, want nginx:1.29", got)
	}

	// promote: past the pause, to 100%.
	resp, _ = s.Sync(attrs("promote"))
	final, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if final.Phase != rolloutspec.PhaseHealthy || final.Stable != st3.Revision {
		t.Errorf("after promote: %+v", final)
	}
	if got := imageOf(t, k.Get(kubetest.Deployments, ns, "web")); got != "nginx:1.29" || k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Errorf("after promote: web runs %q, canary exists: %v", got, k.Get(kubetest.Deployments, ns, "web-canary") != nil)
	}

	// v4, then abort at the pause: stable again, Degraded, held.
	setImage("nginx:1.30")
	s.Sync(attrs(""))
	resp, _ = s.Sync(attrs("abort"))
	ab, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if ab.Phase != rolloutspec.PhaseDegraded || ab.Aborted == "" {
		t.Fatalf("after abort: %+v", ab)
	}
	web := k.Get(kubetest.Deployments, ns, "web")
	if ready, _, _ := unstructured.NestedInt64(web.Object, "status", "readyReplicas"); imageOf(t, web) != "nginx:1.29" || ready != 4 || k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Errorf("after abort: web %s with %d ready, canary exists %v", imageOf(t, web), ready, k.Get(kubetest.Deployments, ns, "web-canary") != nil)
	}
	held := s.Plan(attrs("abort"))
	if d := changesBut(s.State, held.PlannedState); len(d) > 0 {
		t.Errorf("the plan of a held revision changes %v", d)
	}
	if p := planStatus(t, s.Plan(attrs(""))); p.Phase != rolloutspec.PhaseDegraded || p.Aborted != ab.Aborted {
		t.Errorf("plan after abort: %+v; want hold", p)
	}
	// retry starts it again.
	resp, _ = s.Sync(attrs("retry"))
	if r, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString()); r.Phase != rolloutspec.PhasePaused || r.Revision != ab.Aborted {
		t.Errorf("after retry: %+v", r)
	}
}

// TestRolloutRequestForAnotherRevision sends promote, promote_full and
// abort while a canary is paused and the manifests already hold a newer
// revision: a promotion is refused (it would skip the steps of a
// rollout that has not begun), an abort takes the rollout under way back
// to stable and lets the newer revision start at the next apply, and a
// request with no rollout live is refused.
func TestRolloutRequestForAnotherRevision(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-request-newer")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	attrs := func(request string) cty.Value { return rolloutApp(dir, ns, spec, request) }
	setImage := func(img string) { writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", img, 1)) }
	s.Sync(attrs(""))
	setImage("nginx:1.28")
	resp, _ := s.Sync(attrs(""))
	v2, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if v2.Phase != rolloutspec.PhasePaused || v2.Step != 1 {
		t.Fatalf("after the first apply: %+v; want Paused at step 2", v2)
	}

	setImage("nginx:1.29")
	for _, request := range []string{"promote", "promote_full"} {
		plan := s.TryPlan(attrs(request))
		if err := plan.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "manifests now hold revision") {
			t.Errorf("%s with a newer revision in the manifests: %v; want it refused", request, err)
		}
	}
	if web, canary := imageOf(t, k.Get(kubetest.Deployments, ns, "web")), imageOf(t, k.Get(kubetest.Deployments, ns, "web-canary")); web != "nginx:1.27" || canary != "nginx:1.28" {
		t.Fatalf("after the refused requests: web runs %q, the canary %q", web, canary)
	}

	resp, _ = s.Sync(attrs("abort"))
	ab, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if ab.Phase != rolloutspec.PhaseDegraded || ab.Aborted != v2.Revision {
		t.Errorf("after abort: %+v; want Degraded with %s aborted", ab, v2.Revision)
	}
	if web := imageOf(t, k.Get(kubetest.Deployments, ns, "web")); web != "nginx:1.27" || k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Errorf("after abort: web runs %q, canary exists %v; want the stable alone", web, k.Get(kubetest.Deployments, ns, "web-canary") != nil)
	}
	if p := planStatus(t, s.Plan(attrs(""))); p.Action != rolloutspec.ActionStart || p.Revision == v2.Revision {
		t.Errorf("plan after the abort: %+v; want the newer revision to start", p)
	}
	plan := s.TryPlan(attrs("promote_full"))
	if err := plan.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "no rollout is under way") {
		t.Errorf("promote_full with no rollout live: %v; want it refused", err)
	}
}

// TestAbortCutShortIsFinished: an abort records the aborted revision on
// the stable Deployment before it moves anything, so an abort cut short
// (here: the record made, the canary still there) is finished by the
// next apply, never resumed as the rollout it stopped.
func TestAbortCutShortIsFinished(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-abort-cut-short")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	attrs := func(request string) cty.Value { return rolloutApp(dir, ns, spec, request) }
	s.Sync(attrs(""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	resp, _ := s.Sync(attrs(""))
	v2, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if v2.Phase != rolloutspec.PhasePaused {
		t.Fatalf("after the first apply: %+v; want Paused", v2)
	}
	// What an abort leaves when it is cut short right after its record.
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, annAborted, v2.Revision+": analysis smoke failed")
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "web", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	p := planStatus(t, s.Plan(attrs("")))
	if p.Action != rolloutspec.ActionAbort || p.Message != "analysis smoke failed" {
		t.Fatalf("plan after an abort cut short: %+v; want the abort finished", p)
	}
	resp, _ = s.Sync(attrs(""))
	ab, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if ab.Phase != rolloutspec.PhaseDegraded || ab.Aborted != v2.Revision || ab.Message != "analysis smoke failed" {
		t.Errorf("after the apply: %+v; want Degraded, %s aborted for its reason", ab, v2.Revision)
	}
	if web := imageOf(t, k.Get(kubetest.Deployments, ns, "web")); web != "nginx:1.27" || k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Errorf("after the apply: web runs %q, canary exists %v; want the stable alone", web, k.Get(kubetest.Deployments, ns, "web-canary") != nil)
	}
	if p := planStatus(t, s.Plan(attrs(""))); p.Phase != rolloutspec.PhaseDegraded || p.Action != rolloutspec.ActionHold {
		t.Errorf("plan after the finished abort: %+v; want hold", p)
	}
}

// TestAnalysisCutShortIsResumed: an analysis an apply left measuring
// (stopped or killed mid-run) is gone on with by the next apply, its
// measurements counted: a retried apply does not give a failing release
// a fresh failure budget. Here the run left holds one failure of a
// failure_limit of 1; the check fails once more, then would pass.
func TestAnalysisCutShortIsResumed(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-analysis-resumed")
	var calls atomic.Int64
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "errors", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(check.Close)
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary",
		Canary: &rolloutspec.CanarySpec{
			Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}, {Analysis: "smoke"}},
			Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
		},
		Analyses: map[string]*rolloutspec.Analysis{"smoke": {
			Name: "smoke", Interval: "10ms", Count: 3, FailureLimit: 1,
			HTTP: &rolloutspec.HTTPMetric{URL: check.URL + "/healthz"},
		}},
	}
	attrs := func(request string) cty.Value { return rolloutApp(dir, ns, spec, request) }
	s.Sync(attrs(""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	resp, _ := s.Sync(attrs(""))
	st, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st == nil || st.Phase != rolloutspec.PhasePaused || st.Step != 1 {
		t.Fatalf("after the first apply: %+v; want Paused at step 2", st)
	}
	// What an apply killed during the analysis leaves: the run at its
	// step, Running, with the one measurement it took (failed).
	st.Step, st.Phase = 2, rolloutspec.PhaseProgressing
	st.Analyses = append(st.Analyses, rolloutspec.AnalysisRun{Name: "smoke", Step: 2, Phase: rolloutspec.Running,
		Measurements: []rolloutspec.Measurement{{Phase: rolloutspec.Failed, Value: "503", Message: "GET answered 503"}}})
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{annStatus: st.Encode()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "web-canary", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	resp, progress := s.Apply(attrs(""), s.Plan(attrs("")))
	if !resp.Diagnostics.HasErrors() || !strings.Contains(fmt.Sprint(resp.Diagnostics), "2 of 3 measurements failed") {
		t.Errorf("apply over the analysis cut short: %v; want the rollout aborted, 2 of 3 measurements failed\nprogress:\n  %s", resp.Diagnostics, strings.Join(progress, "\n  "))
	}
	if !slicesContains(progress, "analysis smoke: resuming after 1 of 3 measurements") {
		t.Errorf("no progress line says the analysis resumed:\n  %s", strings.Join(progress, "\n  "))
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the check was called %d times, want once (the held failure and this one pass the limit)", n)
	}
}

// TestBlueGreenPromoteFull promotes in full a blue-green rollout paused
// until promoted: it still switches the active Service to the preview's
// pods before the Deployment of the manifests takes the new template.
func TestBlueGreenPromoteFull(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-blue-green-full")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "bg", BlueGreen: &rolloutspec.BlueGreenSpec{ActiveService: "web", ScaleDownDelay: "1s"}}
	attrs := func(request string) cty.Value { return rolloutApp(dir, ns, spec, request) }
	s.Sync(attrs(""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	resp, _ := s.Sync(attrs(""))
	st, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st.Phase != rolloutspec.PhasePaused || st.StepName(st.Step) != "pause until promoted" {
		t.Fatalf("after the first apply: %+v; want Paused until promoted", st)
	}
	resp, progress := s.Sync(attrs("promote_full"))
	final, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if final.Phase != rolloutspec.PhaseHealthy || imageOf(t, k.Get(kubetest.Deployments, ns, "web")) != "nginx:1.28" {
		t.Fatalf("after promote_full: %+v, web runs %q", final, imageOf(t, k.Get(kubetest.Deployments, ns, "web")))
	}
	switched := slices.ContainsFunc(progress, func(l string) bool { return strings.Contains(l, "switching Service web to the new pods") })
	if !switched {
		t.Errorf("promote_full did not switch the active Service to the preview first; progress:\n  %s", strings.Join(progress, "\n  "))
	}
}

var httpRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}

// routeWeights is "stable/canary" of an HTTPRoute's first rule, "-" for
// a backendRef without a weight.
func routeWeights(u *unstructured.Unstructured) string {
	rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
	if len(rules) == 0 {
		return ""
	}
	refs, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "backendRefs")
	var parts []string
	for _, r := range refs {
		m := r.(map[string]any)
		w := "-"
		if v, ok := m["weight"]; ok {
			w = fmt.Sprint(v)
		}
		parts = append(parts, fmt.Sprintf("%s=%s", m["name"], w))
	}
	return strings.Join(parts, ",")
}

// TestCanaryGatewayAPIAndAnalysis steers a canary through the weights of
// a Gateway API HTTPRoute, checked at every step from a watch of the
// route, with a Prometheus analysis between the steps against a real
// Prometheus; then a revision whose error ratio is high fails the
// analysis, and the rollout goes back to 100% stable with the reason.
func TestCanaryGatewayAPIAndAnalysis(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-canary-gateway")
	if err := testbed.InstallGatewayAPI(t.Context(), testbed.Shared(t).Config); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	ratio := prometheus.NewGauge(prometheus.GaugeOpts{Name: "web_error_ratio", Help: "Errors per request of the canary."})
	reg.MustRegister(ratio)
	ratio.Set(0.01)
	exporter := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)
	prom, err := testbed.StartPrometheus(t.Context(), t.TempDir(), []string{exporter.URL + "/metrics"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prom.Close() })
	waitProm(t, prom.URL, "web_error_ratio", "0.01")

	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 4", 1)
	const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: web, port: 80}]
`
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
		"route.yaml":      route,
	})
	spec := &rolloutspec.Spec{Rollout: "canary",
		Canary: &rolloutspec.CanarySpec{
			Steps:   []rolloutspec.Step{weightStep(25), {Analysis: "errors"}, weightStep(50), weightStep(75)},
			Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficGatewayAPI, Route: "web"},
		},
		Analyses: map[string]*rolloutspec.Analysis{"errors": {
			Name: "errors", Interval: "200ms", Count: 2,
			Prometheus: &rolloutspec.PrometheusMetric{Address: prom.URL, Query: "web_error_ratio", Condition: "result < 0.05"},
		}},
	}
	config := rolloutApp(dir, ns, spec, "")
	s.Sync(config)

	// Every weight the route takes, from a watch.
	w, err := k.Dynamic.Resource(httpRoutes).Namespace(ns).Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if u, ok := ev.Object.(*unstructured.Unstructured); ok {
				mu.Lock()
				if ws := routeWeights(u); len(seen) == 0 || seen[len(seen)-1] != ws {
					seen = append(seen, ws)
				}
				mu.Unlock()
			}
		}
	}()
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	resp, progress := s.Sync(config)
	w.Stop()
	<-done
	want := []string{"web=1", "web=100,web-canary=0", "web=75,web-canary=25", "web=50,web-canary=50", "web=25,web-canary=75", "web=0,web-canary=100", "web=1"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("route weights over the rollout:\n  got  %s\n  want %s", strings.Join(seen, " "), strings.Join(want, " "))
	}
	if !slicesContains(progress, "analysis errors: Successful (2 successful)") {
		t.Errorf("no analysis result among the progress lines:\n  %s", strings.Join(progress, "\n  "))
	}
	st, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st.Phase != rolloutspec.PhaseHealthy || len(st.Analyses) != 1 || st.Analyses[0].Phase != rolloutspec.Successful {
		t.Errorf("status after the rollout: %+v", st)
	}

	// A revision with a high error ratio: the analysis fails at once and
	// the rollout goes back to stable, with the reason.
	ratio.Set(0.5)
	waitProm(t, prom.URL, "web_error_ratio", "0.5")
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.29", 1))
	plan := s.Plan(config)
	resp, _ = s.Apply(config, plan)
	if !resp.Diagnostics.HasErrors() || !strings.Contains(fmt.Sprint(resp.Diagnostics), "result = 0.5 does not meet result < 0.05") {
		t.Errorf("apply of a failing revision: %v", resp.Diagnostics)
	}
	ab, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if ab == nil || ab.Phase != rolloutspec.PhaseDegraded || !strings.Contains(ab.Message, "0.5") {
		t.Errorf("status after the failed analysis: %+v", ab)
	}
	if got := routeWeights(k.Get(httpRoutes, ns, "web")); got != "web=1" {
		t.Errorf("route after the abort = %s, want the manifests' web=1 (the server's default weight)", got)
	}
	web := k.Get(kubetest.Deployments, ns, "web")
	if ready, _, _ := unstructured.NestedInt64(web.Object, "status", "readyReplicas"); imageOf(t, web) != "nginx:1.28" || ready != 4 || k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Errorf("after the abort: web %s with %d ready, canary exists %v", imageOf(t, web), ready, k.Get(kubetest.Deployments, ns, "web-canary") != nil)
	}
	if sel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector"); len(sel) != 1 {
		t.Errorf("stable selector after the abort = %v", sel)
	}
}

func slicesContains(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// waitProm waits until Prometheus has scraped value for query.
func waitProm(t *testing.T, addr, query, value string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(addr + "/api/v1/query?query=" + url.QueryEscape(query))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), `"`+value+`"`) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("Prometheus did not show %s = %s in 30s", query, value)
}

// changesBut lists where planned differs from state, but for the Local
// attributes (rollout_plan, rollout_action), whose difference alone is
// never a change.
func changesBut(state, planned cty.Value) []string {
	var out []string
	for _, p := range sdktest.DiffPaths(state, planned) {
		if s := fmt.Sprint(p); !strings.HasPrefix(s, "rollout_plan") && !strings.HasPrefix(s, "rollout_action") {
			out = append(out, s)
		}
	}
	return out
}

// TestCanaryNginx steers a canary with NGINX's canary annotations: a
// canary Ingress beside the app's sends the step's weight to the canary
// Service, while the stable Service is pinned to the stable pods; an
// Ingress that does not exist is an error before anything moves.
func TestCanaryNginx(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-canary-nginx")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
		"ingress.yaml":    webIngress,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(30), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficNginx, Ingress: "web"},
	}}
	attrs := func(spec *rolloutspec.Spec, request string) cty.Value { return rolloutApp(dir, ns, spec, request) }

	s.Sync(attrs(spec, ""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))

	// An Ingress that does not exist is named before anything moves.
	bad := *spec
	bad.Canary = &rolloutspec.CanarySpec{Steps: spec.Canary.Steps, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficNginx, Ingress: "nope"}}
	if p := s.TryPlan(attrs(&bad, "")); !p.Diagnostics.HasErrors() || !strings.Contains(fmt.Sprint(p.Diagnostics), ns+"/nope, which does not exist") {
		t.Errorf("plan with a missing Ingress: %v", p.Diagnostics)
	}

	resp, _ := s.Sync(attrs(spec, ""))
	st, _ := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
	if st.Phase != rolloutspec.PhasePaused || st.Weight != 30 {
		t.Fatalf("status: %+v", st)
	}
	ci := k.Get(schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}, ns, "web-canary")
	if ci == nil {
		t.Fatal("no canary Ingress")
	}
	ann := ci.GetAnnotations()
	rules, _, _ := unstructured.NestedSlice(ci.Object, "spec", "rules")
	paths, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "http", "paths")
	name, _, _ := unstructured.NestedString(paths[0].(map[string]any), "backend", "service", "name")
	if ann[nginxCanary] != "true" || ann[nginxCanaryWeight] != "30" || name != "web-canary" {
		t.Errorf("canary Ingress: annotations %v, backend %q", ann, name)
	}
	sel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector")
	csel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web-canary").Object, "spec", "selector")
	if sel[labelPodTemplateHash] == "" || csel[labelRole] != roleCanary {
		t.Errorf("selectors during the canary: stable %v, canary %v", sel, csel)
	}
	// The plan while paused shows no drift of the pinned Service.
	s.Sync(attrs(spec, "promote"))
	if k.Get(schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}, ns, "web-canary") != nil || k.Get(kubetest.Services, ns, "web-canary") != nil {
		t.Error("canary Ingress or Service left after the rollout")
	}
	sel, _, _ = unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector")
	if len(sel) != 1 || sel["app"] != "web" {
		t.Errorf("stable selector after the rollout = %v", sel)
	}
	// (rollout_action is a Local attribute: a request left in state is
	// no change.)
	if d := changesBut(s.State, s.Plan(attrs(spec, "")).PlannedState); len(d) > 0 {
		t.Errorf("plan after the rollout differs from state at %v", d)
	}
}

// TestTriggerOn rolls the workload out when a ConfigMap named by
// trigger_on changes, as a pod template change does, and not when
// another object changes.
func TestTriggerOn(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-trigger-on")
	dep := strings.Replace(strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1), "IMAGE", "nginx:1.27", 1)
	cm := func(name, color string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {color: " + color + "}\n"
	}
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": dep,
		"config.yaml":     cm("web-config", "blue"),
		"other.yaml":      cm("other", "blue"),
	})
	spec := &rolloutspec.Spec{Rollout: "canary", TriggerOn: []string{"ConfigMap/web-config"}, Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50)},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	config := rolloutApp(dir, ns, spec, "")
	s.Sync(config)
	hash := func() string {
		ann, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Deployments, ns, "web").Object, "spec", "template", "metadata", "annotations")
		return ann[annTriggerHash]
	}
	first := hash()
	if first == "" {
		t.Fatal("the workload's pod template carries no trigger hash")
	}

	// Another ConfigMap changes: applied at once, no rollout.
	writeFile(t, dir+"/other.yaml", cm("other", "green"))
	plan := s.Plan(config)
	if v := plan.PlannedState.GetAttr("rollout_plan"); !v.IsNull() {
		t.Errorf("a change of another object plans a rollout: %s", v.AsString())
	}
	s.Apply(config, plan)

	// The named ConfigMap changes: the workload rolls out.
	writeFile(t, dir+"/config.yaml", cm("web-config", "green"))
	plan = s.Plan(config)
	if p := planStatus(t, plan); p.Action != rolloutspec.ActionStart {
		t.Fatalf("plan of a trigger_on change: %+v; want start", p)
	}
	resp, progress := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if !slicesContains(progress, "step 1/2: set_weight 50") || !slicesContains(progress, "is stable") {
		t.Errorf("the rollout did not run:\n  %s", strings.Join(progress, "\n  "))
	}
	if got := hash(); got == first || got == "" {
		t.Errorf("trigger hash after the rollout = %q, before %q", got, first)
	}
}

// TestRolloutRemovedMidway: an app whose rollout block is removed while
// a canary is paused finishes at once: the Deployment of the manifests
// takes the new template, and the canary, its Service and Ingress go,
// and the stable Service selects by the manifests' selector again.
func TestRolloutRemovedMidway(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-rollout-removed")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
		"ingress.yaml":    webIngress,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficNginx, Ingress: "web"},
	}}
	attrs := func(withRollout bool) cty.Value {
		if withRollout {
			return rolloutApp(dir, ns, spec, "")
		}
		return rolloutApp(dir, ns, nil, "")
	}
	s.Sync(attrs(true))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	s.Sync(attrs(true))
	if k.Get(kubetest.Services, ns, "web-canary") == nil {
		t.Fatal("no canary Service while paused")
	}

	plan := s.Plan(attrs(false))
	if p := planStatus(t, plan); !strings.Contains(p.Message, "no longer follows the app's strategy") {
		t.Errorf("plan without the rollout block: %+v", p)
	}
	resp, _ := s.Apply(attrs(false), plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if v := resp.NewState.GetAttr("rollout_status"); !v.IsNull() {
		t.Errorf("rollout_status of an app without a rollout = %#v", v)
	}
	ingresses := schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
	if imageOf(t, k.Get(kubetest.Deployments, ns, "web")) != "nginx:1.28" || k.Get(kubetest.Deployments, ns, "web-canary") != nil ||
		k.Get(kubetest.Services, ns, "web-canary") != nil || k.Get(ingresses, ns, "web-canary") != nil {
		t.Errorf("after the rollout block went: web on %s, canary objects left: deployment %v, service %v, ingress %v",
			imageOf(t, k.Get(kubetest.Deployments, ns, "web")), k.Get(kubetest.Deployments, ns, "web-canary") != nil,
			k.Get(kubetest.Services, ns, "web-canary") != nil, k.Get(ingresses, ns, "web-canary") != nil)
	}
	if sel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector"); len(sel) != 1 {
		t.Errorf("stable selector = %v, want the manifests'", sel)
	}
	if d := changesBut(s.State, s.Plan(attrs(false)).PlannedState); len(d) > 0 {
		t.Errorf("the next plan changes %v", d)
	}
}

// rolloutApp is the configuration of app web of the manifests in dir,
// in namespace ns, following spec (none when nil), with a request of
// `slipway rollout` when request is not empty.
func rolloutApp(dir, ns string, spec *rolloutspec.Spec, request string) cty.Value {
	a := map[string]cty.Value{
		"name": cty.StringVal("web"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("90s"),
	}
	if spec != nil {
		a["rollout"] = cty.StringVal(spec.Encode())
	}
	if request != "" {
		a["rollout_action"] = cty.StringVal(request)
	}
	return appConfigVal(a)
}

// TestRolloutNamesTaken: a rollout never takes over an object of the
// name it would make: one in the manifests is an error at plan, one made
// by someone else is an error before the rollout moves anything.
func TestRolloutNamesTaken(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-rollout-names")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 1", 1)
	dir := sdktest.WriteTree(t, map[string]string{"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1)})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps: []rolloutspec.Step{weightStep(50)}, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	s.Sync(rolloutApp(dir, ns, spec, ""))

	// Someone else's web-canary: the rollout stops before it moves.
	other := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web-canary", "namespace": ns},
		"spec": map[string]any{
			"replicas": int64(0), "selector": map[string]any{"matchLabels": map[string]any{"app": "other"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "other"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "other:1"}}}},
		},
	}}
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Create(t.Context(), other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	plan := s.Plan(rolloutApp(dir, ns, spec, ""))
	resp, _ := s.Apply(rolloutApp(dir, ns, spec, ""), plan)
	if !strings.Contains(fmt.Sprint(resp.Diagnostics), "web-canary exists and is not this rollout's") {
		t.Errorf("apply over someone else's web-canary: %v", resp.Diagnostics)
	}
	if got := imageOf(t, k.Get(kubetest.Deployments, ns, "web-canary")); got != "other:1" {
		t.Errorf("someone else's web-canary now runs %q", got)
	}
	if got := imageOf(t, k.Get(kubetest.Deployments, ns, "web")); got != "nginx:1.27" {
		t.Errorf("web runs %q, want the stable nginx:1.27", got)
	}

	// One in the manifests: an error at plan.
	writeFile(t, dir+"/other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"+strings.Replace(strings.Replace(dep, "name: web\n", "name: web-canary\n", 1), "IMAGE", "nginx:1", 1))
	two := *spec
	two.Workload = "Deployment/web"
	if p := s.TryPlan(rolloutApp(dir, ns, &two, "")); !strings.Contains(fmt.Sprint(p.Diagnostics), "the app's manifests hold an object of that name") {
		t.Errorf("plan with web-canary in the manifests: %v", p.Diagnostics)
	}
}

var nsRuns sync.Map // namespace base -> *atomic.Int32

// uniqueNS is base the first time a test asks for it in this process
// and base-N after, so that -count=N runs do not meet what the runs
// before left in the shared cluster.
func uniqueNS(base string) string {
	c, _ := nsRuns.LoadOrStore(base, new(atomic.Int32))
	if n := c.(*atomic.Int32).Add(1); n > 1 {
		return fmt.Sprintf("%s-%d", base, n)
	}
	return base
}

// TestCanaryKeepsAutoscaledReplicas: a Deployment whose manifest leaves
// replicas to an autoscaler rolls out at the live count, and ends at it.
func TestCanaryKeepsAutoscaledReplicas(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-canary-autoscaled")
	dep := strings.Replace(canaryDeployment, "  replicas: 5\n", "", 1)
	dir := sdktest.WriteTree(t, map[string]string{"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1)})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps: []rolloutspec.Step{weightStep(50)}, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas}, MaxSurge: "100%",
	}}
	s.Sync(rolloutApp(dir, ns, spec, ""))
	// An autoscaler's choice: 4 pods.
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "web", types.MergePatchType, []byte(`{"spec":{"replicas":4}}`), metav1.PatchOptions{FieldManager: "horizontal-pod-autoscaler"}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	_, progress := s.Sync(rolloutApp(dir, ns, spec, ""))
	if !slicesContains(progress, "2 canary and 2 stable pods ready") {
		t.Errorf("the canary did not take half of the 4 pods:\n  %s", strings.Join(progress, "\n  "))
	}
	web := k.Get(kubetest.Deployments, ns, "web")
	replicas, _, _ := unstructured.NestedInt64(web.Object, "spec", "replicas")
	ready, _, _ := unstructured.NestedInt64(web.Object, "status", "readyReplicas")
	if imageOf(t, web) != "nginx:1.28" || replicas != 4 || ready != 4 {
		t.Errorf("web after the rollout: %s, %d replicas, %d ready; want nginx:1.28 with 4", imageOf(t, web), replicas, ready)
	}
}

// TestStrategyChangedMidway: a canary under way whose app switches to
// blue-green is finished at once rather than left beside the preview
// the new strategy would make.
func TestStrategyChangedMidway(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-strategy-changed")
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1), "service.yaml": webService})
	canary := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps: []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}}, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	bg := &rolloutspec.Spec{Rollout: "bg", BlueGreen: &rolloutspec.BlueGreenSpec{ActiveService: "web", AutoPromotion: "1s", ScaleDownDelay: "1s"}}
	s.Sync(rolloutApp(dir, ns, canary, ""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	s.Sync(rolloutApp(dir, ns, canary, ""))
	if k.Get(kubetest.Deployments, ns, "web-canary") == nil {
		t.Fatal("no canary while paused")
	}
	plan := s.Plan(rolloutApp(dir, ns, bg, ""))
	if p := planStatus(t, plan); !strings.Contains(p.Message, "no longer follows the app's strategy") {
		t.Errorf("plan after the switch to blue-green: %+v", p)
	}
	resp, _ := s.Apply(rolloutApp(dir, ns, bg, ""), plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if imageOf(t, k.Get(kubetest.Deployments, ns, "web")) != "nginx:1.28" || k.Get(kubetest.Deployments, ns, "web-canary") != nil || k.Get(kubetest.Deployments, ns, "web-preview") != nil {
		t.Errorf("after the switch: web on %s, canary left %v, preview left %v", imageOf(t, k.Get(kubetest.Deployments, ns, "web")),
			k.Get(kubetest.Deployments, ns, "web-canary") != nil, k.Get(kubetest.Deployments, ns, "web-preview") != nil)
	}
	if d := changesBut(s.State, s.Plan(rolloutApp(dir, ns, bg, "")).PlannedState); len(d) > 0 {
		t.Errorf("the next plan changes %v", d)
	}
}

// TestTrafficChangedMidway changes a canary's traffic from a Gateway API
// route to the ready pods while the canary is paused at 50%: the rollout
// under way is finished by the strategy it began with, which unpins the
// stable Service and gives the route its weights back; before, the new
// traffic went on from the old one's pins, and the Service selected the
// old pods alone after they went.
func TestTrafficChangedMidway(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-traffic-changed")
	if err := testbed.InstallGatewayAPI(t.Context(), testbed.Shared(t).Config); err != nil {
		t.Fatal(err)
	}
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	const route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs: [{name: web, port: 80}]\n"
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
		"route.yaml":      route,
	})
	routed := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficGatewayAPI, Route: "web"},
	}}
	replicas := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}},
		Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
	}}
	s.Sync(rolloutApp(dir, ns, routed, ""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	s.Sync(rolloutApp(dir, ns, routed, ""))
	if got := routeWeights(k.Get(httpRoutes, ns, "web")); !strings.Contains(got, "web-canary=50") {
		t.Fatalf("route while paused: %s; want half on the canary", got)
	}
	plan := s.Plan(rolloutApp(dir, ns, replicas, ""))
	if p := planStatus(t, plan); !strings.Contains(p.Message, "no longer follows the app's strategy") {
		t.Errorf("plan after the traffic changed: %+v; want the rollout under way finished", p)
	}
	resp, _ := s.Apply(rolloutApp(dir, ns, replicas, ""), plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	sel, _, _ := unstructured.NestedStringMap(k.Get(kubetest.Services, ns, "web").Object, "spec", "selector")
	if sel[labelPodTemplateHash] != "" {
		t.Errorf("Service web still pinned after the change: %v", sel)
	}
	if got := routeWeights(k.Get(httpRoutes, ns, "web")); got != "web=1" {
		t.Errorf("route after the change: %s; want the manifests' (web alone)", got)
	}
	if imageOf(t, k.Get(kubetest.Deployments, ns, "web")) != "nginx:1.28" || k.Get(kubetest.Deployments, ns, "web-canary") != nil || k.Get(kubetest.Services, ns, "web-canary") != nil {
		t.Errorf("after the change: web on %s, canary Deployment left %v, canary Service left %v", imageOf(t, k.Get(kubetest.Deployments, ns, "web")),
			k.Get(kubetest.Deployments, ns, "web-canary") != nil, k.Get(kubetest.Services, ns, "web-canary") != nil)
	}
}

// TestDestroyMidCanaryRestoresARouteOutsideTheApp: destroying an app
// while its canary is paused gives an HTTPRoute that is not the app's its
// weights back, and removes everything the rollout made.
func TestDestroyMidCanaryRestoresARouteOutsideTheApp(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-destroy-mid-canary")
	if err := testbed.InstallGatewayAPI(t.Context(), testbed.Shared(t).Config); err != nil {
		t.Fatal(err)
	}
	k.CreateNamespace(ns)
	route := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "shared", "namespace": ns},
		"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "gw"}},
			"rules": []any{map[string]any{"backendRefs": []any{map[string]any{"name": "web", "port": int64(80)}}}}},
	}}
	if _, err := k.Dynamic.Resource(httpRoutes).Namespace(ns).Create(t.Context(), route, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1), "service.yaml": webService})
	spec := &rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{
		Steps: []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{}}}, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficGatewayAPI, Route: "shared"},
	}}
	s.Sync(rolloutApp(dir, ns, spec, ""))
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))
	s.Sync(rolloutApp(dir, ns, spec, ""))
	if got := routeWeights(k.Get(httpRoutes, ns, "shared")); got != "web=50,web-canary=50" {
		t.Fatalf("route while paused = %s", got)
	}
	s.Destroy()
	if got := routeWeights(k.Get(httpRoutes, ns, "shared")); got != "web=1" {
		t.Errorf("route after destroy = %s, want web=1 as before the rollout", got)
	}
	for _, name := range []string{"web", "web-canary"} {
		if k.Get(kubetest.Deployments, ns, name) != nil || k.Get(kubetest.Services, ns, name) != nil {
			t.Errorf("%s left after destroy", name)
		}
	}
}

// rolloutTest starts a rollout test in parallel with the others: a
// client of the shared cluster, a session of an app with the provider as
// a plugin process, and a namespace of its own.
func rolloutTest(t *testing.T, base string) (*kubetest.Client, *sdktest.Session, string) {
	t.Helper()
	t.Parallel()
	cluster := testbed.Shared(t)
	return kubetest.New(t, cluster), newSession(t, startProvider(t, cluster, "")), uniqueNS(base)
}

// TestRolloutWaitsForTheWaves: a workload rolls out after every wave of
// its app, once they are healthy, as Argo CD syncs a wave once the waves
// before it are. Here a database in wave -1 changes into one that never
// becomes healthy, with a new image of the canary workload: the apply
// fails waiting for the database, and the rollout never starts.
func TestRolloutWaitsForTheWaves(t *testing.T) {
	k, s, ns := rolloutTest(t, "e2e-rollout-waves")
	db := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: db\n  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}\n" +
		"spec:\n  replicas: 1\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: postgres:17}]\n"
	dir := sdktest.WriteTree(t, map[string]string{
		"db.yaml":         db,
		"deployment.yaml": strings.Replace(canaryDeployment, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary", Workload: "Deployment/web", Canary: &rolloutspec.CanarySpec{
		Steps:    []rolloutspec.Step{weightStep(50)},
		Traffic:  rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
		MaxSurge: "100%",
	}}
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("20s"), "rollout": cty.StringVal(spec.Encode()),
	})
	s.Sync(config)

	stuck := strings.Replace(db, "    spec:\n", "    spec:\n      nodeSelector: {e2e.slipway.dev/no-such-node: \"true\"}\n", 1)
	writeFile(t, dir+"/db.yaml", stuck)
	writeFile(t, dir+"/deployment.yaml", strings.Replace(canaryDeployment, "IMAGE", "nginx:1.28", 1))
	plan := s.Plan(config)
	if st := planStatus(t, plan); st.Action != rolloutspec.ActionStart {
		t.Fatalf("planned rollout action %q; want start", st.Action)
	}
	resp, progress := s.Apply(config, plan)
	t.Logf("apply progress:\n  %s", strings.Join(progress, "\n  "))
	err := resp.Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), "rollout not started: the waves before it are not healthy") || !strings.Contains(err.Error(), "Deployment "+ns+"/db") {
		t.Fatalf("apply with a wave that never becomes healthy: %v; want the rollout not started, naming the database", err)
	}
	if k.Get(kubetest.Deployments, ns, "web-canary") != nil {
		t.Error("the canary was made while the wave before it was not healthy")
	}
	if img := imageOf(t, k.Get(kubetest.Deployments, ns, "web")); img != "nginx:1.27" {
		t.Errorf("web runs %s; want nginx:1.27, the rollout not started", img)
	}
}

// TestInterruptedRolloutGoesOnAtTheNextApply interrupts (the user's first
// Ctrl-C) an apply whose canary waits out a pause, then one whose
// analysis waits between two measurements: each apply ends at once, with
// a warning and nothing failed, the canary in the cluster as it stood,
// and the apply after it goes on from where it stopped: the pause's end
// and the measurement taken count.
func TestInterruptedRolloutGoesOnAtTheNextApply(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k, c, ns := kubetest.New(t, cluster), startProvider(t, cluster, ""), uniqueNS("e2e-rollout-interrupt")
	s := newSession(t, c)
	var calls atomic.Int64
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(check.Close)
	dep := strings.Replace(canaryDeployment, "replicas: 5", "replicas: 2", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": strings.Replace(dep, "IMAGE", "nginx:1.27", 1),
		"service.yaml":    webService,
	})
	spec := &rolloutspec.Spec{Rollout: "canary",
		Canary: &rolloutspec.CanarySpec{
			// The pause fits the apply's wait (90s): apply waits it out.
			Steps:   []rolloutspec.Step{weightStep(50), {Pause: &rolloutspec.Pause{Duration: "60s"}}, {Analysis: "smoke"}},
			Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas},
		},
		Analyses: map[string]*rolloutspec.Analysis{"smoke": {
			Name: "smoke", Interval: "1m", Count: 2,
			HTTP: &rolloutspec.HTTPMetric{URL: check.URL + "/healthz"},
		}},
	}
	attrs := rolloutApp(dir, ns, spec, "")
	s.Sync(attrs)
	writeFile(t, dir+"/deployment.yaml", strings.Replace(dep, "IMAGE", "nginx:1.28", 1))

	canary := func() *rolloutspec.Status {
		u, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Get(t.Context(), "web-canary", metav1.GetOptions{})
		if err != nil {
			return nil
		}
		return liveStatus(u)
	}
	// interruptWhen applies, and interrupts the provider once the canary
	// in the cluster shows ready; the apply must then end within seconds.
	interruptWhen := func(what string, ready func(*rolloutspec.Status) bool) (sdk.ApplyResponse, []string) {
		t.Helper()
		type result struct {
			resp     sdk.ApplyResponse
			progress []string
		}
		plan := s.Plan(attrs)
		done := make(chan result, 1)
		go func() {
			resp, progress := s.Apply(attrs, plan)
			done <- result{resp, progress}
		}()
		deadline := time.Now().Add(60 * time.Second)
		for st := canary(); st == nil || !ready(st); st = canary() {
			select {
			case r := <-done:
				t.Fatalf("the apply ended before %s: %v\nprogress:\n  %s", what, r.resp.Diagnostics, strings.Join(r.progress, "\n  "))
			case <-time.After(100 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 60s; canary status %+v", what, canary())
			}
		}
		if sent, err := c.Interrupt(t.Context()); err != nil || !sent {
			t.Fatalf("interrupt: sent %v, %v", sent, err)
		}
		select {
		case r := <-done:
			if r.resp.Diagnostics.HasErrors() {
				t.Fatalf("the interrupted apply failed: %v", r.resp.Diagnostics)
			}
			return r.resp, r.progress
		case <-time.After(15 * time.Second):
			t.Fatalf("the apply did not end within 15s of the interrupt (%s)", what)
		}
		panic("unreachable")
	}
	record := func(resp sdk.ApplyResponse) *rolloutspec.Status {
		t.Helper()
		s.State, s.Private = resp.NewState, resp.Private
		st, err := rolloutspec.DecodeStatus(resp.NewState.GetAttr("rollout_status").AsString())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// 1. Interrupted in the pause: Paused at step 2, its end kept.
	resp, _ := interruptWhen("the pause", func(st *rolloutspec.Status) bool { return st.Phase == rolloutspec.PhasePaused && st.Step == 1 })
	if w := fmt.Sprint(resp.Diagnostics); !strings.Contains(w, "Rollout interrupted") || !strings.Contains(w, "stopped at step 2/4 (pause 60s)") || !strings.Contains(w, "apply again to go on") {
		t.Errorf("diagnostics %s; want a warning saying where the rollout stopped", w)
	}
	st := record(resp)
	live := canary()
	if st.Phase != rolloutspec.PhasePaused || st.Step != 1 || st.PausedUntil == "" || live == nil || live.PausedUntil != st.PausedUntil {
		t.Fatalf("after the interrupt: state %+v, cluster %+v; want both Paused at step 2 with the pause's end", st, live)
	}
	if p := planStatus(t, s.Plan(attrs)); p.Action != rolloutspec.ActionContinue || p.Step != 1 {
		t.Errorf("plan after the interrupt: %+v; want the rollout to go on at step 2", p)
	}

	// 2. The pause is over (its end moved into the past, as time would):
	// the next apply goes on, and is interrupted between the analysis's
	// two measurements.
	live.PausedUntil = rolloutspec.Time(time.Now().Add(-time.Second))
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{annStatus: live.Encode()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "web-canary", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	resp, _ = interruptWhen("the first measurement", func(st *rolloutspec.Status) bool {
		n := len(st.Analyses)
		return st.Step == 2 && n > 0 && len(st.Analyses[n-1].Measurements) == 1
	})
	if w := fmt.Sprint(resp.Diagnostics); !strings.Contains(w, "stopped at step 3/4 (analysis smoke (2 x 1m0s)) when slipway was asked to stop, analysis smoke after 1 measurement;") {
		t.Errorf("diagnostics %s; want a warning naming the analysis and its measurements", w)
	}
	st = record(resp)
	if n := len(st.Analyses); st.Step != 2 || n == 0 || st.Analyses[n-1].Phase != rolloutspec.Running || len(st.Analyses[n-1].Measurements) != 1 {
		t.Fatalf("after the second interrupt: %+v; want the analysis Running with one measurement", st)
	}

	// 3. The next apply takes the second measurement only, and completes.
	resp, progress := s.Apply(attrs, s.Plan(attrs))
	sdktest.CheckDiags(t, "apply after the interrupts", resp.Diagnostics)
	st = record(resp)
	if !slicesContains(progress, "analysis smoke: resuming after 1 of 2 measurements") || calls.Load() != 2 {
		t.Errorf("the analysis was measured %d times in all, want 2; progress:\n  %s", calls.Load(), strings.Join(progress, "\n  "))
	}
	if st.Phase != rolloutspec.PhaseHealthy {
		t.Errorf("after the last apply: %+v; want Healthy", st)
	}
	u, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Get(t.Context(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	if img, _ := cs[0].(map[string]any)["image"].(string); img != "nginx:1.28" {
		t.Errorf("web runs %s after the rollout, want nginx:1.28", img)
	}
	if canary() != nil {
		t.Error("the canary Deployment is still there after the rollout")
	}
}
