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
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/runtime"

	"slipway.dev/slipway/providers/internal/kube"
)

// liveValue and liveValueOf must give exactly what the JSON round trips
// they replace give: kube.ToCtyJSON(kube.Normalise(obj, shape)).
func TestLiveValueMatchesNormalise(t *testing.T) {
	t.Parallel()
	objs := []map[string]any{}
	for _, doc := range []string{`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  uid: "1234"
  resourceVersion: "99"
  generation: 4
  creationTimestamp: "2026-01-01T00:00:00Z"
  managedFields: [{manager: slipway, fieldsV1: {"f:spec": {}}}]
  labels: {app: web, injected: "yes"}
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: "{}"
    deployment.kubernetes.io/revision: "3"
spec:
  replicas: 1
  ratio: 0.1
  tiny: 0.0000001
  huge: 1e22
  neg: -3
  paused: false
  empty: {}
  none: []
  nothing: null
  template:
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80, protocol: TCP}, null]
        resources: {requests: {cpu: "0.1", memory: 32Mi}}
      - name: sidecar
        image: "caf\u00e9 cafe\u0301"
status: {replicas: 1}
`, `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
data: {a: "1", b: ""}
`, `
apiVersion: v1
kind: Secret
metadata: {name: s, annotations: {}, labels: null}
data: {k: dg==}
`} {
		objs = append(objs, decode(t, doc)[0].Object)
	}
	// Invalid UTF-8, which encoding/json replaces byte by byte.
	objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}, "data": map[string]any{"k": "a\xff\xfeb"}})

	check := func(t *testing.T, obj, shape map[string]any) {
		t.Helper()
		before := runtime.DeepCopyJSON(obj)
		want, werr := kube.ToCtyJSON(kube.Normalise(obj, shape))
		got, gerr := liveValue(obj, shape)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("error %v, want %v", gerr, werr)
		}
		if werr == nil && !got.RawEquals(want) {
			t.Fatalf("liveValue\n got %#v\nwant %#v", got, want)
		}
		if fmt.Sprint(before) != fmt.Sprint(obj) {
			t.Fatal("liveValue changed its input")
		}
		// The shape as state records it.
		if shape == nil {
			return
		}
		rec, err := kube.ToCty(shape)
		if err != nil {
			return
		}
		want, werr = kube.ToCtyJSON(kube.Normalise(obj, recordedShape(rec)))
		got, gerr = liveValueOf(obj, rec)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("error %v, want %v", gerr, werr)
		}
		if werr == nil && !got.RawEquals(want) {
			t.Fatalf("liveValueOf\n got %#v\nwant %#v", got, want)
		}
	}

	for i, obj := range objs {
		t.Run(fmt.Sprint("fixed ", i), func(t *testing.T) {
			check(t, obj, nil)
			check(t, obj, obj)
			check(t, obj, map[string]any{"metadata": map[string]any{"name": "x", "annotations": map[string]any{"kubectl.kubernetes.io/last-applied-configuration": "", "other": ""}}, "status": map[string]any{}})
			check(t, obj, map[string]any{"metadata": "scalar", "spec": []any{1}, "data": map[string]any{"k": map[string]any{}}})
			check(t, obj, map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": ""}, map[string]any{}, map[string]any{}}}}}})
		})
	}

	// Random trees, and random shapes made from them.
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		obj := randomObject(r)
		var shape map[string]any
		if r.IntN(5) > 0 {
			shape, _ = randomShape(r, obj).(map[string]any)
		}
		t.Run(fmt.Sprint("random ", i), func(t *testing.T) { check(t, obj, shape) })
	}
}

// TestLiveValuePairsNamedLists: a live object limited to a manifest
// pairs the containers and variables the API merges by name by their
// names, so another writer's container ahead of slipway's is left out
// and slipway's is compared with slipway's; a list whose own elements
// were reordered is paired by position, so the reorder shows (a
// rollout's decision compares two such values).
func TestLiveValuePairsNamedLists(t *testing.T) {
	t.Parallel()
	container := func(name string, env ...string) map[string]any {
		c := map[string]any{"name": name, "image": name + ":1"}
		var vars []any
		for _, e := range env {
			vars = append(vars, map[string]any{"name": e, "value": e + "-value"})
		}
		if vars != nil {
			c["env"] = vars
		}
		return c
	}
	deployment := func(containers ...any) map[string]any {
		return map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": containers}}}}
	}
	names := func(v cty.Value, path ...string) []string {
		for _, p := range path {
			v = v.GetAttr(p)
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, e.GetAttr("name").AsString())
		}
		return out
	}
	manifest := deployment(container("web", "A", "B"))
	recorded, err := liveValue(deployment(container("web", "A", "B")), manifest)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		live           map[string]any
		containers, ab []string
		asRecorded     bool
	}{
		"as applied":                 {deployment(container("web", "A", "B")), []string{"web"}, []string{"A", "B"}, true},
		"a container ahead":          {deployment(container("debug"), container("web", "A", "B")), []string{"web"}, []string{"A", "B"}, true},
		"a variable between":         {deployment(container("web", "A", "X", "B")), []string{"web"}, []string{"A", "B"}, true},
		"variables reordered":        {deployment(container("web", "B", "A")), []string{"web"}, []string{"B", "A"}, false},
		"a container ahead, reorder": {deployment(container("debug"), container("web", "B", "A")), []string{"web"}, []string{"B", "A"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, err := liveValue(tc.live, manifest)
			if err != nil {
				t.Fatal(err)
			}
			containers := v.GetAttr("spec").GetAttr("template").GetAttr("spec").GetAttr("containers")
			if got := names(containers); !slices.Equal(got, tc.containers) {
				t.Fatalf("containers %v, want %v", got, tc.containers)
			}
			it := containers.ElementIterator()
			it.Next()
			_, web := it.Element()
			if got := names(web, "env"); !slices.Equal(got, tc.ab) {
				t.Errorf("env %v, want %v", got, tc.ab)
			}
			// The refresh's checks, which build no value, say the same
			// of the value recorded when it was applied.
			raw := must(json.Marshal(tc.live))
			decoded, ok := decodedAsListed(raw)
			if !ok {
				t.Fatal("cannot decode the live object")
			}
			built, err := liveValueOf(decoded, recorded)
			if err != nil {
				t.Fatal(err)
			}
			if got := built.RawEquals(recorded); got != tc.asRecorded {
				t.Errorf("refreshed as recorded %v, want %v", got, tc.asRecorded)
			}
			if got := asLiveValueOf(decoded, recorded); got != tc.asRecorded {
				t.Errorf("asLiveValueOf %v, want %v", got, tc.asRecorded)
			}
			if got := asLiveJSONOf(raw, jsonTestGVK, recorded); got != tc.asRecorded {
				t.Errorf("asLiveJSONOf %v, want %v", got, tc.asRecorded)
			}
		})
	}
}

// randomObject is a random tree with an object's parts: fields, and maybe
// metadata and status.
func randomObject(r *rand.Rand) map[string]any {
	obj := map[string]any{}
	for j := range 1 + r.IntN(4) {
		obj[fmt.Sprint("k", j)] = randomTree(r, 3)
	}
	if r.IntN(2) == 0 {
		obj["metadata"] = map[string]any{"name": "n", "uid": "u", "annotations": randomAnnotations(r), "labels": randomTree(r, 2)}
	}
	if r.IntN(3) == 0 {
		obj["status"] = randomTree(r, 2)
	}
	return obj
}

func randomAnnotations(r *rand.Rand) any {
	ann := map[string]any{}
	for _, k := range []string{"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision", "a", "b"} {
		if r.IntN(2) == 0 {
			ann[k] = "v"
		}
	}
	return ann
}

func randomTree(r *rand.Rand, depth int) any {
	n := r.IntN(8)
	if depth == 0 {
		n = 4 + r.IntN(4)
	}
	switch n {
	case 0, 1:
		m := map[string]any{}
		for j := range r.IntN(4) {
			m[fmt.Sprint("k", j)] = randomTree(r, depth-1)
		}
		if depth > 0 && r.IntN(3) == 0 {
			// A list the API merges by name, which pairs by name.
			m[[]string{"containers", "env"}[r.IntN(2)]] = randomNamedList(r, depth-1)
		}
		return m
	case 2, 3:
		if r.IntN(3) == 0 {
			// Named objects in a list of another field: by position.
			return randomNamedList(r, depth-1)
		}
		l := make([]any, r.IntN(4))
		for j := range l {
			l[j] = randomTree(r, depth-1)
		}
		return l
	case 4:
		return fmt.Sprint("s", r.IntN(10))
	case 5:
		return int64(r.IntN(1000)) - 500
	case 6:
		return []any{nil, 0.5, 1e-9, 123456.789, true}[r.IntN(5)]
	default:
		return nil
	}
}

// randomNamedList is a list of named objects (containers, env), whose
// names repeat now and then.
func randomNamedList(r *rand.Rand, depth int) []any {
	l := make([]any, r.IntN(5))
	for j := range l {
		l[j] = map[string]any{"name": fmt.Sprint("n", r.IntN(6)), "k0": randomTree(r, max(depth, 0))}
	}
	return l
}

// randomShape keeps some of v's structure, drops parts and puts other
// kinds of values where v has others.
func randomShape(r *rand.Rand, v any) any {
	switch r.IntN(10) {
	case 0:
		return nil
	case 1:
		return "scalar"
	case 2:
		return map[string]any{"k0": "x", "other": map[string]any{}}
	case 3:
		return []any{"x", map[string]any{}, []any{}}
	}
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			if r.IntN(4) > 0 {
				m[k] = randomShape(r, e)
			}
		}
		return m
	case []any:
		l := []any{}
		for _, e := range x {
			if r.IntN(4) > 0 {
				l = append(l, randomShape(r, e))
			}
		}
		return l
	default:
		return v
	}
}

// TestAsLiveValueOf: asLiveValueOf says true only where liveValueOf gives
// back the recorded value, and says it for the objects a refresh meets
// most (live as applied, with the server's fields besides).
func TestAsLiveValueOf(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	var trues, equal int
	check := func(t *testing.T, live map[string]any, rec cty.Value) bool {
		t.Helper()
		got := asLiveValueOf(live, rec)
		v, err := liveValueOf(live, rec)
		want := err == nil && v.RawEquals(rec)
		if got && !want {
			t.Fatalf("asLiveValueOf says the live object is as recorded; liveValueOf gives\n%#v\nrecorded\n%#v", v, rec)
		}
		if want {
			equal++
		}
		if got {
			trues++
		}
		return got
	}
	for i := range 5000 {
		obj := randomObject(r)
		shape, _ := randomShape(r, obj).(map[string]any)
		rec, err := liveValue(obj, shape)
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
	t.Logf("true %d times; equal %d times", trues, equal)
	if trues < equal/2 {
		t.Errorf("asLiveValueOf said true %d times of the %d where the values were equal", trues, equal)
	}

	// A Deployment as applied, then as the server keeps it: the same.
	applied := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web, labels: {app: web, app.kubernetes.io/managed-by: slipway}, annotations: {team: a}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx, ports: [{containerPort: 8080}], resources: {requests: {cpu: 10m, memory: 32Mi}}}
`)[0].Object
	rec, err := liveValue(applied, applied)
	if err != nil {
		t.Fatal(err)
	}
	live := serverKept(applied)
	c := firstContainer(live)
	if !check(t, live, rec) {
		t.Error("a Deployment as the server keeps it is not found as recorded")
	}
	c["image"] = "nginx:2"
	if check(t, live, rec) {
		t.Error("a Deployment with another image is found as recorded")
	}
}

// mutate changes one thing somewhere in v: a scalar, a key, an element.
func mutate(r *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 || r.IntN(4) == 0 {
			x[fmt.Sprint("k", r.IntN(4))] = randomTree(r, 1)
			return x
		}
		for k, e := range x {
			switch r.IntN(3) {
			case 0:
				delete(x, k)
			default:
				x[k] = mutate(r, e)
			}
			return x
		}
	case []any:
		if len(x) == 0 || r.IntN(4) == 0 {
			return append(x, randomTree(r, 1))
		}
		if r.IntN(4) == 0 {
			// Another writer's element put ahead, or the order
			// turned round.
			if r.IntN(2) == 0 {
				return append([]any{map[string]any{"name": fmt.Sprint("n", r.IntN(7))}}, x...)
			}
			slices.Reverse(x)
			return x
		}
		i := r.IntN(len(x))
		if r.IntN(3) == 0 {
			return append(x[:i], x[i+1:]...)
		}
		x[i] = mutate(r, x[i])
		return x
	case string:
		return x + "!"
	case int64:
		return x + 1
	case float64:
		return x * 2
	case bool:
		return !x
	}
	return randomTree(r, 1)
}

// serverKept is a Deployment slipway applied as the API server keeps it:
// with status, server-set metadata and defaulted fields besides.
func serverKept(applied map[string]any) map[string]any {
	live := runtime.DeepCopyJSON(applied)
	live["status"] = map[string]any{"replicas": int64(2)}
	md := live["metadata"].(map[string]any)
	md["uid"], md["resourceVersion"], md["generation"] = "u", "9", int64(3)
	md["managedFields"] = []any{map[string]any{"manager": "slipway", "fieldsV1": map[string]any{"f:spec": map[string]any{}}}}
	md["annotations"].(map[string]any)["deployment.kubernetes.io/revision"] = "1"
	live["spec"].(map[string]any)["strategy"] = map[string]any{"type": "RollingUpdate"}
	c := firstContainer(live)
	c["imagePullPolicy"], c["ports"].([]any)[0].(map[string]any)["protocol"] = "Always", "TCP"
	return live
}

// firstContainer is the first container of a Deployment's pod template.
func firstContainer(d map[string]any) map[string]any {
	return d["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
}
