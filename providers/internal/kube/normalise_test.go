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

package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

func TestNormalise(t *testing.T) {
	t.Parallel()
	live := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  uid: 1234
  resourceVersion: "99"
  generation: 4
  creationTimestamp: "2026-01-01T00:00:00Z"
  selfLink: /apis/apps/v1/namespaces/web/deployments/web
  managedFields: [{manager: slipway}]
  labels: {app: web, injected: "yes"}
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: "{}"
    deployment.kubernetes.io/revision: "3"
spec:
  replicas: 1
  progressDeadlineSeconds: 600
  template:
    spec:
      containers:
      - name: web
        image: nginx
        imagePullPolicy: Always
        ports: [{containerPort: 80, protocol: TCP}]
      - name: sidecar
        image: injected
status: {replicas: 1}
`)

	t.Run("noise only", func(t *testing.T) {
		t.Parallel()
		got := Normalise(live, nil)
		md := got["metadata"].(map[string]any)
		for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "annotations"} {
			if _, ok := md[f]; ok {
				t.Errorf("metadata.%s survived normalisation", f)
			}
		}
		if _, ok := got["status"]; ok {
			t.Error("status survived normalisation")
		}
		if got["spec"].(map[string]any)["progressDeadlineSeconds"] == nil {
			t.Error("without a shape, spec fields must stay")
		}
		if live["status"] == nil || live["metadata"].(map[string]any)["uid"] == nil {
			t.Error("normalise changed its input")
		}
	})

	t.Run("shape of the manifest", func(t *testing.T) {
		t.Parallel()
		shape := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  labels: {app: web}
  annotations: {owner: me}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
`)
		want := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  labels: {app: web}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
`)
		if diff := cmp.Diff(want, Normalise(live, shape)); diff != "" {
			t.Errorf("normalised (-want +got):\n%s", diff)
		}
	})
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v, shape, want any
		field          string // the field the list is in
	}{
		"scalar keeps the value":       {v: int64(1), shape: int64(3), want: int64(1)},
		"map keeps shared keys":        {v: map[string]any{"a": "x", "b": "y"}, shape: map[string]any{"a": "z", "c": "w"}, want: map[string]any{"a": "x"}},
		"list element-wise, shorter v": {v: []any{"a"}, shape: []any{"x", "y"}, want: []any{"a"}},
		"list element-wise, longer v":  {v: []any{"a", "b", "c"}, shape: []any{"x"}, want: []any{"a"}},
		"nested objects in a list": {
			v:     []any{map[string]any{"id": "a", "def": true}, map[string]any{"id": "b"}},
			shape: []any{map[string]any{"id": "x"}, map[string]any{"id": "y", "extra": 1}},
			want:  []any{map[string]any{"id": "a"}, map[string]any{"id": "b"}},
		},
		"named elements in the same order, by position": {
			field: "containers",
			v:     []any{map[string]any{"name": "a", "def": true}, map[string]any{"name": "b"}, map[string]any{"name": "c"}},
			shape: []any{map[string]any{"name": "a"}, map[string]any{"name": "b", "extra": 1}},
			want:  []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}},
		},
		"another writer's element ahead, by name": {
			field: "containers",
			v:     []any{map[string]any{"name": "debug", "image": "busybox"}, map[string]any{"name": "web", "image": "nginx"}},
			shape: []any{map[string]any{"name": "web", "image": "x"}},
			want:  []any{map[string]any{"name": "web", "image": "nginx"}},
		},
		"another writer's element between, by name": {
			field: "env",
			v:     []any{map[string]any{"name": "a", "value": "1"}, map[string]any{"name": "x", "value": "9"}, map[string]any{"name": "b", "value": "2"}},
			shape: []any{map[string]any{"name": "a", "value": ""}, map[string]any{"name": "b", "value": ""}},
			want:  []any{map[string]any{"name": "a", "value": "1"}, map[string]any{"name": "b", "value": "2"}},
		},
		"a named element gone": {
			field: "volumes",
			v:     []any{map[string]any{"name": "b", "n": 2}},
			shape: []any{map[string]any{"name": "a", "n": 0}, map[string]any{"name": "b", "n": 0}},
			want:  []any{map[string]any{"name": "b", "n": 2}},
		},
		"reordered, by position, so that it shows": {
			field: "env",
			v:     []any{map[string]any{"name": "b", "n": 2}, map[string]any{"name": "a", "n": 1}},
			shape: []any{map[string]any{"name": "a", "n": 0}, map[string]any{"name": "b", "n": 0}},
			want:  []any{map[string]any{"name": "b", "n": 2}, map[string]any{"name": "a", "n": 1}},
		},
		"reordered around another writer's element, in live order": {
			field: "env",
			v:     []any{map[string]any{"name": "a", "value": "1"}, map[string]any{"name": "x", "value": "9"}, map[string]any{"name": "b", "value": "2"}},
			shape: []any{map[string]any{"name": "b", "value": ""}, map[string]any{"name": "a", "value": ""}},
			want:  []any{map[string]any{"name": "a", "value": "1"}, map[string]any{"name": "b", "value": "2"}},
		},
		"a name not plain ASCII, by position": {
			field: "env",
			v:     []any{map[string]any{"name": "x"}, map[string]any{"name": "caf\u00e9", "n": 1}},
			shape: []any{map[string]any{"name": "caf\u00e9", "n": 0}},
			want:  []any{map[string]any{"name": "x"}},
		},
		"two of one name, by position": {
			field: "env",
			v:     []any{map[string]any{"name": "b", "n": 2}, map[string]any{"name": "b", "n": 3}},
			shape: []any{map[string]any{"name": "a", "n": 0}},
			want:  []any{map[string]any{"name": "b", "n": 2}},
		},
		"an element without a name, by position": {
			field: "containers",
			v:     []any{map[string]any{"n": 2}, map[string]any{"name": "a", "n": 3}},
			shape: []any{map[string]any{"name": "a", "n": 0}},
			want:  []any{map[string]any{"n": 2}},
		},
		"a list of another field, by position": {
			field: "rules",
			v:     []any{map[string]any{"name": "debug"}, map[string]any{"name": "web", "n": 1}},
			shape: []any{map[string]any{"name": "web", "n": 0}},
			want:  []any{map[string]any{"name": "debug"}},
		},
		"a named list in an object": {
			v:     map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "debug"}, map[string]any{"name": "web", "n": 1}}}},
			shape: map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "web", "n": 0}}}},
			want:  map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "web", "n": 1}}}},
		},
		"type change shows the value": {v: "text", shape: map[string]any{"a": 1}, want: "text"},
		"empty map":                   {v: map[string]any{"medium": ""}, shape: map[string]any{}, want: map[string]any{}},
		"null in v is absent":         {v: map[string]any{"a": nil}, shape: map[string]any{"a": "x"}, want: map[string]any{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, intersect(tc.v, tc.shape, tc.field)); diff != "" {
				t.Errorf("intersect (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalQuantities(t *testing.T) {
	t.Parallel()
	obj := decode(t, `
spec:
  containers:
  - resources: {requests: {cpu: "0.1", memory: 32Mi}, limits: {cpu: 1, memory: "1073741824"}}
  volumes: [{emptyDir: {sizeLimit: "0.5Gi"}}]
  hard: {pods: "10"}
  other: {cpu: "0.1"}
`)
	custom := runtime.DeepCopyJSON(obj)
	CanonicalQuantities(obj, "")
	want := decode(t, `
spec:
  containers:
  - resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: "1", memory: "1073741824"}}
  volumes: [{emptyDir: {sizeLimit: 512Mi}}]
  hard: {pods: "10"}
  other: {cpu: "0.1"}
`)
	if diff := cmp.Diff(want, obj); diff != "" {
		t.Errorf("canonical quantities (-want +got):\n%s", diff)
	}
	before := runtime.DeepCopyJSON(custom)
	CanonicalQuantities(custom, "example.com")
	if diff := cmp.Diff(before, custom); diff != "" {
		t.Errorf("a custom kind's fields changed (-want +got):\n%s", diff)
	}
}

func TestPredicted(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		manifest, group, want string
	}{
		"built-in kind": {
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: new, creationTimestamp: null, annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: "0.5"}, limits: {memory: null}}}]
status: {phase: Pending}
`,
			want: `
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: new}
spec:
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m}, limits: {}}}]
`,
		},
		"custom kind keeps its quantities": {
			manifest: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {requests: {cpu: \"0.5\"}}\n",
			group:    "example.com",
			want:     "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {requests: {cpu: \"0.5\"}}\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			manifest := decode(t, tc.manifest)
			before := runtime.DeepCopyJSON(manifest)
			if diff := cmp.Diff(decode(t, tc.want), Predicted(manifest, tc.group)); diff != "" {
				t.Errorf("predicted (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, manifest); diff != "" {
				t.Errorf("Predicted changed the manifest (-before +after):\n%s", diff)
			}
		})
	}
}

func TestDropNulls(t *testing.T) {
	t.Parallel()
	obj := map[string]any{
		"a": nil,
		"b": map[string]any{"c": nil, "d": "x"},
		"l": []any{map[string]any{"e": nil}, nil, "y"},
	}
	DropNulls(obj)
	want := map[string]any{
		"b": map[string]any{"d": "x"},
		"l": []any{map[string]any{}, nil, "y"},
	}
	if diff := cmp.Diff(want, obj); diff != "" {
		t.Errorf("without nulls (-want +got):\n%s", diff)
	}
}

// decode reads one YAML document as the API client decodes JSON: numbers
// as int64 or float64.
func decode(t *testing.T, doc string) map[string]any {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
