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
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	k8s "k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/providers/testbed"
)

var jsonTestGVK = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}

// decodedAsListed decodes raw as a LIST's item is decoded (kube.Live):
// the apiVersion and kind are the LIST's.
func decodedAsListed(raw []byte) (map[string]any, bool) {
	var m map[string]any
	if err := utiljson.Unmarshal(raw, &m); err != nil {
		return nil, false
	}
	if m == nil {
		m = map[string]any{}
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(jsonTestGVK)
	return u.Object, true
}

// TestAsLiveJSONOf: read from the JSON, the comparison with the recorded
// value gives what asLiveValueOf gives of the decoded object, for random
// objects and shapes and one change made to each, and for what the API
// server adds to a Deployment.
func TestAsLiveJSONOf(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	var trues int
	check := func(t *testing.T, obj map[string]any, rec cty.Value) bool {
		t.Helper()
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		decoded, ok := decodedAsListed(raw)
		if !ok {
			t.Fatalf("cannot decode %s", raw)
		}
		want := asLiveValueOf(decoded, rec)
		got := asLiveJSONOf(raw, jsonTestGVK, rec)
		if got != want {
			t.Fatalf("asLiveJSONOf says %v, asLiveValueOf %v, of\n%s\nrecorded\n%#v", got, want, raw, rec)
		}
		if got {
			trues++
		}
		return got
	}
	for i := range 5000 {
		obj := randomObject(r)
		if r.IntN(2) == 0 {
			obj["apiVersion"], obj["kind"] = "apps/v1", "Deployment"
		}
		shape, _ := randomShape(r, obj).(map[string]any)
		listed, _ := decodedAsListed(must(json.Marshal(obj)))
		rec, err := liveValue(listed, shape)
		if err != nil {
			continue
		}
		t.Run(fmt.Sprint("random ", i), func(t *testing.T) {
			check(t, obj, rec)
			for range 3 {
				check(t, mutate(r, runtime.DeepCopyJSON(obj)).(map[string]any), rec)
			}
		})
	}
	if trues < 1000 {
		t.Errorf("found as recorded only %d times", trues)
	}

	applied := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web, labels: {app: web, app.kubernetes.io/managed-by: slipway}, annotations: {team: a, note: "caf\u00e9 \"quoted\""}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx, args: ["--ratio=0.5", "tab\there"], ports: [{containerPort: 8080}], resources: {requests: {cpu: 10m, memory: 32Mi}}}
      terminationGracePeriodSeconds: 30
`)[0].Object
	rec, err := liveValue(applied, applied)
	if err != nil {
		t.Fatal(err)
	}
	live := serverKept(applied)
	if !check(t, live, rec) {
		t.Error("a Deployment as the server keeps it is not found as recorded")
	}
	var md, c map[string]any
	for _, change := range []func(){
		func() { c["image"] = "nginx:2" },
		func() { c["args"] = []any{"--ratio=0.5"} },
		func() { live["spec"].(map[string]any)["replicas"] = 2.5 },
		func() { md["annotations"].(map[string]any)["note"] = "cafe" },
		func() { delete(md, "labels") },
		func() { live["kind"] = "StatefulSet" }, // the LIST's kind wins
	} {
		live = serverKept(applied)
		md, c = live["metadata"].(map[string]any), firstContainer(live)
		change()
		check(t, live, rec)
	}
}

// TestAsLiveJSONOfRefuses: JSON that is not one object the matcher can
// read whole (a key twice, which encoding/json reads as the last) is never
// found as recorded; the slow path decides. Escapes are read as
// encoding/json reads them.
func TestAsLiveJSONOfRefuses(t *testing.T) {
	t.Parallel()
	rec, err := liveValue(map[string]any{"spec": map[string]any{"a": "x"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{
		`{"spec":{"a":"y","a":"x"}}`,     // encoding/json keeps the last
		`{"spec":{"a":"x","a":"y"}}`,     // ... which differs
		`{"spec":{"a":"x"},"spec":null}`, // the object twice
		`{"spec":{"a":"x"}`,              // cut short
		`{"spec":{"a":x}}`,               // not JSON
		`[]`, `null`, `"x"`, ``,
	} {
		if asLiveJSONOf([]byte(raw), jsonTestGVK, rec) {
			t.Errorf("%s is found as recorded", raw)
		}
	}
	for _, raw := range []string{`{"spec":{"b":1,"a":"x"}}`, `{"spec":{"\u0061":"x"}}`, `{"spec":{"a":"\u0078"}}`} {
		if !asLiveJSONOf([]byte(raw), jsonTestGVK, rec) {
			t.Errorf("%s, as recorded, is not found so", raw)
		}
	}
}

// FuzzAsLiveJSONOf: for any valid JSON object and any value recorded from
// a decoded object, asLiveJSONOf never says true where asLiveValueOf of
// the decoded object says false; for any bytes at all, it never panics.
func FuzzAsLiveJSONOf(f *testing.F) {
	for _, s := range []string{
		`{"metadata":{"name":"a","annotations":{"x":"1"}},"spec":{"n":1,"f":1.5,"l":[1,"a",null,true]}}`,
		`{"spec":{"n":10000000000000000000,"e":1e3,"s":"\u00e9\n"},"status":{}}`,
		`{"metadata":{"annotations":{"deployment.kubernetes.io/revision":"1"}},"data":{"k":"v"}}`,
	} {
		f.Add([]byte(s), []byte(s))
	}
	f.Fuzz(func(t *testing.T, raw, recordedFrom []byte) {
		from, ok := decodedAsListed(recordedFrom)
		if !ok {
			return
		}
		rec, err := liveValue(from, from)
		if err != nil {
			return
		}
		got := asLiveJSONOf(raw, jsonTestGVK, rec)
		if !json.Valid(raw) {
			return
		}
		decoded, ok := decodedAsListed(raw)
		if !ok {
			return
		}
		if got && !asLiveValueOf(decoded, rec) {
			t.Fatalf("asLiveJSONOf says %s is as recorded; asLiveValueOf does not", raw)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestNoopRefreshDecodesNothing: a refresh, and the plan after it, of
// apps whose objects are all as recorded compare them from the LISTs'
// JSON, decoding none; an object changed by hand is the only one decoded.
func TestNoopRefreshDecodesNothing(t *testing.T) {
	t.Parallel()
	f := newBenchFixture(t, 3)
	ctx := context.Background()
	counts := func() (listed, decoded int) {
		t.Helper()
		if len(f.p.refreshes) == 0 {
			t.Fatal("the refresh kept no LISTs for the plan")
		}
		live := f.p.refreshes[len(f.p.refreshes)-1].live
		live.mu.Lock()
		defer live.mu.Unlock()
		return live.set.Listed(), live.set.Decoded()
	}
	for i, r := range f.refresh(ctx) {
		if err := r.Diagnostics.Err(); err != nil || !r.Unchanged {
			t.Fatalf("app %d: refresh unchanged %v, %v", i, r.Unchanged, err)
		}
	}
	listed, decoded := counts()
	live := f.p.refreshes[len(f.p.refreshes)-1].live
	for i, r := range f.plan(ctx) {
		if err := r.Diagnostics.Err(); err != nil || !r.Unchanged {
			t.Fatalf("app %d: plan unchanged %v, %v", i, r.Unchanged, err)
		}
	}
	live.mu.Lock()
	afterPlan := live.set.Decoded()
	live.mu.Unlock()
	if listed < 30 || decoded != 0 || afterPlan != 0 {
		t.Errorf("a no-op refresh and plan listed %d objects and decoded %d, then %d; want 30 or more, 0 and 0", listed, decoded, afterPlan)
	}

	cluster := testbed.Shared(t)
	cs, err := k8s.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := cs.CoreV1().ConfigMaps("bench-0").Get(ctx, "app-0000-cm0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["key"] = "changed by hand"
	if _, err := cs.CoreV1().ConfigMaps("bench-0").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	rs := f.refresh(ctx)
	if rs[0].Unchanged || !rs[1].Unchanged || !rs[2].Unchanged {
		t.Errorf("after a change to app 0: unchanged %v %v %v, want false true true", rs[0].Unchanged, rs[1].Unchanged, rs[2].Unchanged)
	}
	if _, decoded := counts(); decoded != 1 {
		t.Errorf("a refresh with one object changed decoded %d objects, want 1", decoded)
	}
}
