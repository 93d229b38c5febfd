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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// End-to-end tests: the provider runs as a plugin process, talks to a
// real control plane (testbed), and each test works in its own namespace.

// fastRetry keeps retries of transient errors short in tests.
var fastRetry = cty.ObjectVal(map[string]cty.Value{
	"limit": cty.NumberIntVal(3), "backoff": cty.StringVal("100ms"),
	"factor": cty.NumberIntVal(2), "max_backoff": cty.StringVal("1s"),
})

func appConfigVal(attrs map[string]cty.Value) cty.Value {
	if _, ok := attrs["retry"]; !ok {
		attrs["retry"] = fastRetry
	}
	return appSchema.Object(attrs)
}

const webDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        envFrom: [{configMapRef: {name: settings}}]
        resources: {requests: {cpu: "0.1", memory: 32Mi}}
`

func TestAppLifecycle(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, cluster, log)
	const ns = "e2e-lifecycle"
	dir := sdktest.WriteTree(t, map[string]string{
		"kustomization.yaml": "resources: [deployment.yaml, service.yaml, configmap.yaml, secret.yaml]\n",
		"deployment.yaml":    strings.Replace(webDeployment, "REPLICAS", "1", 1),
		"service.yaml":       "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 80}]\n",
		"configmap.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: blue}\n",
		"secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {password: hunter2}\n",
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "prune": cty.True, "wait_timeout": cty.StringVal("90s"),
		"revision": cty.StringVal("1a2b3c4"),
	})
	const (
		deployID = "apps/v1 Deployment " + ns + "/web"
		cmID     = "v1 ConfigMap " + ns + "/settings"
		secretID = "v1 Secret " + ns + "/creds"
		svcID    = "v1 Service " + ns + "/web"
		nsID     = "v1 Namespace /" + ns
	)
	s := newSession(t, c)

	// Create: four objects and the namespace, the Secret's data masked.
	log.reset(t)
	plan := s.Plan(config)
	firstCost := log.read(t)
	t.Logf("first plan (cold discovery, nothing exists): %s\n  %s", firstCost, strings.Join(firstCost.lines, "\n  "))
	if diff := cmp.Diff([]string{deployID, svcID, cmID, secretID, nsID}, sdktest.Keys(plan.PlannedState.GetAttr("objects")), sortStrings); diff != "" {
		t.Fatalf("planned objects (-want +got):\n%s", diff)
	}
	secretData := cty.GetAttrPath("objects").GetAttr(secretID).GetAttr("data")
	if !slices.ContainsFunc(plan.SensitivePaths, secretData.Equals) {
		t.Errorf("plan's sensitive paths %#v lack the Secret's data", plan.SensitivePaths)
	}
	if got := plan.PlannedState.GetAttr("objects").GetAttr(deployID).GetAttr("spec").GetAttr("replicas"); !got.RawEquals(cty.NumberIntVal(1)) {
		t.Errorf("planned replicas = %#v, want 1", got)
	}
	resp, progress := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if !slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, "healthy; waiting for") }) {
		t.Errorf("no health progress among %q", progress)
	}
	if d := sdktest.DiffPaths(plan.PlannedState.GetAttr("objects"), resp.NewState.GetAttr("objects")); len(d) > 0 {
		t.Errorf("applied objects differ from the plan at %v", d)
	}
	if !slices.ContainsFunc(resp.SensitivePaths, secretData.Equals) {
		t.Errorf("apply's sensitive paths %#v lack the Secret's data", resp.SensitivePaths)
	}
	live := k.Get(kubetest.Deployments, ns, "web")
	if n, _, _ := unstructured.NestedInt64(live.Object, "status", "availableReplicas"); n != 1 {
		t.Fatalf("deployment has %d available replicas after a waiting apply, want 1", n)
	}

	// An object made by hand in the same namespace: never touched.
	hand := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "made-by-hand", "namespace": ns},
		"data":     map[string]any{"owner": "someone else"},
	}}
	hand, err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Create(t.Context(), hand, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// Nothing changed: refresh and plan are a no-op without a dry-run.
	log.reset(t)
	s.Refresh()
	refreshCost := log.read(t)
	log.reset(t)
	plan = s.Plan(config)
	planCost := log.read(t)
	t.Logf("no-op refresh: %s\n  %s", refreshCost, strings.Join(refreshCost.lines, "\n  "))
	t.Logf("no-op plan of 5 objects: %s\n  %s", planCost, strings.Join(planCost.lines, "\n  "))
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
		t.Errorf("no-op plan differs from state at %v", d)
	}
	if planCost.dryRuns != 0 || planCost.gets != 0 || planCost.rest != 0 {
		t.Errorf("no-op plan made per-object requests: %s", planCost)
	}
	if planCost.lists > 5 || refreshCost.lists > 5 || refreshCost.dryRuns+refreshCost.gets+refreshCost.rest != 0 {
		t.Errorf("want at most one LIST per kind (5): plan %s, refresh %s", planCost, refreshCost)
	}
	st := s.Status()
	if st.Sync != sdk.Synced || st.Health != sdk.Healthy || len(st.Objects) != 5 {
		t.Errorf("status = %s/%s with %d objects (%s), want Synced/Healthy with 5", st.Sync, st.Health, len(st.Objects), st.Message)
	}

	// replicas: 3 in the manifest shows exactly that field.
	writeFile(t, filepath.Join(dir, "deployment.yaml"), strings.Replace(webDeployment, "REPLICAS", "3", 1))
	s.Refresh()
	log.reset(t)
	plan = s.Plan(config)
	if d, want := sdktest.DiffPaths(s.State, plan.PlannedState), []string{`objects["` + deployID + `"].spec.replicas`}; !cmp.Equal(want, d) {
		t.Errorf("plan after replicas: 3 changes %v, want %v", d, want)
	}
	if cost := log.read(t); cost.dryRuns != 1 {
		t.Errorf("plan after changing one manifest: %s, want exactly 1 dry-run", cost)
	}
	resp, _ = s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if n, _, _ := unstructured.NestedInt64(k.Get(kubetest.Deployments, ns, "web").Object, "status", "availableReplicas"); n != 3 {
		t.Errorf("deployment has %d available replicas, want 3", n)
	}

	// Drift: `kubectl scale` behind slipway's back shows after refresh.
	_, err = k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "web", types.MergePatchType,
		[]byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "kubectl"}, "scale")
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Sync != sdk.OutOfSync {
		t.Errorf("status after kubectl scale = %s, want OutOfSync", st.Sync)
	}
	s.Refresh()
	if got := s.State.GetAttr("objects").GetAttr(deployID).GetAttr("spec").GetAttr("replicas"); !got.RawEquals(cty.NumberIntVal(5)) {
		t.Errorf("refreshed replicas = %#v, want 5", got)
	}
	plan = s.Plan(config)
	if d, want := sdktest.DiffPaths(s.State, plan.PlannedState), []string{`objects["` + deployID + `"].spec.replicas`}; !cmp.Equal(want, d) {
		t.Errorf("plan after drift changes %v, want %v", d, want)
	}
	resp, _ = s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if n, _, _ := unstructured.NestedInt64(k.Get(kubetest.Deployments, ns, "web").Object, "spec", "replicas"); n != 3 {
		t.Errorf("replicas after healing = %d, want 3", n)
	}

	// Removing the ConfigMap from the manifests prunes it.
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "resources: [deployment.yaml, service.yaml, secret.yaml]\n")
	writeFile(t, filepath.Join(dir, "deployment.yaml"), strings.Replace(strings.Replace(webDeployment, "REPLICAS", "3", 1),
		"        envFrom: [{configMapRef: {name: settings}}]\n", "", 1))
	s.Refresh()
	plan = s.Plan(config)
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); !slices.Contains(d, `objects["`+cmID+`"]`) {
		t.Errorf("plan after removing the ConfigMap changes %v, want it deleted", d)
	}
	if inv := stringList(plan.PlannedState.GetAttr("inventory")); slices.Contains(inv, cmID) {
		t.Errorf("planned inventory %v still holds the pruned ConfigMap", inv)
	}
	resp, _ = s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if k.Get(kubetest.ConfigMaps, ns, "settings") != nil {
		t.Error("the ConfigMap was not pruned")
	}

	// Destroy deletes the app's objects, and only them.
	s.Refresh()
	s.Destroy()
	for _, gone := range []struct {
		what string
		u    *unstructured.Unstructured
	}{
		{"deployment", k.Get(kubetest.Deployments, ns, "web")},
		{"service", k.Get(kubetest.Services, ns, "web")},
		{"secret", k.Get(kubetest.Secrets, ns, "creds")},
	} {
		if gone.u != nil {
			t.Errorf("the %s survived the app's deletion", gone.what)
		}
	}
	after := k.Get(kubetest.ConfigMaps, ns, "made-by-hand")
	if after == nil || after.GetResourceVersion() != hand.GetResourceVersion() {
		t.Errorf("the ConfigMap made by hand was touched: %v", after)
	}
	if k.Get(kubetest.Namespaces, "", ns) == nil {
		t.Error("the namespace create_namespace made was deleted with the app")
	}
}

func TestCRDAndCustomResourceInOneApp(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster, "")
	const ns = "e2e-crd"
	dir := sdktest.WriteTree(t, map[string]string{
		"crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.slipway.dev}
spec:
  group: e2e.slipway.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`,
		"widget.yaml": "apiVersion: e2e.slipway.dev/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n",
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("widgets"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		// Deleting a custom resource in the foreground waits for the
		// garbage collector to notice its new kind: up to 30s.
		"create_namespace": cty.True, "prune": cty.True, "wait_timeout": cty.StringVal("120s"),
	})
	const (
		crdID    = "apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.e2e.slipway.dev"
		widgetID = "e2e.slipway.dev/v1 Widget " + ns + "/w1"
	)
	s := newSession(t, c)
	plan := s.Plan(config)
	objs := plan.PlannedState.GetAttr("objects")
	if !objs.GetAttr(crdID).IsWhollyKnown() {
		t.Error("the CRD is not planned in full")
	}
	if objs.GetAttr(widgetID).IsKnown() {
		t.Errorf("the Widget, whose kind does not exist yet, is planned as %#v; want known after apply", objs.GetAttr(widgetID))
	}
	resp, _ := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if got := resp.NewState.GetAttr("objects").GetAttr(widgetID).GetAttr("spec").GetAttr("size"); !got.RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("applied Widget size = %#v, want 3", got)
	}
	s.Refresh()
	plan = s.Plan(config)
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
		t.Errorf("second plan changes %v, want none", d)
	}
	s.Destroy()
}

// TestNewAPIVersionIsTheSameObject: a manifest moved to another version
// of its API (here a CR from v1alpha1 to v1beta1, both served) names the
// object it named before. The inventory keys objects by version, and the
// old key was taken for an object that left the manifests: prune deleted
// what the same apply had just applied.
func TestNewAPIVersionIsTheSameObject(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	const ns = "e2e-versions"
	const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.e2e.slipway.dev}
spec:
  group: e2e.slipway.dev
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
  - name: v1alpha1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}
  - name: v1beta1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}
`
	dir := sdktest.WriteTree(t, map[string]string{
		"crd.yaml":    crd,
		"gadget.yaml": "apiVersion: e2e.slipway.dev/v1alpha1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: 3}\n",
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("gadgets"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "prune": cty.True, "wait_timeout": cty.StringVal("120s"),
	})
	gadgets := schema.GroupVersionResource{Group: "e2e.slipway.dev", Version: "v1beta1", Resource: "gadgets"}
	s := newSession(t, c)
	s.Sync(config)
	first := k.Get(gadgets, ns, "g1")
	if first == nil {
		t.Fatal("the Gadget was not applied")
	}

	writeFile(t, filepath.Join(dir, "gadget.yaml"), "apiVersion: e2e.slipway.dev/v1beta1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: 4}\n")
	s.Refresh()
	plan := s.Plan(config)
	const (
		oldID = "e2e.slipway.dev/v1alpha1 Gadget " + ns + "/g1"
		newID = "e2e.slipway.dev/v1beta1 Gadget " + ns + "/g1"
	)
	if inv := stringList(plan.PlannedState.GetAttr("inventory")); slices.Contains(inv, oldID) || !slices.Contains(inv, newID) {
		t.Errorf("planned inventory %v, want the Gadget under its new version alone", inv)
	}
	resp, _ := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	after := k.Get(gadgets, ns, "g1")
	if after == nil || after.GetUID() != first.GetUID() {
		t.Fatalf("after the apply the Gadget is %v; want the same object (uid %s), updated", after, first.GetUID())
	}
	if size, _, _ := unstructured.NestedInt64(after.Object, "spec", "size"); size != 4 {
		t.Errorf("the Gadget's size = %d, want 4", size)
	}
	s.Refresh()
	if d := sdktest.DiffPaths(s.State, s.Plan(config).PlannedState); len(d) > 0 {
		t.Errorf("the plan after changes %v, want none", d)
	}
	s.Destroy()
}

// TestObjectOfTwoAppsIsWarned: an object in the manifests of two apps is
// applied by both, each taking it over in turn, and destroying either
// deletes it. The plan of the second says so, as Argo CD's
// SharedResourceWarning does.
func TestObjectOfTwoAppsIsWarned(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster, "")
	const ns = "e2e-shared"
	dir := sdktest.WriteTree(t, map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {a: b}\n",
	})
	app := func(name string) cty.Value {
		return appConfigVal(map[string]cty.Value{
			"name": cty.StringVal(name), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
			"create_namespace": cty.True,
		})
	}
	alpha := newSession(t, c)
	resp, _ := alpha.Sync(app("alpha"))
	sdktest.CheckDiags(t, "apply of alpha", resp.Diagnostics)
	if got := fmt.Sprint(alpha.Plan(app("alpha")).Diagnostics); strings.Contains(got, "shared with another app") {
		t.Errorf("alpha's own object is warned as shared: %s", got)
	}
	plan := newSession(t, c).Plan(app("beta"))
	got := fmt.Sprint(plan.Diagnostics)
	if !strings.Contains(got, "Objects shared with another app") || !strings.Contains(got, `v1 ConfigMap `+ns+`/shared (app "alpha")`) {
		t.Errorf("the plan of beta, whose ConfigMap is alpha's, does not warn: %s", got)
	}
	alpha.Destroy()
}

// TestPruneLastObject: an object annotated PruneLast=true (Argo CD's sync
// option, per object) that left the manifests is pruned after the other
// objects are applied, where the other leftovers are pruned before; the
// annotation was accepted and ignored.
func TestPruneLastObject(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	const ns = "e2e-prune-last"
	dir := sdktest.WriteTree(t, map[string]string{
		"first.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\ndata: {a: b}\n",
		"last.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n  annotations: {argocd.argoproj.io/sync-options: PruneLast=true}\ndata: {a: b}\n",
		"stays.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stays}\ndata: {a: b}\n",
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("prunes"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "prune": cty.True,
	})
	s := newSession(t, c)
	s.Sync(config)
	for _, f := range []string{"first.yaml", "last.yaml"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "stays.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stays}\ndata: {a: c}\n")
	s.Refresh()
	resp, progress := s.Apply(config, s.Plan(config))
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	at := func(want string) int {
		return slices.IndexFunc(progress, func(l string) bool { return strings.Contains(l, want) })
	}
	first, last, applied := at("pruning v1 ConfigMap "+ns+"/first"), at("pruning v1 ConfigMap "+ns+"/last"), at("v1 ConfigMap "+ns+"/stays")
	if first < 0 || last < 0 || applied < 0 || !(first < applied && applied < last) {
		t.Errorf("pruning first at line %d, applying stays at %d, pruning last at %d; want first, then stays, then last:\n  %s", first, applied, last, strings.Join(progress, "\n  "))
	}
	for _, name := range []string{"first", "last"} {
		// Deleted in the foreground: gone once the garbage collector has
		// seen to it.
		if u := k.Get(kubetest.ConfigMaps, ns, name); u != nil && u.GetDeletionTimestamp() == nil {
			t.Errorf("the leftover %s was not pruned:\n  %s", name, strings.Join(progress, "\n  "))
		}
	}
	s.Destroy()
}

func TestPreSyncHookRunsFirst(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	const ns = "e2e-hook"
	dir := sdktest.WriteTree(t, map[string]string{
		"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n",
		"migrate.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {slipway.dev/hook: pre-sync}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, command: [sh, -c, "echo migrated"]}]
`,
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("hooked"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("60s"),
	})
	s := newSession(t, c)
	plan := s.Plan(config)
	resp, progress := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	hookDone := slices.Index(progress, "PreSync hook batch/v1 Job "+ns+"/migrate: succeeded")
	cmApplied := slices.Index(progress, "applying v1 ConfigMap "+ns+"/settings")
	if hookDone < 0 || cmApplied < 0 || hookDone > cmApplied {
		t.Errorf("want the hook complete before the ConfigMap is applied; progress:\n  %s", strings.Join(progress, "\n  "))
	}
	job := k.Get(kubetest.Jobs, ns, "migrate")
	if job == nil || !hasTrueCondition(job, "Complete") {
		t.Fatalf("the hook Job did not complete: %v", job)
	}
	cm := k.Get(kubetest.ConfigMaps, ns, "settings")
	completed, _, _ := unstructured.NestedString(job.Object, "status", "completionTime")
	if done, err := time.Parse(time.RFC3339, completed); err != nil || done.After(cm.GetCreationTimestamp().Time) {
		t.Errorf("hook completed at %s, after the ConfigMap was created at %s", completed, cm.GetCreationTimestamp())
	}
	if slices.Contains(sdktest.Keys(resp.NewState.GetAttr("objects")), "batch/v1 Job "+ns+"/migrate") {
		t.Error("the hook is recorded among the app's objects")
	}

	// An object deleted by hand leaves `objects`; the app stays in state.
	if err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Delete(t.Context(), "settings", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	if s.State.IsNull() || slices.Contains(sdktest.Keys(s.State.GetAttr("objects")), "v1 ConfigMap "+ns+"/settings") {
		t.Errorf("after deleting the ConfigMap by hand, refreshed objects = %v", sdktest.Keys(s.State.GetAttr("objects")))
	}
	s.Destroy()
	if k.Get(kubetest.Jobs, ns, "migrate") != nil {
		t.Error("the hook Job survived the app's deletion")
	}
}

// TestAdoptDeletesArgoCDsLastHookRun: Argo CD's default delete policy,
// BeforeHookCreation, leaves the last run of a named hook in the cluster.
// An app that adopts the Application's objects takes that run, by Argo
// CD's tracking label or annotation, for the previous run of its own hook,
// and deletes it before its first run, as Argo CD would have. A Job of the
// same name without the Application's tracking, or any Job when the app
// does not adopt, stops the apply at the hook, as before.
func TestAdoptDeletesArgoCDsLastHookRun(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	const ns = "e2e-hook-adopt"
	k.CreateNamespace(ns)
	dir := sdktest.WriteTree(t, map[string]string{
		"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n",
		"migrate.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {argocd.argoproj.io/hook: PreSync}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, command: [sh, -c, "echo migrated"]}]
`,
	})
	attrs := func(adopt bool) map[string]cty.Value {
		a := map[string]cty.Value{
			"name": cty.StringVal("web"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
			"wait_timeout": cty.StringVal("60s"),
		}
		if adopt {
			a["adopt"] = cty.ObjectVal(map[string]cty.Value{builtin.AdoptFrom: cty.StringVal("argocd"), builtin.AdoptName: cty.StringVal("web")})
		}
		return a
	}
	adopting, plain := appConfigVal(attrs(true)), appConfigVal(attrs(false))
	jobs := k.Dynamic.Resource(kubetest.Jobs).Namespace(ns)
	patch := func(p string) {
		t.Helper()
		if _, err := jobs.Patch(t.Context(), "migrate", types.MergePatchType, []byte(p), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	uid := func() types.UID {
		t.Helper()
		job := k.Get(kubetest.Jobs, ns, "migrate")
		if job == nil {
			t.Fatal("Job migrate does not exist")
		}
		return job.GetUID()
	}
	// refused applies the app from nothing (a first apply) and wants it
	// stopped at the hook, with the leftover Job and nothing else in place.
	refused := func(what string, config cty.Value) {
		t.Helper()
		before := uid()
		s := newSession(t, c)
		resp, progress := s.Apply(config, s.Plan(config))
		err := resp.Diagnostics.Err()
		if err == nil || !strings.Contains(err.Error(), `migrate exists and is not app "web"'s`) {
			t.Errorf("%s: apply error = %v, want the hook refused; progress:\n  %s", what, err, strings.Join(progress, "\n  "))
		}
		t.Logf("%s: %v", what, err)
		if after := uid(); after != before {
			t.Errorf("%s: the Job was replaced (UID %s -> %s)", what, before, after)
		}
		if k.Get(kubetest.ConfigMaps, ns, "settings") != nil {
			t.Errorf("%s: the ConfigMap was applied after the hook was refused", what)
		}
	}
	// replaced applies the app with adopt from nothing and wants the
	// leftover Job replaced by a completed run of slipway's.
	replaced := func(what string) *sdktest.Session {
		t.Helper()
		before := uid()
		s := newSession(t, c)
		resp, progress := s.Apply(adopting, s.Plan(adopting))
		sdktest.CheckDiags(t, what+": apply", resp.Diagnostics)
		t.Logf("%s: progress:\n  %s", what, strings.Join(progress, "\n  "))
		if !slices.ContainsFunc(progress, func(p string) bool {
			return strings.HasPrefix(p, "PreSync hook batch/v1 Job "+ns+"/migrate: deleting the previous run migrate")
		}) ||
			!slices.Contains(progress, "PreSync hook batch/v1 Job "+ns+"/migrate: succeeded") {
			t.Errorf("%s: want the previous run deleted and the hook run; progress:\n  %s", what, strings.Join(progress, "\n  "))
		}
		job := k.Get(kubetest.Jobs, ns, "migrate")
		if job == nil || job.GetUID() == before || !hasTrueCondition(job, "Complete") {
			t.Fatalf("%s: want a new, complete run of the hook (the old one was %s), got %v", what, before, job)
		}
		if l := job.GetLabels(); !ownedBy(job, "web") || l["app.kubernetes.io/instance"] != "" {
			t.Errorf("%s: the new run's labels are %v, want slipway's and not Argo CD's", what, l)
		}
		if _, ok := job.GetAnnotations()["argocd.argoproj.io/tracking-id"]; ok {
			t.Errorf("%s: the new run has Argo CD's tracking annotation", what)
		}
		if k.Get(kubetest.ConfigMaps, ns, "settings") == nil {
			t.Errorf("%s: the ConfigMap was not applied", what)
		}
		return s
	}

	// A Job named as the hook, without Argo CD's tracking: not the
	// Application's, so not the hook's previous run.
	job := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": "migrate", "annotations": map[string]any{"argocd.argoproj.io/hook": "PreSync"}},
		"spec": map[string]any{"backoffLimit": int64(0), "template": map[string]any{"spec": map[string]any{
			"restartPolicy": "Never",
			"containers":    []any{map[string]any{"name": "migrate", "image": "busybox", "command": []any{"sh", "-c", "echo argo"}}},
		}}},
	}}
	if _, err := jobs.Create(t.Context(), job, metav1.CreateOptions{FieldManager: "argocd-controller"}); err != nil {
		t.Fatal(err)
	}
	refused("a Job without tracking", adopting)
	patch(`{"metadata": {"labels": {"app.kubernetes.io/instance": "other"}}}`)
	refused("a Job of another Application", adopting)

	// As Argo CD leaves it with label tracking: refused without adopt,
	// replaced with it.
	patch(`{"metadata": {"labels": {"app.kubernetes.io/instance": "web"}}}`)
	refused("Argo CD's run without adopt", plain)
	replaced("Argo CD's run, label tracking")

	// As Argo CD leaves it with annotation tracking (slipway's run made to
	// look like Argo CD's): replaced too.
	patch(`{"metadata": {"labels": {"app.kubernetes.io/managed-by": null, "slipway.dev/app": null},
		"annotations": {"argocd.argoproj.io/tracking-id": "web:batch/Job:` + ns + `/migrate"}}}`)
	s := replaced("Argo CD's run, annotation tracking")

	s.Destroy()
	if k.Get(kubetest.Jobs, ns, "migrate") != nil || k.Get(kubetest.ConfigMaps, ns, "settings") != nil {
		t.Error("the app's objects survived its deletion")
	}
}

func TestWaitTimeoutNamesUnhealthyObject(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster, "")
	const ns = "e2e-wait"
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      nodeSelector: {e2e.slipway.dev/no-such-node: "true"}
      containers: [{name: app, image: nginx}]
`,
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("stuck"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("5s"),
	})
	s := newSession(t, c)
	resp, _ := s.Apply(config, s.Plan(config))
	err := resp.Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), "apps/v1 Deployment "+ns+"/stuck") || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("apply error = %v, want a timeout naming the Deployment", err)
	}
	t.Logf("timeout diagnostic: %v", err)
	if !slices.Contains(sdktest.Keys(resp.NewState.GetAttr("objects")), "apps/v1 Deployment "+ns+"/stuck") {
		t.Errorf("the failed apply did not record the applied Deployment: %v", sdktest.Keys(resp.NewState.GetAttr("objects")))
	}
	s.Destroy()
}

// TestBatchPlanCostsOneListPerKindAndNamespace holds a batch's refresh
// and plan to their LISTs: three apps in three namespaces (at most
// namespaceLists, so LISTed one by one) cost a LIST of Namespaces and one
// of each other kind in each namespace, whatever the number of objects
// (of metadata for the refresh), and the plan after the refresh costs
// nothing more.
func TestBatchPlanCostsOneListPerKindAndNamespace(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, cluster, log)
	var configs []cty.Value
	for _, n := range []string{"a", "b", "c"} {
		files := map[string]string{
			"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: dg==}\n",
			"hpa-target.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: scaled}
spec:
  replicas: 2
  selector: {matchLabels: {app: scaled}}
  template:
    metadata: {labels: {app: scaled}}
    spec: {containers: [{name: app, image: nginx}]}
`,
		}
		for i := range 10 {
			files[filepath.Join("config", string(rune('a'+i))+".yaml")] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + string(rune('a'+i)) + "}\ndata: {k: v}\n"
		}
		configs = append(configs, appConfigVal(map[string]cty.Value{
			"name": cty.StringVal("batch-" + n), "manifests_dir": cty.StringVal(sdktest.WriteTree(t, files)),
			"namespace": cty.StringVal("e2e-batch-" + n), "create_namespace": cty.True, "prune": cty.True,
			// The replicas belong to an autoscaler: neither applied nor compared.
			"ignore_differences": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"group": cty.StringVal("apps"), "kind": cty.StringVal("Deployment"),
				"name": cty.NullVal(cty.String), "namespace": cty.NullVal(cty.String),
				"json_pointers": cty.ListVal([]cty.Value{cty.StringVal("/spec/replicas")}),
			})}),
		}))
	}
	sessions := make([]*sdktest.Session, len(configs))
	for i, config := range configs {
		sessions[i] = newSession(t, c)
		sessions[i].Sync(config)
	}
	// The autoscaler scales one of them: ignored, so still no change.
	k := kubetest.New(t, cluster)
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace("e2e-batch-a").Patch(t.Context(), "scaled", types.MergePatchType,
		[]byte(`{"spec":{"replicas":4}}`), metav1.PatchOptions{FieldManager: "kube-controller-manager"}, "scale"); err != nil {
		t.Fatal(err)
	}

	reads := make([]sdk.ReadRequest, len(sessions))
	for i, s := range sessions {
		reads[i] = sdk.ReadRequest{Address: "app.batch", TypeName: "kubernetes_app", State: s.State, Private: s.Private}
	}
	log.reset(t)
	readResps, err := c.Read(t.Context(), reads)
	if err != nil {
		t.Fatal(err)
	}
	refreshCost := log.read(t)
	plans := make([]sdk.PlanRequest, len(sessions))
	for i, s := range sessions {
		sdktest.CheckDiags(t, "read", readResps[i].Diagnostics)
		s.State = readResps[i].NewState
		plans[i] = sdk.PlanRequest{Address: "app.batch", TypeName: "kubernetes_app", Config: configs[i], PriorState: s.State, PriorPrivate: s.Private}
	}
	// A plan as slipway asks for it after that refresh: the prior
	// states as recorded, which the provider plans from their private
	// records alone.
	asRecorded := make([]sdk.PlanRequest, len(plans))
	for i, p := range plans {
		p.PriorAsRecorded = true
		asRecorded[i] = p
	}
	log.reset(t)
	planResps, err := c.Plan(t.Context(), asRecorded)
	if err != nil {
		t.Fatal(err)
	}
	planCost := log.read(t)
	t.Logf("no-op refresh of 3 apps x 13 objects: %s\n  %s", refreshCost, strings.Join(refreshCost.lines, "\n  "))
	t.Logf("no-op plan of 3 apps x 13 objects: %s\n  %s", planCost, strings.Join(planCost.lines, "\n  "))
	for i, r := range planResps {
		sdktest.CheckDiags(t, "plan", r.Diagnostics)
		if !r.Unchanged {
			t.Errorf("app %d: the plan from the private record is not unchanged", i)
		}
	}
	// Namespaces cluster-wide, and ConfigMaps, Secrets and Deployments in
	// each of the three namespaces: ten LISTs of metadata, by the
	// refresh; the plan after it asks the server nothing.
	const lists = 1 + 3*3
	if refreshCost.lists != lists || refreshCost.metaLists != lists || refreshCost.dryRuns+refreshCost.gets+refreshCost.rest != 0 {
		t.Errorf("no-op batch refresh: %s, want %d LISTs of metadata and nothing else", refreshCost, lists)
	}
	if planCost.lists+planCost.dryRuns+planCost.gets+planCost.rest != 0 {
		t.Errorf("no-op batch plan after a refresh: %s, want no request", planCost)
	}
	// A plan in full (the prior states sent, as when the configuration
	// changed) LISTs the objects it compares, whether a refresh came
	// before it or not: the refresh read their metadata alone.
	log.reset(t)
	planResps, err = c.Plan(t.Context(), plans)
	if err != nil {
		t.Fatal(err)
	}
	planCost = log.read(t)
	for i, r := range planResps {
		sdktest.CheckDiags(t, "plan", r.Diagnostics)
		if d := sdktest.DiffPaths(sessions[i].State, r.PlannedState); len(d) > 0 {
			t.Errorf("app %d: no-op plan without refresh changes %v", i, d)
		}
	}
	if planCost.lists != lists || planCost.dryRuns+planCost.gets+planCost.rest != 0 {
		t.Errorf("no-op batch plan without refresh: %s, want %d LISTs and nothing else", planCost, lists)
	}

	// The status of the three apps in one call costs the refresh's
	// LISTs, and says of each what asking about it alone says: the same
	// objects, each in sync or not alike. (Health is left out: the
	// Deployments' pods are still coming up, between one call and the
	// next.)
	statuses := make([]sdk.StatusRequest, len(sessions))
	for i, s := range sessions {
		statuses[i] = sdk.StatusRequest{Address: "app.batch", TypeName: "kubernetes_app", State: s.State, Private: s.Private}
	}
	log.reset(t)
	together, err := c.Status(t.Context(), statuses)
	if err != nil {
		t.Fatal(err)
	}
	statusCost := log.read(t)
	if statusCost.lists != lists || statusCost.dryRuns+statusCost.gets+statusCost.rest != 0 {
		t.Errorf("status of 3 apps: %s, want %d LISTs and nothing else", statusCost, lists)
	}
	for i, st := range statuses {
		alone, err := c.Status(t.Context(), []sdk.StatusRequest{st})
		if err != nil {
			t.Fatal(err)
		}
		sdktest.CheckDiags(t, "status", together[i].Diagnostics)
		if together[i].Sync != sdk.Synced || len(together[i].Objects) != 13 {
			t.Errorf("app %d: %s with %d objects (%s), want Synced with 13", i, together[i].Sync, len(together[i].Objects), together[i].Message)
		}
		if d := cmp.Diff(syncOf(alone[0]), syncOf(together[i])); d != "" {
			t.Errorf("app %d: status asked with the others differs from asked alone (-alone +together):\n%s", i, d)
		}
	}

	// An app the refresh finds changed by hand (a ConfigMap's data,
	// edited by another manager) is read in full after the LISTs of
	// metadata, with LISTs of its own in its namespace; its plan in full
	// after that refresh compares against them and asks nothing more.
	if _, err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace("e2e-batch-b").Patch(t.Context(), "cm-a", types.MergePatchType,
		[]byte(`{"data":{"k":"edited by hand"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	log.reset(t)
	readResps, err = c.Read(t.Context(), reads)
	if err != nil {
		t.Fatal(err)
	}
	refreshCost = log.read(t)
	for i, r := range readResps {
		sdktest.CheckDiags(t, "read", r.Diagnostics)
		if drifted := r.NewState != cty.NilVal && !r.Unchanged; drifted != (i == 1) {
			t.Errorf("app %d: the refresh after an edit by hand says changed %v, want %v", i, drifted, i == 1)
		}
	}
	// The ten LISTs of metadata, then Namespaces and ConfigMaps, Secrets
	// and Deployments in e2e-batch-b.
	if refreshCost.lists != lists+4 || refreshCost.metaLists != lists || refreshCost.dryRuns+refreshCost.gets+refreshCost.rest != 0 {
		t.Errorf("refresh of a changed app: %s, want %d LISTs of metadata, 4 of objects and nothing else", refreshCost, lists)
	}
	drifted := plans[1]
	drifted.PriorState = readResps[1].NewState
	log.reset(t)
	planResps, err = c.Plan(t.Context(), []sdk.PlanRequest{drifted})
	if err != nil {
		t.Fatal(err)
	}
	planCost = log.read(t)
	sdktest.CheckDiags(t, "plan", planResps[0].Diagnostics)
	if planCost.lists+planCost.gets+planCost.rest != 0 {
		t.Errorf("plan of the changed app after its refresh: %s, want no LIST", planCost)
	}
	for _, s := range sessions {
		s.Destroy()
	}
}

// syncOf is what a status says of sync: the app's, and each object's by
// ID, with the diagnostics.
func syncOf(r sdk.StatusResponse) []string {
	out := []string{"app " + r.Sync, fmt.Sprint(r.Diagnostics)}
	for _, o := range r.Objects {
		out = append(out, o.ID+" "+o.Sync)
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})
