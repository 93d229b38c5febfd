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

package helm

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// TestCustomResourceHandEditPutBack: Helm upgrades a custom resource with
// a two-way merge of the old and new manifests, which sees nothing to do
// when the chart did not change. A hand edit of a field the chart sets
// is still drift the plan shows, and its apply puts the chart's value
// back (and leaves alone a field the chart does not set), so that the
// next plan is empty and Helm's history does not grow with every apply.
func TestCustomResourceHandEditPutBack(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-cr-drift"
	dir := sdktest.WriteTree(t, map[string]string{
		"Chart.yaml":      "apiVersion: v2\nname: dials\nversion: 0.1.0\n",
		"values.yaml":     "color: blue\n",
		"crds/dials.yaml": crdFile("Dial", "dials"),
		"templates/dial.yaml": `apiVersion: subcrds.helm.slipway.dev/v1
kind: Dial
metadata: {name: {{ .Release.Name }}}
spec:
  color: {{ .Values.color | quote }}
  size: 3
`,
	})
	configWith := func(values string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("dials"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
			"create_namespace": cty.True, "values": cty.StringVal(values),
		})
	}
	config := configWith("{}")
	dials := schema.GroupVersionResource{Group: "subcrds.helm.slipway.dev", Version: "v1", Resource: "dials"}
	const dialID = "subcrds.helm.slipway.dev/v1 Dial " + ns + "/dials"
	s := sdktest.NewSession(t, c, "helm_release")
	s.Sync(config)
	s.Refresh()
	if d := sdktest.DiffPaths(s.State, s.Plan(config).PlannedState); len(d) > 0 {
		t.Fatalf("re-plan after the install differs from the state at %v", d)
	}

	// By hand: a field the chart sets changed, another it sets removed,
	// and one it does not set added.
	if _, err := k.Dynamic.Resource(dials).Namespace(ns).Patch(t.Context(), "dials", types.MergePatchType,
		[]byte(`{"spec":{"color":"red","size":null,"note":"mine"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	plan := s.Plan(config)
	if diff := cmp.Diff([]string{
		`objects["` + dialID + `"].spec.color`, `objects["` + dialID + `"].spec.size`, "release_revision",
	}, sdktest.DiffPaths(s.State, plan.PlannedState)); diff != "" {
		t.Errorf("plan after a hand edit of the custom resource (-want +got):\n%s", diff)
	}
	resp, progress := s.Apply(config, plan)
	sdktest.CheckDiags(t, "apply after the hand edit", resp.Diagnostics)
	if !slices.Contains(progress, dialID+" put back as the chart renders it") {
		t.Errorf("no progress of the custom resource put back among %q", progress)
	}
	if d := sdktest.DiffPaths(plan.PlannedState.GetAttr("objects"), resp.NewState.GetAttr("objects")); len(d) > 0 {
		t.Errorf("applied objects differ from the plan at %v", d)
	}
	spec, _, _ := unstructured.NestedMap(k.Get(dials, ns, "dials").Object, "spec")
	if diff := cmp.Diff(map[string]any{"color": "blue", "size": int64(3), "note": "mine"}, spec); diff != "" {
		t.Errorf("live spec after the apply (-want +got):\n%s", diff)
	}
	want := []string{"1 superseded dials-0.1.0", "2 deployed dials-0.1.0"}
	if diff := cmp.Diff(want, helmHistory(t, cluster, ns, "dials")); diff != "" {
		t.Errorf("helm history after the apply (-want +got):\n%s", diff)
	}

	// Put back: nothing to do any more, and no new revision.
	for i := range 2 {
		s.Refresh()
		plan = s.Plan(config)
		if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
			t.Errorf("plan %d after the apply differs from the state at %v", i+1, d)
		}
		resp, _ = s.Apply(config, plan)
		sdktest.CheckDiags(t, "no-op apply", resp.Diagnostics)
	}
	if diff := cmp.Diff(want, helmHistory(t, cluster, ns, "dials")); diff != "" {
		t.Errorf("helm history after the plans that followed (-want +got):\n%s", diff)
	}

	// A change of the chart's value is Helm's upgrade as before, over
	// the fields put back.
	s.Refresh()
	plan = s.Plan(configWith("color: green\n"))
	if diff := cmp.Diff([]string{`["` + dialID + `"].spec.color`},
		sdktest.DiffPaths(s.State.GetAttr("objects"), plan.PlannedState.GetAttr("objects"))); diff != "" {
		t.Errorf("plan of a values change (-want +got):\n%s", diff)
	}
	resp, progress = s.Apply(configWith("color: green\n"), plan)
	sdktest.CheckDiags(t, "upgrade", resp.Diagnostics)
	if slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, "put back") }) {
		t.Errorf("an upgrade without drift put objects back: %q", progress)
	}
	spec, _, _ = unstructured.NestedMap(k.Get(dials, ns, "dials").Object, "spec")
	if diff := cmp.Diff(map[string]any{"color": "green", "size": int64(3), "note": "mine"}, spec); diff != "" {
		t.Errorf("live spec after the upgrade (-want +got):\n%s", diff)
	}
	s.Refresh()
	if d := sdktest.DiffPaths(s.State, s.Plan(configWith("color: green\n")).PlannedState); len(d) > 0 {
		t.Errorf("re-plan after the upgrade differs from the state at %v", d)
	}
	s.Destroy()
}

// TestMergedTwoWay: the kinds Helm's upgrade patches without looking at
// the live object are those its kube client has no type for.
func TestMergedTwoWay(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind string
		want             bool
	}{
		{"v1", "ConfigMap", false},
		{"apps/v1", "Deployment", false},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", false},
		{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", true},
		{"monitoring.coreos.com/v1", "ServiceMonitor", true},
		{"cert-manager.io/v1", "Certificate", true},
	} {
		obj := map[string]any{"apiVersion": tc.apiVersion, "kind": tc.kind, "metadata": map[string]any{"name": "x", "namespace": "ns"}}
		gvk := schema.FromAPIVersionAndKind(tc.apiVersion, tc.kind)
		if got := mergedTwoWay(obj, &meta.RESTMapping{GroupVersionKind: gvk}); got != tc.want {
			t.Errorf("mergedTwoWay(%s) = %v, want %v", gvk, got, tc.want)
		}
	}
}
