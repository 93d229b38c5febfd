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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// waveTimeoutEnv, when set to a duration, is the provider process's
// defaultWaveTimeout: how long a wave waits for the waves before it
// when the app has no wait block.
const waveTimeoutEnv = "SLIPWAY_KUBERNETES_TEST_WAVE_TIMEOUT"

func init() {
	// The provider process is this test binary, run again: it reads the
	// variable before it serves.
	if d, err := time.ParseDuration(os.Getenv(waveTimeoutEnv)); err == nil {
		defaultWaveTimeout = d
	}
}

var pods = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// heldGate is the scheduling gate that keeps the pods of heldDB from
// being scheduled, so from running and becoming Ready, until the test
// takes it off.
const heldGate = "e2e.slipway.dev/hold"

// heldDB is a Deployment in wave 0 that becomes healthy only once the
// test lets its pod be scheduled.
const heldDB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  annotations: {argocd.argoproj.io/sync-wave: "0"}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      schedulingGates: [{name: ` + heldGate + `}]
      containers: [{name: db, image: postgres:17}]
`

// stuckDB is a Deployment whose pod no node can take: it never becomes
// healthy.
const stuckDB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      nodeSelector: {e2e.slipway.dev/no-such-node: "true"}
      containers: [{name: db, image: postgres:17}]
`

// TestWavesWaitForHealthWithoutWait syncs an app of two waves and no wait
// block, as Argo CD would: a database Deployment in wave 0, and in wave 1
// a ConfigMap and a Sync hook. The database's pod is held unscheduled (a
// scheduling gate) until the test lets it go; meanwhile nothing of wave 1
// may exist. Once it is healthy, wave 1 is synced and the apply succeeds;
// the objects of wave 1 were created no sooner than the Deployment
// became available.
func TestWavesWaitForHealthWithoutWait(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	// The default bound, shortened so that a failure does not take five
	// minutes, is still far longer than the hold.
	c := startProvider(t, cluster, "", waveTimeoutEnv+"=2m")
	const ns = "e2e-waves"
	dir := sdktest.WriteTree(t, map[string]string{
		"db.yaml":        heldDB,
		"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\ndata: {db: db:5432}\n",
		"migrate.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {argocd.argoproj.io/hook: Sync, argocd.argoproj.io/sync-wave: "1"}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, command: [sh, -c, "echo migrated"]}]
`,
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("waves"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True,
	})
	const (
		deployID = "apps/v1 Deployment " + ns + "/db"
		cmID     = "v1 ConfigMap " + ns + "/app"
		hookID   = "batch/v1 Job " + ns + "/migrate"
	)
	s := newSession(t, c)
	plan := s.Plan(config)

	// While the apply runs: once the database's pod exists, held, and a
	// while longer, nothing of wave 1 may exist; then the pod may go.
	const hold = 2 * time.Second
	var early []string
	var released time.Time
	gate := make(chan struct{})
	go func() {
		defer close(gate)
		ctx := t.Context()
		held := ""
		for give := time.Now().Add(time.Minute); held == ""; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(give) {
				t.Errorf("no pod of %s held by its scheduling gate after a minute", deployID)
				return
			}
			list, err := k.Dynamic.Resource(pods).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=db"})
			if err != nil {
				continue
			}
			for _, p := range list.Items {
				if gates, _, _ := unstructured.NestedSlice(p.Object, "spec", "schedulingGates"); len(gates) > 0 {
					held = p.GetName()
				}
			}
		}
		time.Sleep(hold)
		if _, err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Get(ctx, "app", metav1.GetOptions{}); err == nil {
			early = append(early, cmID)
		}
		if _, err := k.Dynamic.Resource(kubetest.Jobs).Namespace(ns).Get(ctx, "migrate", metav1.GetOptions{}); err == nil {
			early = append(early, hookID)
		}
		released = time.Now()
		patch := []byte(`[{"op": "remove", "path": "/spec/schedulingGates"}]`)
		if _, err := k.Dynamic.Resource(pods).Namespace(ns).Patch(ctx, held, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Errorf("take the scheduling gate off pod %s: %v", held, err)
		}
	}()
	start := time.Now()
	resp, progress := s.Apply(config, plan)
	took := time.Since(start)
	<-gate
	t.Logf("apply took %s (the database was let go after %s); progress:\n  %s", took, released.Sub(start), strings.Join(progress, "\n  "))
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if len(early) > 0 {
		t.Errorf("%s existed while the Deployment of wave 0 was not healthy (its pod held unscheduled for %s)", strings.Join(early, " and "), hold)
	}

	// The progress says why the apply waited, before wave 1 was synced.
	waited := slices.IndexFunc(progress, func(p string) bool {
		return strings.HasPrefix(p, "waiting for 1 object of the waves before wave 1 to be healthy")
	})
	applied := slices.Index(progress, "applying "+cmID)
	hookRan := slices.Index(progress, "Sync hook "+hookID+": starting")
	if waited < 0 || applied < waited || hookRan < waited {
		t.Errorf("want the wait for wave 0 before the ConfigMap is applied and the Sync hook runs; progress:\n  %s", strings.Join(progress, "\n  "))
	}

	// The cluster's own timestamps: wave 1 was created no sooner than
	// the Deployment became available (to the second).
	deploy := k.Get(kubetest.Deployments, ns, "db")
	if deploy == nil {
		t.Fatalf("%s does not exist after the apply", deployID)
	}
	if h, msg := kube.HealthOf(deploy); h != sdk.Healthy {
		t.Fatalf("%s is %s (%s) after the apply", deployID, h, msg)
	}
	available := conditionTime(t, deploy, "Available")
	for _, o := range []struct {
		id  string
		obj *unstructured.Unstructured
	}{{cmID, k.Get(kubetest.ConfigMaps, ns, "app")}, {hookID, k.Get(kubetest.Jobs, ns, "migrate")}} {
		if o.obj == nil {
			t.Errorf("%s does not exist after the apply", o.id)
			continue
		}
		if created := o.obj.GetCreationTimestamp().Time; created.Before(available) {
			t.Errorf("%s was created at %s, before %s became available at %s", o.id, created.Format(time.RFC3339), deployID, available.Format(time.RFC3339))
		}
	}
	s.Destroy()
}

// TestWaveNotHealthyStopsTheSync: without a wait block, an app of one
// wave does not wait at all, whatever its objects' health; an app whose
// wave 0 never becomes healthy fails within the default bound (shortened
// here), with an error naming the object and what it waits on, and its
// wave 1 is not applied.
func TestWaveNotHealthyStopsTheSync(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	const bound = "4s"
	c := startProvider(t, cluster, "", waveTimeoutEnv+"="+bound)

	// One wave: applied at once, no wait.
	const oneNS = "e2e-wave-one"
	one := newSession(t, c)
	oneConfig := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("one-wave"), "manifests_dir": cty.StringVal(sdktest.WriteTree(t, map[string]string{
			"db.yaml":        stuckDB,
			"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {db: db:5432}\n",
		})),
		"namespace": cty.StringVal(oneNS), "create_namespace": cty.True,
	})
	resp, progress := one.Apply(oneConfig, one.Plan(oneConfig))
	sdktest.CheckDiags(t, "apply of one wave", resp.Diagnostics)
	if slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, "waiting for") || strings.Contains(p, "healthy") }) {
		t.Errorf("an app of one wave without a wait block waited; progress:\n  %s", strings.Join(progress, "\n  "))
	}
	if k.Get(kubetest.ConfigMaps, oneNS, "app") == nil {
		t.Error("the ConfigMap of the app of one wave was not applied")
	}

	// Two waves, wave 0 never healthy: the apply fails, wave 1 is not
	// applied.
	const ns = "e2e-wave-stuck"
	const (
		deployID = "apps/v1 Deployment " + ns + "/db"
		cmID     = "v1 ConfigMap " + ns + "/app"
	)
	s := newSession(t, c)
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("stuck-wave"), "manifests_dir": cty.StringVal(sdktest.WriteTree(t, map[string]string{
			"db.yaml":        stuckDB,
			"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\ndata: {db: db:5432}\n",
		})),
		"namespace": cty.StringVal(ns), "create_namespace": cty.True,
	})
	start := time.Now()
	resp, progress = s.Apply(config, s.Plan(config))
	t.Logf("apply took %s; progress:\n  %s", time.Since(start), strings.Join(progress, "\n  "))
	err := resp.Diagnostics.Err()
	if err == nil {
		t.Fatalf("apply of a wave 1 after a wave 0 that never becomes healthy succeeded; want it to fail")
	}
	t.Logf("diagnostic: %v", err)
	for _, want := range []string{"wave 1 not synced", "not healthy", "timed out", "after " + bound, deployID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("apply error lacks %q:\n%v", want, err)
		}
	}
	if k.Get(kubetest.ConfigMaps, ns, "app") != nil {
		t.Errorf("%s was applied although wave 0 never became healthy", cmID)
	}
	objects := sdktest.Keys(resp.NewState.GetAttr("objects"))
	if !slices.Contains(objects, deployID) || slices.Contains(objects, cmID) {
		t.Errorf("the failed apply recorded %v; want %s and not %s", objects, deployID, cmID)
	}
	s.Destroy()
	one.Destroy()
}

// conditionTime is when u's condition typ last became what it is.
func conditionTime(t *testing.T, u *unstructured.Unstructured, typ string) time.Time {
	t.Helper()
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != typ {
			continue
		}
		s, _ := m["lastTransitionTime"].(string)
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("%s condition %s: lastTransitionTime %q: %v", u.GetName(), typ, s, err)
		}
		return at
	}
	t.Fatalf("%s has no %s condition: %v", u.GetName(), typ, u.Object["status"])
	return time.Time{}
}

// TestDestroyByWave: a destroy deletes the highest sync wave first and
// each wave only once the one after it is gone, as Argo CD prunes: a
// wave-1 object held by a finalizer (a custom resource its operator has
// yet to finalise) keeps the wave-0 object (the operator) in place.
func TestDestroyByWave(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster, "")
	ns := uniqueNS("e2e-destroy-waves")
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  annotations: {argocd.argoproj.io/sync-wave: %q}\n%sdata: {a: b}\n"
	dir := sdktest.WriteTree(t, map[string]string{
		"operator.yaml": fmt.Sprintf(cm, "operator", "0", ""),
		"resource.yaml": fmt.Sprintf(cm, "resource", "1", "  finalizers: [e2e.slipway.dev/hold]\n"),
	})
	config := appConfigVal(map[string]cty.Value{
		"name": cty.StringVal("waves"), "manifests_dir": cty.StringVal(dir), "namespace": cty.StringVal(ns),
		"create_namespace": cty.True, "wait_timeout": cty.StringVal("60s"),
	})
	s := newSession(t, c)
	s.Sync(config)

	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Destroy()
	}()
	// The wave-1 ConfigMap is being deleted, held by its finalizer.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if u := k.Get(kubetest.ConfigMaps, ns, "resource"); u != nil && u.GetDeletionTimestamp() != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the wave-1 ConfigMap was never deleted")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if u := k.Get(kubetest.ConfigMaps, ns, "operator"); u == nil || u.GetDeletionTimestamp() != nil {
		t.Error("the wave-0 ConfigMap was deleted while the wave-1 one was still being deleted")
	}
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	if _, err := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns).Patch(t.Context(), "resource", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the destroy did not end once the finalizer was gone")
	}
	if k.Get(kubetest.ConfigMaps, ns, "operator") != nil || k.Get(kubetest.ConfigMaps, ns, "resource") != nil {
		t.Error("objects left after the destroy")
	}
}
