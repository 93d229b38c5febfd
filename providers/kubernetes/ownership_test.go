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
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/providers/internal/kube"
)

const slipwayFields = `{
  "f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}, "f:slipway.dev/app": {}}, "f:finalizers": {"v:\"example.com/keep\"": {}}},
  "f:spec": {
    "f:replicas": {},
    "f:selector": {},
    "f:template": {
      "f:metadata": {"f:labels": {"f:app": {}}},
      "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
        ".": {}, "f:image": {}, "f:name": {},
        "f:resources": {"f:limits": {"f:cpu": {}}},
        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
      }}}
    }
  }
}`

const desiredDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  labels: {app.kubernetes.io/managed-by: slipway, slipway.dev/app: web}
  finalizers: [example.com/keep]
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        resources: {limits: {cpu: "0.5"}}
        ports: [{containerPort: 80}]
`

// liveDeployment is the desired Deployment as the server would hold it:
// defaults filled in, quantities canonical, and managedFields.
func liveDeployment(t *testing.T, mutate func(obj map[string]any), fields string, apiVersion string) *unstructured.Unstructured {
	t.Helper()
	u := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  uid: abc
  labels: {app.kubernetes.io/managed-by: slipway, slipway.dev/app: web}
  finalizers: [example.com/keep]
spec:
  replicas: 2
  revisionHistoryLimit: 10
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        imagePullPolicy: Always
        resources: {limits: {cpu: 500m}}
        ports: [{containerPort: 80, protocol: TCP}]
      - name: injected
        image: proxy
`)[0]
	if mutate != nil {
		mutate(u.Object)
	}
	if fields != "" {
		u.SetManagedFields([]metav1.ManagedFieldsEntry{
			{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "apps/v1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:status":{}}`)}, Subresource: "status"},
			{Manager: kube.FieldManager, Operation: metav1.ManagedFieldsOperationApply, APIVersion: apiVersion, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}},
		})
	}
	return u
}

func TestStillApplied(t *testing.T) {
	t.Parallel()
	withoutReplicas := strings.Replace(slipwayFields, `"f:replicas": {},`, "", 1)
	tests := map[string]struct {
		mutate     func(map[string]any)
		desired    func(map[string]any)
		fields     string
		apiVersion string
		want       bool
	}{
		"unchanged": {fields: slipwayFields, want: true},
		"replicas taken by kubectl scale": {
			fields: withoutReplicas,
			mutate: func(o map[string]any) { o["spec"].(map[string]any)["replicas"] = int64(5) },
		},
		"value changed but still owned": {
			fields: slipwayFields,
			mutate: func(o map[string]any) { o["spec"].(map[string]any)["replicas"] = int64(5) },
		},
		"new field in the manifest": {
			fields:  slipwayFields,
			desired: func(o map[string]any) { o["spec"].(map[string]any)["paused"] = true },
		},
		"label removed by hand": {
			fields: slipwayFields,
			mutate: func(o map[string]any) {
				delete(o["metadata"].(map[string]any)["labels"].(map[string]any), labelApp)
			},
		},
		"container image changed": {
			fields: slipwayFields,
			mutate: func(o map[string]any) {
				c := o["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0]
				c.(map[string]any)["image"] = "httpd"
			},
		},
		"applied at another version": {fields: slipwayFields, apiVersion: "apps/v1beta2"},
		"never applied by slipway":   {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			apiVersion := tc.apiVersion
			if apiVersion == "" {
				apiVersion = "apps/v1"
			}
			live := liveDeployment(t, tc.mutate, tc.fields, apiVersion)
			desired := decode(t, desiredDeployment)[0].Object
			if tc.desired != nil {
				tc.desired(desired)
			}
			if got := stillApplied(live, desired); got != tc.want {
				t.Errorf("stillApplied = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScalarEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b any
		want bool
	}{
		{int64(1), float64(1), true},
		{int64(1), int64(2), false},
		{"0.5", "500m", true},
		{int64(1), "1", true},
		{"1Gi", "1073741824", true},
		{"a", "b", false},
		{true, true, true},
		{true, "true", false},
		{nil, nil, true},
		{"", nil, false},
	}
	for _, tc := range tests {
		if got := scalarEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("scalarEqual(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
