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
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// TestPlanWithoutRender: an app whose files and configuration are those
// its last apply recorded, with every object as that apply left it, is
// planned without decoding a manifest (its plan carries no manifests);
// anything else about it (drift, a changed file, a kustomization) is
// planned in full. A plan made from the digest alone that apply finds
// outdated applies nothing.
func TestPlanWithoutRender(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster, "")
	k := kubetest.New(t, cluster)
	ns := "e2e-norender"
	dir := sdktest.WriteTree(t, map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {release: \"1\"}\n",
		"deploy/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx}]}
`,
	})
	config := func(revision string) cty.Value {
		return appConfigVal(map[string]cty.Value{
			"name": cty.StringVal("norender"), "manifests_dir": cty.StringVal(dir),
			"namespace": cty.StringVal(ns), "create_namespace": cty.True, "prune": cty.True,
			"revision": cty.StringVal(revision),
		})
	}
	s := newSession(t, c)
	s.Sync(config("a"))
	if p := mustPrivate(t, s.Private); p.Inputs == "" {
		t.Fatalf("the apply recorded no digest of its inputs: %+v", p)
	}

	// plan refreshes first, as the core does, and plans from what the
	// refresh returned.
	plan := func(revision string) (sdk.PlanResponse, privateData) {
		t.Helper()
		s.Refresh()
		r := s.Plan(config(revision))
		return r, mustPrivate(t, r.PlannedPrivate)
	}
	rendered := func(p privateData) bool { return len(p.Manifests) > 0 }

	r, p := plan("a")
	if rendered(p) || !r.Unchanged || !r.PlannedState.RawEquals(s.State) {
		t.Fatalf("no-op plan: rendered %v, unchanged %v, changes %v", rendered(p), r.Unchanged, sdktest.DiffPaths(s.State, r.PlannedState))
	}
	if len(p.Unchanged) != 3 || p.Inputs == "" {
		t.Errorf("no-op plan's private: %+v, want its 3 objects unchanged and the digest", p)
	}

	// Drift: someone changes the ConfigMap. The refresh shows it, and the
	// plan, in full, puts it back.
	cms := k.Dynamic.Resource(kubetest.ConfigMaps).Namespace(ns)
	if _, err := cms.Patch(t.Context(), "settings", types.MergePatchType, []byte(`{"data":{"release":"by hand"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	r, p = plan("a")
	if !rendered(p) || r.Unchanged {
		t.Fatalf("plan after drift: rendered %v, unchanged %v", rendered(p), r.Unchanged)
	}
	if got := attrOr(r.PlannedState, "objects").GetAttr("v1 ConfigMap " + ns + "/settings").GetAttr("data").GetAttr("release"); got.AsString() != "1" {
		t.Errorf("plan after drift puts release = %#v back, want \"1\"", got)
	}
	if resp, _ := s.Apply(config("a"), r); resp.Diagnostics.HasErrors() {
		t.Fatalf("apply after drift: %v", resp.Diagnostics)
	}

	// A new revision that leaves the files alone: unchanged, from the
	// digest alone. The revision is Provenance: the host records the
	// new one without an apply.
	before, err := cms.Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, p = plan("b")
	if rendered(p) || !r.Unchanged || !r.PlannedState.RawEquals(s.State) {
		t.Fatalf("plan of a new revision: rendered %v, unchanged %v, changes %v", rendered(p), r.Unchanged, sdktest.DiffPaths(s.State, r.PlannedState))
	}
	// A change of a setting that shapes no object: planned from the
	// digest too, and applied without sending an object again.
	healing := sdk.With(config("b"), "self_heal", cty.True)
	s.Refresh()
	r = s.Plan(healing)
	p = mustPrivate(t, r.PlannedPrivate)
	if rendered(p) || r.Unchanged {
		t.Fatalf("plan of self_heal: rendered %v, unchanged %v", rendered(p), r.Unchanged)
	}
	if d := sdktest.DiffPaths(s.State, r.PlannedState); len(d) != 2 || !strings.Contains(strings.Join(d, " "), "self_heal") {
		t.Errorf("plan of self_heal changes %v, want self_heal and the revision only", d)
	}
	if resp, _ := s.Apply(healing, r); resp.Diagnostics.HasErrors() {
		t.Fatalf("apply of self_heal: %v", resp.Diagnostics)
	}
	after, err := cms.Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Errorf("apply of self_heal sent the unchanged ConfigMap again")
	}
	if mustPrivate(t, s.Private).Inputs != p.Inputs {
		t.Errorf("apply of self_heal dropped the digest")
	}

	// The same, but a file changes between plan and apply: apply refuses.
	r, p = plan("c")
	if rendered(p) || r.Unchanged {
		t.Fatalf("plan of self_heal unset: rendered %v, unchanged %v", rendered(p), r.Unchanged)
	}
	writeFile(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {release: \"2\"}\n")
	resp, _ := s.Apply(config("c"), r)
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Summary, "Manifests changed since the plan") {
		t.Fatalf("apply of an outdated plan: %v, want Manifests changed since the plan", resp.Diagnostics)
	}
	if got, _ := cms.Get(t.Context(), "settings", metav1.GetOptions{}); got.Object["data"].(map[string]any)["release"] != "1" {
		t.Errorf("apply of an outdated plan changed the ConfigMap: %v", got.Object["data"])
	}

	// The changed file: planned in full, and applied.
	r, p = plan("c")
	if !rendered(p) || r.Unchanged {
		t.Fatalf("plan of a changed file: rendered %v, unchanged %v", rendered(p), r.Unchanged)
	}
	if resp, _ := s.Apply(config("c"), r); resp.Diagnostics.HasErrors() {
		t.Fatalf("apply of a changed file: %v", resp.Diagnostics)
	}
	if _, p = plan("c"); rendered(p) {
		t.Error("the plan after applying the changed file rendered the manifests")
	}

	// A kustomization is always rendered: what krusty reads is not
	// hashed.
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "resources: [cm.yaml, deploy/web.yaml]\n")
	s.Sync(config("c"))
	if p := mustPrivate(t, s.Private); p.Inputs != "" {
		t.Errorf("a kustomization's apply recorded a digest %q", p.Inputs)
	}
	if _, p = plan("c"); !rendered(p) {
		t.Error("a kustomization was planned without rendering")
	}
	s.Destroy()
}

func mustPrivate(t *testing.T, b []byte) privateData {
	t.Helper()
	p, err := decodePrivate(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
