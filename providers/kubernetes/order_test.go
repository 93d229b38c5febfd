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
	"testing"

	"github.com/google/go-cmp/cmp"

	"slipway.dev/slipway/providers/internal/kube"
)

func obj(t *testing.T, id string, wave int) *desiredObject {
	t.Helper()
	oid, err := kube.ParseObjectID(id)
	if err != nil {
		t.Fatal(err)
	}
	return &desiredObject{id: oid, wave: wave}
}

func TestApplyGroups(t *testing.T) {
	t.Parallel()
	objs := []*desiredObject{
		obj(t, "networking.k8s.io/v1 Ingress web/web", 0),
		obj(t, "apps/v1 Deployment web/web", 0),
		obj(t, "apps/v1 Deployment web/api", 0),
		obj(t, "v1 Service web/web", 0),
		obj(t, "example.com/v1 Widget web/w", 0),
		obj(t, "v1 ConfigMap web/late", 1),
		obj(t, "batch/v1 Job web/seed", -1),
		obj(t, "apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com", 5),
		obj(t, "v1 Secret web/creds", 0),
		obj(t, "v1 Namespace /web", 3),
		obj(t, "v1 ServiceAccount web/sa", 0),
		obj(t, "v1 ConfigMap web/settings", 0),
	}
	var got [][]string
	var crds []bool
	for _, g := range applyGroups(objs) {
		var names []string
		for _, o := range g.objects {
			names = append(names, o.id.String())
		}
		got = append(got, names)
		crds = append(crds, g.crds)
	}
	want := [][]string{
		{"v1 Namespace /web"},
		{"apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com"},
		{"batch/v1 Job web/seed"}, // wave -1
		{"v1 ServiceAccount web/sa"},
		{"v1 Secret web/creds"},
		{"v1 ConfigMap web/settings"},
		{"v1 Service web/web"},
		{"apps/v1 Deployment web/api", "apps/v1 Deployment web/web"},
		{"networking.k8s.io/v1 Ingress web/web"},
		{"example.com/v1 Widget web/w"}, // unknown kinds last
		{"v1 ConfigMap web/late"},       // wave 1
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("apply groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false, true, false, false, false, false, false, false, false, false, false}, crds); diff != "" {
		t.Errorf("crd groups (-want +got):\n%s", diff)
	}
}

func TestDeleteOrder(t *testing.T) {
	t.Parallel()
	var in []kube.ObjectID
	for _, s := range []string{
		"v1 Namespace /web",
		"v1 ConfigMap web/settings",
		"apps/v1 Deployment web/web",
		"apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com",
		"example.com/v1 Widget web/w",
		"v1 Service web/web",
	} {
		id, err := kube.ParseObjectID(s)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, id)
	}
	var got []string
	for _, id := range deleteOrder(in) {
		got = append(got, id.String())
	}
	want := []string{
		"example.com/v1 Widget web/w",
		"apps/v1 Deployment web/web",
		"v1 Service web/web",
		"v1 ConfigMap web/settings",
		"apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com",
		"v1 Namespace /web",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delete order (-want +got):\n%s", diff)
	}
}
