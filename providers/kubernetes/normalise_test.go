package kubernetes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/runtime"
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
`)[0].Object

	t.Run("noise only", func(t *testing.T) {
		t.Parallel()
		got := normalise(live, nil)
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
`)[0].Object
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
`)[0].Object
		if diff := cmp.Diff(want, normalise(live, shape)); diff != "" {
			t.Errorf("normalised (-want +got):\n%s", diff)
		}
	})
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v, shape, want any
	}{
		"scalar keeps the value":       {v: int64(1), shape: int64(3), want: int64(1)},
		"map keeps shared keys":        {v: map[string]any{"a": "x", "b": "y"}, shape: map[string]any{"a": "z", "c": "w"}, want: map[string]any{"a": "x"}},
		"list element-wise, shorter v": {v: []any{"a"}, shape: []any{"x", "y"}, want: []any{"a"}},
		"list element-wise, longer v":  {v: []any{"a", "b", "c"}, shape: []any{"x"}, want: []any{"a"}},
		"nested objects in a list": {
			v:     []any{map[string]any{"name": "a", "def": true}, map[string]any{"name": "b"}},
			shape: []any{map[string]any{"name": "x"}, map[string]any{"name": "y", "extra": 1}},
			want:  []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}},
		},
		"type change shows the value": {v: "text", shape: map[string]any{"a": 1}, want: "text"},
		"empty map":                   {v: map[string]any{"medium": ""}, shape: map[string]any{}, want: map[string]any{}},
		"null in v is absent":         {v: map[string]any{"a": nil}, shape: map[string]any{"a": "x"}, want: map[string]any{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, intersect(tc.v, tc.shape)); diff != "" {
				t.Errorf("intersect (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCtyRoundTrip(t *testing.T) {
	t.Parallel()
	obj := decode(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: x, labels: {a.b/c: d}}
data: {k: v}
list: [1, 2.5, "three", {x: true}]
empty: {}
`)[0].Object
	v, err := toCty(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("metadata").GetAttr("labels").GetAttr("a.b/c"); !got.RawEquals(cty.StringVal("d")) {
		t.Errorf("label = %#v", got)
	}
	back, err := fromCty(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(obj, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	again, err := toCty(back)
	if err != nil {
		t.Fatal(err)
	}
	if !again.RawEquals(v) {
		t.Errorf("values differ after a round trip:\n%#v\n%#v", v, again)
	}
}

func TestSecretPaths(t *testing.T) {
	t.Parallel()
	secret, _ := toCty(map[string]any{"kind": "Secret", "data": map[string]any{"a": "YQ=="}})
	cm, _ := toCty(map[string]any{"kind": "ConfigMap", "data": map[string]any{"a": "b"}})
	objs := cty.ObjectVal(map[string]cty.Value{
		"v1 Secret app/s":    secret,
		"v1 ConfigMap app/c": cm,
		"v1 Secret app/new":  cty.DynamicVal,
	})
	got := secretPaths(objs)
	want := []cty.Path{cty.GetAttrPath("objects").GetAttr("v1 Secret app/s").GetAttr("data")}
	if len(got) != 1 || !got[0].Equals(want[0]) {
		t.Errorf("secretPaths = %#v, want %#v", got, want)
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
`)[0].Object
	custom := runtime.DeepCopyJSON(obj)
	canonicalQuantities(obj, "")
	want := decode(t, `
spec:
  containers:
  - resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: "1", memory: "1073741824"}}
  volumes: [{emptyDir: {sizeLimit: 512Mi}}]
  hard: {pods: "10"}
  other: {cpu: "0.1"}
`)[0].Object
	if diff := cmp.Diff(want, obj); diff != "" {
		t.Errorf("canonical quantities (-want +got):\n%s", diff)
	}
	before := runtime.DeepCopyJSON(custom)
	canonicalQuantities(custom, "example.com")
	if diff := cmp.Diff(before, custom); diff != "" {
		t.Errorf("a custom kind's fields changed (-want +got):\n%s", diff)
	}
}
