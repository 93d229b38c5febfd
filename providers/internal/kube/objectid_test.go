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

func TestObjectID(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		id   string
		want ObjectID
	}{
		"namespaced":      {"apps/v1 Deployment web/web", ObjectID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "web", Name: "web"}},
		"core group":      {"v1 Namespace /web", ObjectID{Version: "v1", Kind: "Namespace", Name: "web"}},
		"colon in a name": {"rbac.authorization.k8s.io/v1 ClusterRole /system:reader", ObjectID{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", Name: "system:reader"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id, err := ParseObjectID(tc.id)
			if err != nil {
				t.Fatalf("parse %q: %v", tc.id, err)
			}
			if diff := cmp.Diff(tc.want, id); diff != "" {
				t.Errorf("parsed (-want +got):\n%s", diff)
			}
			if id.String() != tc.id {
				t.Errorf("round trip %q -> %q", tc.id, id.String())
			}
			u := &unstructured.Unstructured{}
			u.SetAPIVersion(id.APIVersion())
			u.SetKind(id.Kind)
			u.SetNamespace(id.Namespace)
			u.SetName(id.Name)
			if diff := cmp.Diff(tc.want, IDOf(u)); diff != "" {
				t.Errorf("ID of the object (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseObjectIDErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "v1 Namespace", "v1 Namespace web", "a/b/c Kind ns/n", "v1  ns/n"} {
		t.Run(bad, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseObjectID(bad); err == nil {
				t.Errorf("parse %q: no error", bad)
			}
		})
	}
}
