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
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// TestWaitsWatchTheCluster applies several apps that wait for health, in
// one batch, and checks what the waits cost and how soon they end:
//
//   - the waits LIST each kind at most once, whatever the number of apps
//     (one watch per kind for the provider process), watch no ConfigMap
//     (healthy once applied), and a second apply in the same process
//     LISTs nothing;
//   - the provider polls only every hour here (pollEnv), longer than the
//     wait may last, so only the watches can end the waits: they end
//     about when the test's own watch sees every Deployment healthy;
//   - each app says once that it only waits (sdk.ApplyRequest.Waiting),
//     before its result;
//   - a re-apply of one changed ConfigMap per app applies those ConfigMaps
//     and nothing else: the objects the plan found unchanged are not
//     applied again.
func TestWaitsWatchTheCluster(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, cluster, log, pollEnv+"=1h")
	// More apps than the provider watches namespace by namespace (8):
	// the first namespaces' waits watch their own namespace, the others
	// share one watch across the cluster.
	const apps = 10
	const scoped = 8
	// minReadySeconds keeps the Deployments from being available at once,
	// so there is a wait to measure.
	deployment := strings.Replace(strings.Replace(webDeployment, "REPLICAS", "1", 1), "spec:\n  replicas:", "spec:\n  minReadySeconds: 3\n  replicas:", 1)
	dirs := make([]string, apps)
	configs := make([]cty.Value, apps)
	for i := range apps {
		dirs[i] = sdktest.WriteTree(t, map[string]string{
			"deployment.yaml": deployment,
			"configmap.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {release: \"1\"}\n",
		})
		configs[i] = appConfigVal(map[string]cty.Value{
			"name": cty.StringVal(fmt.Sprintf("watched-%d", i)), "manifests_dir": cty.StringVal(dirs[i]),
			"namespace": cty.StringVal(fmt.Sprintf("e2e-watch-%d", i)), "create_namespace": cty.True,
			"wait_timeout": cty.StringVal("120s"),
		})
	}

	// The test's own watch: when every Deployment is healthy.
	ready := watchDeploymentsHealthy(t, k, apps)

	states := make([]cty.Value, apps)
	privates := make([][]byte, apps)
	// round plans and applies every app in one batch, and returns the
	// requests of the apply, when it began and how long it took.
	round := func(what string) (requests, time.Time, time.Duration) {
		t.Helper()
		reqs := make([]sdk.PlanRequest, apps)
		for i := range apps {
			reqs[i] = sdk.PlanRequest{Address: "app.watched", TypeName: "kubernetes_app", Config: configs[i],
				PriorState: states[i], PriorPrivate: privates[i]}
			if reqs[i].PriorState == cty.NilVal {
				reqs[i].PriorState = cty.NullVal(appSchema.ImpliedType())
			}
		}
		applies := plannedApplies(t, c, what, reqs)
		log.reset(t)
		waiting := make([]int, apps)
		start := time.Now()
		err := c.Apply(t.Context(), applies, func(ev host.ApplyEvent) {
			switch {
			case ev.Waiting:
				waiting[ev.Index]++
			case ev.Done:
				sdktest.CheckDiags(t, what+" apply", ev.Response.Diagnostics)
				if waiting[ev.Index] != 1 {
					t.Errorf("%s: app %d said %d times that it only waits before its result, want once", what, ev.Index, waiting[ev.Index])
				}
				states[ev.Index], privates[ev.Index] = ev.Response.NewState, ev.Response.Private
			}
		})
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		cost := log.read(t)
		t.Logf("%s of %d apps with a wait: %s in %s\n  %s", what, apps, cost, elapsed, strings.Join(cost.lines, "\n  "))
		return cost, start, elapsed
	}

	first, start, took := round("first apply")
	readyAfter := (<-ready).Sub(start)
	// LISTs and WATCHes start the Deployments' informers: in the first
	// apps' namespaces, then across the cluster; per kind, not per app.
	// (Namespaces and ConfigMaps are healthy in their apply's answer.)
	informers := scoped + 1
	if first.lists > informers || first.watches > 2*informers {
		t.Errorf("first apply of %d apps: %s; want at most %d LISTs and %d WATCHes (informers of Deployments in %d namespaces and across the cluster)", apps, first, informers, 2*informers, scoped)
	}
	checkInformerScopes(t, "first apply", first, "deployments", scoped)
	if first.lists+first.watches == 0 {
		t.Errorf("first apply: %s; the waits neither LISTed nor watched", first)
	}
	// A ConfigMap is healthy once it exists: its apply response ends its
	// wait, and nothing watches ConfigMaps.
	for _, line := range first.lines {
		if strings.Contains(line, "/configmaps?") && strings.Contains(line, "watch=true") {
			t.Errorf("first apply watched ConfigMaps, which are healthy once applied: %s", line)
		}
	}
	// The provider polls every hour, so only events ended the waits: within
	// a small margin of the moment the test's own watch saw them healthy.
	if took > 2*readyAfter {
		t.Errorf("the waits ended %s after the apply began, while every Deployment was healthy after %s: more than twice as long", took, readyAfter)
	}

	// One changed ConfigMap per app: that is all apply writes.
	for i := range apps {
		writeFile(t, filepath.Join(dirs[i], "configmap.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {release: \"2\"}\n")
	}
	again, _, _ := round("re-apply")
	if again.applies != apps {
		t.Errorf("re-apply of one changed ConfigMap in each of %d apps: %s; want exactly %d applies", apps, again, apps)
	}
	// The objects the plan found unchanged are not applied, so their
	// waits watch them: a kind the first apply did not need to watch may
	// start its informer now, once, not once per app.
	// (The Namespaces, unchanged, are watched now: by name for the first
	// apps, then across the cluster.)
	if again.lists != 0 || again.watches > scoped+1 {
		t.Errorf("re-apply in the same process: %s; want no LIST and at most %d WATCHes (the informers run)", again, scoped+1)
	}
	checkInformerScopes(t, "re-apply", again, "namespaces", scoped)
	for i := range apps {
		cm := k.Get(kubetest.ConfigMaps, fmt.Sprintf("e2e-watch-%d", i), "settings")
		if got, _, _ := unstructured.NestedString(cm.Object, "data", "release"); got != "2" {
			t.Errorf("app %d: ConfigMap release = %q after the re-apply, want 2", i, got)
		}
	}
	// The state after the re-apply is what the next plan expects.
	for i := range apps {
		s := newSession(t, c)
		s.State, s.Private = states[i], privates[i]
		if d := sdktest.DiffPaths(s.State, s.Plan(configs[i]).PlannedState); len(d) > 0 {
			t.Errorf("app %d: plan after the re-apply changes %v", i, d)
		}
		s.Destroy()
	}
}

// checkInformerScopes checks where the informers of resource (plural,
// "deployments") started in reqs (with a LIST, or a WATCH that sends the
// initial objects): for 1 to scoped namespaces (in a namespace, or a
// cluster-scoped object by name), and at most once across the cluster.
func checkInformerScopes(t *testing.T, what string, reqs requests, resource string, scoped int) {
	t.Helper()
	alone, across := map[string]bool{}, 0
	for _, line := range reqs.lines {
		if !strings.HasPrefix(line, "GET ") || !strings.Contains(line, "limit=") && !strings.Contains(line, "sendInitialEvents=true") {
			continue
		}
		path, query, _ := strings.Cut(line[len("GET "):], "?")
		if path[strings.LastIndexByte(path, '/')+1:] != resource {
			continue
		}
		if _, ns, ok := strings.Cut(path, "/namespaces/"); ok {
			alone[strings.SplitN(ns, "/", 2)[0]] = true
		} else if _, name, ok := strings.Cut(query, "fieldSelector=metadata.name%3D"); ok {
			alone[strings.SplitN(name, "&", 2)[0]] = true
		} else {
			across++
		}
	}
	if len(alone) == 0 || len(alone) > scoped || across > 1 {
		t.Errorf("%s started %s informers for %d namespaces (%v) and %d across the cluster; want for 1 to %d, and at most one across it", what, resource, len(alone), alone, across, scoped)
	}
}

// watchDeploymentsHealthy watches the Deployments slipway manages in the
// namespaces e2e-watch-N and sends the time at which the n of them were
// first all healthy.
func watchDeploymentsHealthy(t *testing.T, k *kubetest.Client, n int) <-chan time.Time {
	t.Helper()
	w, err := k.Dynamic.Resource(kubetest.Deployments).Watch(t.Context(), metav1.ListOptions{LabelSelector: managedSelector})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan time.Time, 1)
	var once sync.Once
	t.Cleanup(w.Stop)
	go func() {
		healthy := map[string]bool{}
		for ev := range w.ResultChan() {
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok || !strings.HasPrefix(u.GetNamespace(), "e2e-watch-") {
				continue
			}
			h, _ := kube.HealthOf(u)
			healthy[u.GetNamespace()] = ev.Type != watch.Deleted && h == sdk.Healthy
			count := 0
			for _, ok := range healthy {
				if ok {
					count++
				}
			}
			if count == n {
				once.Do(func() { out <- time.Now() })
			}
		}
	}()
	return out
}

// TestWaitPollsWhatItCannotWatch runs the provider as a service account
// that may only work with Pods of one namespace. The wait watches them in
// that namespace (never across the cluster, which it may not), and ends
// as soon as they are healthy. With watch not allowed there either, it
// polls them in that namespace instead, and still ends. (A Pod, because
// it is not healthy when applied: a ConfigMap's apply response ends its
// wait.)
func TestWaitPollsWhatItCannotWatch(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	for _, tc := range []struct {
		ns    string
		verbs []string
		watch bool // the wait watches the Pods, or else polls them
	}{
		{"e2e-watch-namespaced", []string{"*"}, true},
		{"e2e-watch-forbidden", []string{"get", "list", "create", "update", "patch", "delete"}, false},
	} {
		t.Run(tc.ns, func(t *testing.T) {
			t.Parallel()
			k.CreateNamespace(tc.ns)
			kubeconfig := namespacedAccount(t, cluster, tc.ns, tc.verbs, "pods")
			log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
			c := startProvider(t, &testbed.Cluster{Kubeconfig: kubeconfig}, log)
			dir := sdktest.WriteTree(t, map[string]string{
				"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: worker}\nspec: {containers: [{name: app, image: registry.example/app:1.0.0}]}\n",
			})
			config := appConfigVal(map[string]cty.Value{
				"name": cty.StringVal("confined"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(tc.ns),
				"wait_timeout": cty.StringVal("60s"),
			})
			s := newSession(t, c)
			plan := s.Plan(config)
			log.reset(t)
			resp, progress := s.Apply(config, plan)
			sdktest.CheckDiags(t, "apply", resp.Diagnostics)
			cost := log.read(t)
			t.Logf("apply as a service account confined to %s: %s\n  %s\nprogress:\n  %s", tc.ns, cost, strings.Join(cost.lines, "\n  "), strings.Join(progress, "\n  "))
			polled, watched := false, false
			for _, l := range cost.lines {
				if strings.HasPrefix(l, "GET /api/v1/pods?") {
					t.Errorf("the wait asked for Pods across the cluster, which it need not and may not: %s", l)
				}
				inNS := strings.HasPrefix(l, "GET /api/v1/namespaces/"+tc.ns+"/pods?")
				polled = polled || inNS && strings.Contains(l, "limit=")
				watched = watched || inNS && strings.Contains(l, "watch=true")
			}
			if tc.watch && !watched {
				t.Errorf("the wait did not watch the Pods of %s, which it may: %s", tc.ns, cost)
			}
			if !tc.watch && !polled {
				t.Errorf("the wait did not LIST the Pods of %s, which it may not watch: %s", tc.ns, cost)
			}
			s.Destroy()
		})
	}
}

// namespacedAccount makes a service account that may do verbs with the
// resources named in namespace ns and nothing else, and returns a
// kubeconfig for it.
func namespacedAccount(t *testing.T, cluster *testbed.Cluster, ns string, verbs []string, resources ...string) string {
	t.Helper()
	ctx := t.Context()
	admin, err := kubernetes.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "slipway"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: resources, Verbs: verbs}},
	}
	if _, err := admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "slipway"}}
	if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "slipway"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: ns}},
	}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expiry := int64(3600)
	tr, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["testbed"] = &clientcmdapi.Cluster{Server: cluster.Config.Host, CertificateAuthorityData: cluster.Config.CAData}
	kc.AuthInfos["slipway"] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["slipway"] = &clientcmdapi.Context{Cluster: "testbed", AuthInfo: "slipway", Namespace: ns}
	kc.CurrentContext = "slipway"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUnchangedObjectDeletedAfterThePlan: apply does not apply an object
// the plan found unchanged; when someone deletes it between plan and
// apply, the wait says so at once instead of waiting for its timeout, and
// the next plan creates it again.
func TestUnchangedObjectDeletedAfterThePlan(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, cluster, log)
	const ns = "e2e-kept-deleted"
	cm := func(name, value string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {v: \"" + value + "\"}\n"
	}
	dir := sdktest.WriteTree(t, map[string]string{"kept.yaml": cm("kept", "1"), "changed.yaml": cm("changed", "1")})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("kept"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("10m"),
	})
	s := newSession(t, c)
	s.Sync(config)

	writeFile(t, filepath.Join(dir, "changed.yaml"), cm("changed", "2"))
	plan := s.Plan(config)
	if err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Delete(t.Context(), "kept", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	log.reset(t)
	resp, progress := s.Apply(config, plan)
	cost := log.read(t)
	t.Logf("apply: %s\n  %s\nprogress:\n  %s", cost, strings.Join(cost.lines, "\n  "), strings.Join(progress, "\n  "))
	err := resp.Diagnostics.Err()
	if err == nil || !strings.Contains(err.Error(), "v1 ConfigMap "+ns+"/kept was deleted after the plan") {
		t.Fatalf("apply error = %v, want one saying the unchanged ConfigMap was deleted after the plan", err)
	}
	if cost.applies != 1 {
		t.Errorf("apply: %s; want 1 apply, of the changed ConfigMap only", cost)
	}
	s.Refresh()
	plan = s.Plan(config)
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); !slices.Contains(d, `objects["v1 ConfigMap `+ns+`/kept"]`) {
		t.Errorf("the plan after the failed apply changes %v; want the deleted ConfigMap created again", d)
	}
	resp, _ = s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if k.Get(kubetest.ConfigMaps, ns, "kept") == nil {
		t.Error("the ConfigMap deleted after the plan was not created again by the next apply")
	}
	s.Destroy()
}

// TestWaitingOnlyWithNothingLeftToWrite: an app says it only waits
// (sdk.ApplyRequest.Waiting, which gives its parallelism slot to another
// change) only when nothing is left to write whatever the wait ends in:
// not while a SyncFail hook would run if the wait failed, nor, on
// destroy, while a PostDelete hook is to run once the objects are gone.
// Both hooks run, without the app having said so.
func TestWaitingOnlyWithNothingLeftToWrite(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, requestLog(filepath.Join(t.TempDir(), "requests.log")))
	job := func(name, hook string) string {
		return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n  annotations:\n    argocd.argoproj.io/hook: " + hook +
			"\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - {name: run, image: registry.example/run:1}\n"
	}
	// minReadySeconds longer than the wait: the wait fails.
	deployment := strings.Replace(strings.Replace(webDeployment, "REPLICAS", "1", 1), "spec:\n  replicas:", "spec:\n  minReadySeconds: 300\n  replicas:", 1)
	dir := sdktest.WriteTree(t, map[string]string{
		"deployment.yaml": deployment,
		"failed.yaml":     job("on-failure", "SyncFail"),
		"cleanup.yaml":    job("cleanup", "PostDelete"),
	})
	const ns = "e2e-hook-slot"
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("hook-slot"), "manifests_dir": cty.StringVal(dir),
		"namespace": cty.StringVal(ns), "create_namespace": cty.True, "wait_timeout": cty.StringVal("2s"),
	})
	// apply plans config against prior and applies it, and returns the
	// response and how many times the app said it only waits.
	apply := func(what string, config, prior cty.Value, private []byte) (sdk.ApplyResponse, int) {
		t.Helper()
		plans, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "app.hook", TypeName: "kubernetes_app", Config: config, PriorState: prior, PriorPrivate: private}})
		if err != nil {
			t.Fatal(err)
		}
		sdktest.CheckDiags(t, what+" plan", plans[0].Diagnostics)
		var resp sdk.ApplyResponse
		waiting := 0
		err = c.Apply(t.Context(), []sdk.ApplyRequest{{Address: "app.hook", TypeName: "kubernetes_app", Config: config,
			PriorState: prior, PlannedState: plans[0].PlannedState, PlannedPrivate: plans[0].PlannedPrivate}}, func(ev host.ApplyEvent) {
			switch {
			case ev.Waiting:
				waiting++
			case ev.Done:
				resp = *ev.Response
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp, waiting
	}
	resp, waiting := apply("apply", config, cty.NullVal(appSchema.ImpliedType()), nil)
	if resp.Diagnostics.Err() == nil {
		t.Fatal("the apply whose wait cannot succeed succeeded")
	}
	if waiting != 0 {
		t.Errorf("the app with a SyncFail hook said %d times that it only waits; want never", waiting)
	}
	k.Get(kubetest.Jobs, ns, "on-failure") // the SyncFail hook ran
	resp, waiting = apply("destroy", cty.NullVal(appSchema.ImpliedType()), resp.NewState, resp.Private)
	sdktest.CheckDiags(t, "destroy", resp.Diagnostics)
	if waiting != 0 {
		t.Errorf("the destroy of an app with a PostDelete hook said %d times that it only waits; want never", waiting)
	}
	k.Get(kubetest.Jobs, ns, "cleanup") // the PostDelete hook ran
}

// TestDeletionWaitsWatchTheCluster destroys several apps in one batch
// whose ConfigMaps a finalizer holds, so that every app waits for its
// objects to go, and checks that the waits watch: while the objects are
// held, the provider makes no LIST at all (on the code before, each app
// LISTed what it waited for every second), and once the finalizers are
// taken off, the waits end though the provider polls only every hour
// (pollEnv): only the watches can end them. Every app's ConfigMap is
// gone from the cluster at the end.
func TestDeletionWaitsWatchTheCluster(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, cluster, log, pollEnv+"=1h")
	const apps = 10 // more than the namespaces watched one by one (8)
	const finalizer = "slipway.dev/test-hold"
	ns := func(i int) string { return fmt.Sprintf("e2e-gone-%d", i) }
	configs := make([]cty.Value, apps)
	for i := range apps {
		dir := sdktest.WriteTree(t, map[string]string{
			"held.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [" + finalizer + "]}\ndata: {a: \"1\"}\n",
		})
		configs[i] = appConfigVal(map[string]cty.Value{
			"name": cty.StringVal(fmt.Sprintf("gone-%d", i)), "manifests_dir": cty.StringVal(dir),
			"namespace": cty.StringVal(ns(i)), "create_namespace": cty.True, "wait_timeout": cty.StringVal("120s"),
		})
	}
	null := cty.NullVal(appSchema.ImpliedType())
	// batch plans and applies every app from prior to config in one batch.
	batch := func(what string, configs, priors []cty.Value, privates [][]byte) ([]cty.Value, [][]byte) {
		t.Helper()
		reqs := make([]sdk.PlanRequest, apps)
		for i := range apps {
			reqs[i] = sdk.PlanRequest{Address: "app.gone", TypeName: "kubernetes_app", Config: configs[i], PriorState: priors[i], PriorPrivate: privates[i]}
		}
		applies := plannedApplies(t, c, what, reqs)
		states, newPrivates := make([]cty.Value, apps), make([][]byte, apps)
		err := c.Apply(t.Context(), applies, func(ev host.ApplyEvent) {
			if ev.Done {
				sdktest.CheckDiags(t, what+" apply", ev.Response.Diagnostics)
				states[ev.Index], newPrivates[ev.Index] = ev.Response.NewState, ev.Response.Private
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return states, newPrivates
	}
	nulls := make([]cty.Value, apps)
	for i := range nulls {
		nulls[i] = null
	}
	states, privates := batch("apply", configs, nulls, make([][]byte, apps))
	release := func() {
		for i := range apps {
			patch := []byte(`{"metadata":{"finalizers":null}}`)
			_, err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns(i)).Patch(context.Background(), "held", types.MergePatchType, patch, metav1.PatchOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("release %s/held: %v", ns(i), err)
			}
		}
	}
	t.Cleanup(release)

	done := make(chan struct{})
	var took time.Duration
	var released time.Time
	go func() {
		defer close(done)
		batch("destroy", nulls, states, privates)
		took = time.Since(released)
	}()
	// Every ConfigMap is being deleted, and held.
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < apps; {
		if cm := k.Get(kubetest.ConfigMaps, ns(i), "held"); cm != nil && cm.GetDeletionTimestamp() != nil {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/held was not being deleted within 60 s", ns(i))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every app is waiting now (its one LIST of what it waits for, and the
	// informers, started a moment after its delete): what they ask while
	// the ConfigMaps stay held.
	time.Sleep(time.Second)
	log.reset(t)
	time.Sleep(3 * time.Second)
	held := log.read(t)
	t.Logf("while %d apps waited 3 s for their objects to go: %s\n  %s", apps, held, strings.Join(held.lines, "\n  "))
	if held.lists != 0 || held.gets != 0 {
		t.Errorf("while %d apps waited 3 s for their objects to go: %s; want no LIST and no GET (their watches say when the objects go)", apps, held)
	}
	released = time.Now()
	release()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("the destroy did not end within 90 s of the finalizers' removal; with polls every hour only the watches could end it")
	}
	t.Logf("the destroy ended %s after the finalizers were taken off", took)
	for i := range apps {
		if cm := k.Get(kubetest.ConfigMaps, ns(i), "held"); cm != nil {
			t.Errorf("%s/held still exists after the destroy", ns(i))
		}
	}
}

// TestWaitGoneTakesTheObjectDeleted: an object deleted, then made again
// with the same name (a controller, another app) before the wait for it
// looks, is not the one deleted: the wait ends at once, by the UID,
// rather than waiting for the new one until its timeout (as on the code
// before).
func TestWaitGoneTakesTheObjectDeleted(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	const ns, finalizer = "e2e-gone-again", "slipway.dev/test-hold"
	k.CreateNamespace(ns)
	cms := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns)
	object := func(finalizers ...any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "again", "labels": map[string]any{labelManagedBy: managedBy}, "finalizers": finalizers}}}
	}
	if _, err := cms.Create(t.Context(), object(finalizer), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cl, err := kube.Connect(kube.ClientConfig{Kubeconfig: cluster.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Watches(managedSelector).Stop)
	ms := cl.Mappings()
	id := kube.ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "again"}
	live, err := kube.FetchLive(t.Context(), ms, managedSelector, []kube.ObjectID{id})
	if err != nil || live[id.String()] == nil {
		t.Fatalf("FetchLive: %v, %v", live, err)
	}
	if err := cms.Delete(t.Context(), "again", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// The finalizer goes, and the name is taken again at once, before the
	// wait begins: its watch starts with the new object alone.
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	if _, err := cms.Patch(t.Context(), "again", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cms.Create(t.Context(), object(), metav1.CreateOptions{})
		if err == nil {
			break
		}
		if !apierrors.IsAlreadyExists(err) || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := waitGone(t.Context(), ms, []kube.ObjectID{id}, live, 20*time.Second, func(string) {}); err != nil {
		t.Errorf("the wait for the object deleted, whose name was taken again: %v", err)
	}
	if again := k.Get(kubetest.ConfigMaps, ns, "again"); again == nil || again.GetUID() == live[id.String()].GetUID() {
		t.Errorf("the object made again: %v", again)
	}
}

// TestWaitsWatchEachNamespaceTheyMay runs the provider as a service
// account that may work with Pods in ten namespaces, each by a Role of
// its own, and nowhere else: more namespaces than the waits watch one by
// one before they watch the kind across the cluster, which it may not.
// Once that watch fails, the waits watch each namespace on their own, and
// every wait ends though the provider polls only every hour (pollEnv); on
// the code before, the waits of the namespaces past the eighth polled,
// once, and timed out.
func TestWaitsWatchEachNamespaceTheyMay(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	const apps = 10
	nss := make([]string, apps)
	for i := range nss {
		nss[i] = fmt.Sprintf("e2e-tenant-%d", i)
		k.CreateNamespace(nss[i])
	}
	kubeconfig := namespacedAccount(t, cluster, nss[0], []string{"*"}, "pods")
	admin, err := kubernetes.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range nss[1:] {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "slipway"}, Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"*"}}}}
		if _, err := admin.RbacV1().Roles(ns).Create(t.Context(), role, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "slipway"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "slipway", Namespace: nss[0]}}}
		if _, err := admin.RbacV1().RoleBindings(ns).Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	log := requestLog(filepath.Join(t.TempDir(), "requests.log"))
	c := startProvider(t, &testbed.Cluster{Kubeconfig: kubeconfig}, log, pollEnv+"=1h")
	dir := sdktest.WriteTree(t, map[string]string{
		"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: worker}\nspec: {containers: [{name: app, image: registry.example/app:1.0.0}]}\n",
	})
	reqs := make([]sdk.PlanRequest, apps)
	for i := range reqs {
		reqs[i] = sdk.PlanRequest{Address: "app.tenant", TypeName: "kubernetes_app", PriorState: cty.NullVal(appSchema.ImpliedType()),
			Config: appConfigVal(map[string]cty.Value{
				"name": cty.StringVal(fmt.Sprintf("tenant-%d", i)), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(nss[i]),
				"wait_timeout": cty.StringVal("60s"),
			})}
	}
	applies := plannedApplies(t, c, "apply", reqs)
	log.reset(t)
	start := time.Now()
	err = c.Apply(t.Context(), applies, func(ev host.ApplyEvent) {
		if ev.Done {
			sdktest.CheckDiags(t, fmt.Sprintf("apply of app %d", ev.Index), ev.Response.Diagnostics)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	cost := log.read(t)
	t.Logf("apply of %d apps in as many namespaces, by an account confined to them: %s in %s", apps, cost, time.Since(start))
	watched := map[string]bool{}
	for _, l := range cost.lines {
		if _, rest, ok := strings.Cut(l, "GET /api/v1/namespaces/"); ok && strings.Contains(l, "/pods?") && strings.Contains(l, "watch=true") {
			watched[strings.SplitN(rest, "/", 2)[0]] = true
		}
	}
	if len(watched) != apps {
		t.Errorf("the waits watched Pods in %d namespaces (%v); want each of the %d", len(watched), watched, apps)
	}
}

// plannedApplies plans reqs in one batch and returns the requests that
// apply those plans; what names the batch in a failure.
func plannedApplies(t *testing.T, c *host.Client, what string, reqs []sdk.PlanRequest) []sdk.ApplyRequest {
	t.Helper()
	plans, err := c.Plan(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	applies := make([]sdk.ApplyRequest, len(reqs))
	for i, p := range plans {
		sdktest.CheckDiags(t, what+" plan", p.Diagnostics)
		applies[i] = sdk.ApplyRequest{Address: reqs[i].Address, TypeName: reqs[i].TypeName, Config: reqs[i].Config,
			PriorState: reqs[i].PriorState, PlannedState: p.PlannedState, PlannedPrivate: p.PlannedPrivate}
	}
	return applies
}
