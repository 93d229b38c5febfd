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
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// crdFile is a CustomResourceDefinition of kind in group
// subcrds.helm.slipway.dev, as a chart's crds/ holds it.
func crdFile(kind, plural string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ` + plural + `.subcrds.helm.slipway.dev
spec:
  group: subcrds.helm.slipway.dev
  names: {kind: ` + kind + `, listKind: ` + kind + `List, plural: ` + plural + `, singular: ` + plural[:len(plural)-1] + `}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`
}

// TestSubchartCRDsNoChurn: the CRDs of a subchart's crds/, which Helm
// installs with the chart's own but does not keep in its record of the
// release, are in the state as in the plan, so an unchanged chart plans
// no change after its install, after a refresh too, and is in sync.
func TestSubchartCRDsNoChurn(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster)
	const ns = "helm-subchart-crds"
	dir := sdktest.WriteTree(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: platform\nversion: 0.1.0\n" +
			"dependencies:\n- name: operator\n  version: 0.1.0\n",
		"crds/gadgets.yaml":                     crdFile("Gadget", "gadgets"),
		"templates/configmap.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-settings}\ndata: {color: blue}\n",
		"charts/operator/Chart.yaml":            "apiVersion: v2\nname: operator\nversion: 0.1.0\n",
		"charts/operator/crds/widgets.yaml":     crdFile("Widget", "widgets"),
		"charts/operator/templates/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-operator}\ndata: {mode: watch}\n",
	})
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("platform"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
		"create_namespace": cty.True,
	})
	const (
		gadgetsID = "apiextensions.k8s.io/v1 CustomResourceDefinition /gadgets.subcrds.helm.slipway.dev"
		widgetsID = "apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.subcrds.helm.slipway.dev"
	)
	s := newSession(t, c)
	resp, _ := s.Sync(config)
	if diff := cmp.Diff([]string{
		gadgetsID, widgetsID, "v1 ConfigMap " + ns + "/platform-operator", "v1 ConfigMap " + ns + "/platform-settings",
	}, sdktest.Keys(resp.NewState.GetAttr("objects"))); diff != "" {
		t.Errorf("installed objects (-want +got):\n%s", diff)
	}

	// Nothing changed: the plan is the state, after a refresh too, and
	// applying it makes no new revision.
	for i, refresh := range []bool{false, true} {
		if refresh {
			s.Refresh()
		}
		plan := s.Plan(config)
		if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
			t.Errorf("re-plan %d differs from the state at %v", i+1, d)
		}
		resp, _ = s.Apply(config, plan)
		sdktest.CheckDiags(t, "no-op apply", resp.Diagnostics)
	}
	if diff := cmp.Diff([]string{"1 deployed platform-0.1.0"}, helmHistory(t, cluster, ns, "platform")); diff != "" {
		t.Errorf("helm history after unchanged applies (-want +got):\n%s", diff)
	}
	if st := s.Status(); st.Sync != sdk.Synced || len(st.Objects) != 4 {
		t.Errorf("status = %s with %d objects (%s), want Synced with 4", st.Sync, len(st.Objects), st.Message)
	}
	s.Destroy()
}
