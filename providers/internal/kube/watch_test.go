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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestNotOlder(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b string
		want bool
	}{
		"newer":                       {"120", "99", true},
		"same":                        {"42", "42", true},
		"older":                       {"99", "120", false},
		"not comparable, same":        {"a1", "a1", true},
		"not comparable, different":   {"a2", "a1", false},
		"one comparable, other not":   {"5", "x", false},
		"zero is never a live object": {"0", "0", true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := notOlder(tt.a, tt.b); got != tt.want {
				t.Errorf("notOlder(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// TestSlimKeepsWhatHealthReads: the watches drop managedFields, the last
// applied configuration and the data of ConfigMaps and Secrets, and keep
// what health reads.
func TestSlimKeepsWhatHealthReads(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"deployment": {
			in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  generation: 2
  managedFields: [{manager: slipway}]
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", team: a}
spec: {replicas: 1}
status: {observedGeneration: 2}
`,
			want: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 2, annotations: {team: a}}
spec: {replicas: 1}
status: {observedGeneration: 2}
`,
		},
		"secret": {
			in:   "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {k: dg==}\n",
			want: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n",
		},
		"configmap": {
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\nbinaryData: {b: dg==}\n",
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := slim(&unstructured.Unstructured{Object: decode(t, tt.in)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tt.want), got.(*unstructured.Unstructured).Object); diff != "" {
				t.Errorf("slim (-want +got):\n%s", diff)
			}
		})
	}
}
