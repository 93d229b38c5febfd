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
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// adoptChart renders a Deployment, a ConfigMap whose instance label the
// chart sets itself (as most charts do), and a ConfigMap "extra" that
// the tests create or not.
var adoptChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: web\nversion: 0.1.0\n",
	"values.yaml": "replicas: 1\n",
	"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`,
	"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
data: {color: blue}
`,
	"templates/extra.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-extra}
data: {placed: here}
`,
}

// TestReleaseAdoptsArgoCDObjects: objects Argo CD synced from a chart
// (rendered with `helm template`, applied with its tracking, no release)
// are taken over by the install in place; an object without the tracking
// is refused, by the plan and by the apply.
func TestReleaseAdoptsArgoCDObjects(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-adopt"
	k.CreateNamespace(ns)
	dir := sdktest.WriteTree(t, adoptChart)
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
		"wait_timeout": cty.StringVal("60s"),
		"adopt":        cty.ObjectVal(map[string]cty.Value{builtin.AdoptFrom: cty.StringVal("argocd"), builtin.AdoptName: cty.StringVal("web")}),
	})
	const (
		deployID = "apps/v1 Deployment " + ns + "/web"
		cmID     = "v1 ConfigMap " + ns + "/web-settings"
		extraID  = "v1 ConfigMap " + ns + "/web-extra"
	)
	create := func(gvr schema.GroupVersionResource, doc string) string {
		t.Helper()
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		out, err := k.Dynamic.Resource(gvr).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{FieldManager: "argocd-controller"})
		if err != nil {
			t.Fatal(err)
		}
		return string(out.GetUID())
	}
	// As Argo CD leaves them: the Deployment with its label, the
	// ConfigMap with its annotation (and the chart's own label).
	deployUID := create(kubetest.Deployments, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app.kubernetes.io/instance: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`)
	cmUID := create(kubetest.ConfigMaps, `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  labels: {app.kubernetes.io/instance: web}
  annotations: {argocd.argoproj.io/tracking-id: "web:/ConfigMap:`+ns+`/web-settings"}
data: {color: blue}
`)

	s := newSession(t, c)
	plan := s.Plan(config)
	// The chart sets the ConfigMap's instance label itself: it stays,
	// and Argo CD, tracking by it, still takes the ConfigMap for its
	// Application's. The plan says so, naming it alone.
	var kept []string
	for _, d := range plan.Diagnostics {
		if strings.HasPrefix(d.Summary, "Adopted objects keep the tracking of") {
			kept = append(kept, d.Detail)
		}
	}
	if len(kept) != 1 || !strings.Contains(kept[0], cmID) || strings.Contains(kept[0], deployID) || !strings.Contains(kept[0], "--cascade=false") {
		t.Errorf("the plan's warnings of kept tracking: %q; want one naming %s alone", kept, cmID)
	}
	adopted := plan.PlannedState.GetAttr(builtin.AppAdopted)
	if diff := cmp.Diff([]string{deployID, cmID}, sdktest.Keys(adopted)); diff != "" {
		t.Fatalf("adopted (-want +got):\n%s", diff)
	}
	for _, id := range []string{deployID, cmID} {
		if !kube.SameValue(adopted.GetAttr(id), plan.PlannedState.GetAttr("objects").GetAttr(id)) {
			t.Errorf("%s: adopted differs from planned at %v", id, sdktest.DiffPaths(adopted.GetAttr(id), plan.PlannedState.GetAttr("objects").GetAttr(id)))
		}
	}

	// An object of the chart without Argo CD's tracking is someone
	// else's: the plan refuses it, and so does an apply planned before
	// it appeared, leaving everything as it was.
	create(kubetest.ConfigMaps, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-extra}\ndata: {placed: here}\n")
	refused := s.TryPlan(config)
	if err := refused.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "cannot be adopted") || !strings.Contains(err.Error(), extraID) {
		t.Errorf("plan with a foreign object: %v, want it refused, naming %s", err, extraID)
	}
	resp, _ := s.Apply(config, plan)
	if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "Install failed") || !strings.Contains(err.Error(), extraID) {
		t.Errorf("apply with a foreign object: %v, want an install failure naming %s", err, extraID)
	}
	if l := helmList(t, cluster, ns); len(l) != 0 {
		t.Errorf("releases after the refused install: %q", l)
	}
	if err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Delete(t.Context(), "web-extra", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	// Install: the objects are Helm's, with the same UIDs, without Argo
	// CD's tracking (the chart's own label stays); the extra one is new.
	_, progress := s.Sync(config)
	if !slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, deployID+" adopted from argocd") }) {
		t.Errorf("no adoption among the progress %q", progress)
	}
	if diff := cmp.Diff([]string{"1 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history (-want +got):\n%s", diff)
	}
	deploy, cm := k.Get(kubetest.Deployments, ns, "web"), k.Get(kubetest.ConfigMaps, ns, "web-settings")
	if string(deploy.GetUID()) != deployUID || string(cm.GetUID()) != cmUID {
		t.Errorf("UIDs changed: Deployment %s -> %s, ConfigMap %s -> %s", deployUID, deploy.GetUID(), cmUID, cm.GetUID())
	}
	for _, u := range []*unstructured.Unstructured{deploy, cm} {
		if a := u.GetAnnotations(); a["meta.helm.sh/release-name"] != "web" || a["meta.helm.sh/release-namespace"] != ns || u.GetLabels()["app.kubernetes.io/managed-by"] != "Helm" {
			t.Errorf("%s lacks Helm's ownership: labels %v, annotations %v", u.GetName(), u.GetLabels(), a)
		}
		if _, ok := u.GetAnnotations()[kube.ArgoTrackingID]; ok {
			t.Errorf("%s keeps Argo CD's tracking annotation", u.GetName())
		}
	}
	if _, ok := deploy.GetLabels()[kube.ArgoInstanceLabel]; ok {
		t.Errorf("Deployment keeps Argo CD's tracking label: %v", deploy.GetLabels())
	}
	if cm.GetLabels()[kube.ArgoInstanceLabel] != "web" {
		t.Errorf("ConfigMap lost the chart's own instance label: %v", cm.GetLabels())
	}
	if k.Get(kubetest.ConfigMaps, ns, "web-extra") == nil {
		t.Error("the install did not create web-extra")
	}

	// Nothing changed: the next plan is the state, revision 1 stays.
	plan = s.Plan(config)
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
		t.Errorf("plan after the adopting install differs from state at %v", d)
	}
	if got := plan.PlannedState.GetAttr("release_revision"); !got.RawEquals(cty.NumberIntVal(1)) {
		t.Errorf("planned release_revision = %#v, want 1", got)
	}

	s.Destroy()
	for _, id := range []string{"web", "web-settings", "web-extra"} {
		gvr := kubetest.ConfigMaps
		if id == "web" {
			gvr = kubetest.Deployments
		}
		if k.Get(gvr, ns, id) != nil {
			t.Errorf("%s left after destroy", id)
		}
	}
}

// TestFailedAdoptingInstallKeepsTheObjects: an install that takes objects
// over and fails once Helm recorded it leaves the objects in place and no
// release, so that nothing (Helm's atomic uninstall, a replace of the
// failed release) uninstalls objects that existed before it; the next
// plan installs again.
func TestFailedAdoptingInstallKeepsTheObjects(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-adopt-failed"
	k.CreateNamespace(ns)
	chart := map[string]string{
		"Chart.yaml":                adoptChart["Chart.yaml"],
		"values.yaml":               adoptChart["values.yaml"],
		"templates/deployment.yaml": adoptChart["templates/deployment.yaml"],
		// Never ready (no node takes its pod): the install's wait fails
		// once Helm has recorded it.
		"templates/stuck.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stuck}\nspec:\n  selector: {matchLabels: {app: stuck}}\n  template:\n    metadata: {labels: {app: stuck}}\n    spec:\n      nodeSelector: {e2e.slipway.dev/none: \"x\"}\n      containers: [{name: s, image: \"nginx:1.27\"}]\n",
	}
	dir := sdktest.WriteTree(t, chart)
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
		"wait_timeout": cty.StringVal("3s"),
		"adopt":        cty.ObjectVal(map[string]cty.Value{builtin.AdoptFrom: cty.StringVal("argocd"), builtin.AdoptName: cty.StringVal("web")}),
	})
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app.kubernetes.io/instance: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`), &u.Object); err != nil {
		t.Fatal(err)
	}
	created, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{FieldManager: "argocd-controller"})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, c)
	resp, _ := s.Apply(config, s.Plan(config))
	if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "Install failed") || !strings.Contains(err.Error(), "takes them over again") {
		t.Fatalf("apply: %v; want the install failed, its objects kept", err)
	}
	if !resp.NewState.IsNull() {
		t.Errorf("a failed adopting install is recorded: %#v", resp.NewState)
	}
	if l := helmList(t, cluster, ns); len(l) != 0 {
		t.Errorf("releases after the failed adopting install: %q", l)
	}
	if d := k.Get(kubetest.Deployments, ns, "web"); d == nil || d.GetUID() != created.GetUID() {
		t.Fatal("the adopted Deployment is gone")
	}
}
