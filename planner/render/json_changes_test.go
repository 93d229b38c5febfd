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

package render

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// TestJSONFlatChanges checks the fields of "changes" that the golden
// files leave empty: images of workloads and of pipelines, replicas, a
// rollout, values read from before for a delete, and a sensitive image
// kept out.
func TestJSONFlatChanges(t *testing.T) {
	t.Parallel()
	cron := obj(map[string]cty.Value{
		"apiVersion": str("batch/v1"), "kind": str("CronJob"),
		"metadata": obj(map[string]cty.Value{"name": str("nightly"), "namespace": str("prod-web")}),
		"spec": obj(map[string]cty.Value{"jobTemplate": obj(map[string]cty.Value{"spec": obj(map[string]cty.Value{
			"template": obj(map[string]cty.Value{"spec": obj(map[string]cty.Value{
				"initContainers": cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"image": str("busybox:1.36")})}),
				"containers":     cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"image": str("reg.example/job@sha256:ab")})}),
			})}),
		})})}),
	})
	secretImage := deployment("reg.example/secret:1", 3)
	p := plan(
		&plans.ResourceChange{
			Addr: addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey), Provider: k8sProvider,
			Action: plans.Update, Rollout: "rollout.canary",
			Before: obj(map[string]cty.Value{"namespace": str("prod-web")}),
			After:  obj(map[string]cty.Value{"namespace": str("prod-web")}),
			Nested: []*plans.NestedChange{
				{Address: "batch/v1 CronJob prod-web/nightly", Action: plans.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cron},
				{Address: "apps/v1 Deployment web/web", Action: plans.Delete, Before: deployment("reg.example/web:latest", 12), After: cty.NullVal(cty.DynamicPseudoType)},
				{Address: "apps/v1 Deployment web/promoted", Action: plans.Update, Before: deployment("reg.example/old:1", 2), After: cty.DynamicVal},
				{Address: "v1 Namespace prod-web", Action: plans.Delete, Before: obj(map[string]cty.Value{"apiVersion": str("v1"), "kind": str("Namespace"), "metadata": obj(map[string]cty.Value{"name": str("prod-web")})}), After: cty.NullVal(cty.DynamicPseudoType)},
				{
					Address: "hook PreSync rbac.authorization.k8s.io/v1 ClusterRoleBinding /escalate", Action: plans.Run, Before: cty.NullVal(cty.DynamicPseudoType),
					After: obj(map[string]cty.Value{"phase": str("PreSync"), "id": str("rbac.authorization.k8s.io/v1 ClusterRoleBinding /escalate")}),
				},
				{
					Address: "hook PostSync batch/v1 Job prod-web/smoke-… (generateName smoke-)", Action: plans.Run, Before: cty.NullVal(cty.DynamicPseudoType),
					After: obj(map[string]cty.Value{"phase": str("PostSync"), "id": str("batch/v1 Job prod-web/smoke-…")}),
				},
				{
					Address: "apps/v1 Deployment web/secret", Action: plans.Create, Before: cty.NullVal(cty.DynamicPseudoType), After: secretImage,
					AfterSensitive: []cty.Path{cty.GetAttrPath("spec").GetAttr("template").GetAttr("spec").GetAttr("containers").IndexInt(0).GetAttr("image")},
				},
			},
		},
		&plans.ResourceChange{
			Addr: addrs.Resource{Kind: addrs.Pipeline, Name: "myapp"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "slipway"},
			Action: plans.Run, Before: cty.NullVal(cty.DynamicPseudoType),
			After: obj(map[string]cty.Value{
				"stages": cty.ListVal([]cty.Value{str("test"), str("build")}),
				"image": cty.MapVal(map[string]cty.Value{"myapp": obj(map[string]cty.Value{
					"repository": str("reg.example/myapp"), "tags": cty.ListVal([]cty.Value{str("v1"), str("latest")}),
				})}),
			}),
			Nested: []*plans.NestedChange{{
				Address: "image.myapp", Action: plans.Create, Before: cty.NullVal(cty.DynamicPseudoType),
				After: obj(map[string]cty.Value{"repository": str("reg.example/myapp"), "tags": cty.ListVal([]cty.Value{str("v1")})}),
			}},
		},
	)
	b, err := JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changes []jsonFlatChange `json:"changes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Address, Action, Kind, Namespace, App, Pipeline, Rollout string
		Images, Stages                                           []string
		Replicas                                                 int64
	}
	var got []row
	for _, c := range doc.Changes {
		r := row{c.Address, c.Action, c.Kind, c.Namespace, c.App, c.Pipeline, c.Rollout, c.Images, c.Stages, -1}
		if c.Replicas != nil {
			r.Replicas = *c.Replicas
		}
		got = append(got, r)
	}
	none := []string{}
	want := []row{
		{"app.web", "update", "app", "prod-web", "web", "", "rollout.canary", none, none, -1},
		{"app.web batch/v1 CronJob prod-web/nightly", "create", "CronJob", "prod-web", "web", "", "", []string{"busybox:1.36", "reg.example/job@sha256:ab"}, none, -1},
		{"app.web apps/v1 Deployment web/web", "delete", "Deployment", "web", "web", "", "", []string{"reg.example/web:latest"}, none, 12},
		{"app.web apps/v1 Deployment web/promoted", "update", "Deployment", "web", "web", "", "", none, none, -1},
		{"app.web v1 Namespace prod-web", "delete", "Namespace", "prod-web", "web", "", "", none, none, -1},
		{"app.web hook PreSync rbac.authorization.k8s.io/v1 ClusterRoleBinding /escalate", "run", "ClusterRoleBinding", "", "web", "", "", none, none, -1},
		{"app.web hook PostSync batch/v1 Job prod-web/smoke-… (generateName smoke-)", "run", "Job", "prod-web", "web", "", "", none, none, -1},
		{"app.web apps/v1 Deployment web/secret", "create", "Deployment", "web", "web", "", "", none, none, 3},
		{"pipeline.myapp", "run", "pipeline", "", "", "myapp", "", []string{"reg.example/myapp:v1", "reg.example/myapp:latest"}, []string{"test", "build"}, -1},
		{"pipeline.myapp image.myapp", "create", "image", "", "", "myapp", "", []string{"reg.example/myapp:v1"}, none, -1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	for _, c := range doc.Changes {
		if want := c.Object == "apps/v1 Deployment web/promoted"; c.Unknown != want {
			t.Errorf("%s: unknown = %v, want %v", c.Address, c.Unknown, want)
		}
	}
}

// TestJSONFlatChangesNeverShowWhatIsHidden: an app whose objects are
// computed from a sensitive value (one of its values is a secret) has
// them hidden after the change. The flat entries say so (sensitive), and
// carry no images or replicas: never those the objects had before, which
// a policy would then judge in place of the new ones. A new app whose
// objects are known only after apply says so on its own entry, since it
// has no object entries to say it.
func TestJSONFlatChangesNeverShowWhatIsHidden(t *testing.T) {
	t.Parallel()
	objects := cty.GetAttrPath("objects")
	appAddr := func(name string) addrs.ResourceInstance {
		return addrs.Resource{Kind: addrs.App, Name: name}.Instance(addrs.NoKey)
	}
	p := plan(
		&plans.ResourceChange{
			// Compliant before; after, a secret value hides a latest
			// image and 50 replicas.
			Addr: appAddr("web"), Provider: k8sProvider, Action: plans.Update,
			Before:         obj(map[string]cty.Value{"namespace": str("prod-web"), "objects": obj(map[string]cty.Value{"apps/v1 Deployment prod-web/web": deployment("reg.example/web@sha256:ab", 2)})}),
			After:          obj(map[string]cty.Value{"namespace": str("prod-web"), "objects": obj(map[string]cty.Value{"apps/v1 Deployment prod-web/web": deployment("reg.example/web:latest", 50)})}),
			AfterSensitive: []cty.Path{objects},
			Nested: []*plans.NestedChange{{
				Address: "apps/v1 Deployment prod-web/web", Action: plans.Update,
				Before: deployment("reg.example/web@sha256:ab", 2), After: deployment("reg.example/web:latest", 50),
				AfterSensitive: []cty.Path{{}},
			}},
		},
		&plans.ResourceChange{
			Addr: appAddr("api"), Provider: k8sProvider, Action: plans.Create,
			Before: cty.NullVal(cty.DynamicPseudoType),
			After:  obj(map[string]cty.Value{"namespace": str("prod-api"), "objects": cty.DynamicVal}),
		},
		&plans.ResourceChange{
			Addr: appAddr("plain"), Provider: k8sProvider, Action: plans.Update,
			Before: obj(map[string]cty.Value{"namespace": str("dev"), "objects": obj(map[string]cty.Value{})}),
			After:  obj(map[string]cty.Value{"namespace": str("dev"), "objects": obj(map[string]cty.Value{})}),
		},
	)
	b, err := JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changes []jsonFlatChange `json:"changes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Address            string
		Images             []string
		Replicas           bool
		Unknown, Sensitive bool
	}
	var got []row
	for _, c := range doc.Changes {
		got = append(got, row{c.Address, c.Images, c.Replicas != nil, c.Unknown, c.Sensitive})
	}
	none := []string{}
	want := []row{
		{"app.web", none, false, false, true},
		{"app.web apps/v1 Deployment prod-web/web", none, false, false, true},
		{"app.api", none, false, true, false},
		{"app.plain", none, false, false, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}
