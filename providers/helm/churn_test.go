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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// churnChart is a chart in the shape of public ones: helpers, a
// Deployment whose pod template carries a checksum of its ConfigMap, a
// Service, a Secret that keeps a generated password through lookup, and
// a ConfigMap with a token that is random on every render.
func churnChart() map[string]string {
	return map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: churn\nversion: 0.1.0\nappVersion: \"1.0\"\n",
		"values.yaml": "replicas: 1\ngreeting: hello\n",
		"templates/_helpers.tpl": `{{- define "churn.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}`,
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "churn.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    spec:
      containers:
        - name: web
          image: registry.example/web:{{ .Chart.AppVersion }}
          resources: {requests: {cpu: "0.1", memory: 64Mi}}
`,
		"templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80, targetPort: 8080}]
`,
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
`,
		"templates/token.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-token
data:
  token: {{ randAlphaNum 16 | quote }}
`,
		"templates/secret.yaml": `{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-auth" .Release.Name) }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-auth
data:
  password: {{ if $existing }}{{ index $existing.data "password" }}{{ else }}{{ randAlphaNum 24 | b64enc }}{{ end }}
`,
	}
}

// TestChartNoChurn checks that an unchanged chart is not upgraded again
// (one helm revision), that a values change upgrades it once with exactly
// the changed field, and that random fields are found and never decide.
func TestChartNoChurn(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-churn"
	dir := sdktest.WriteTree(t, churnChart())
	config := func(values string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("churn"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
			"values": cty.StringVal(values), "create_namespace": cty.True,
		})
	}
	const (
		deployID = "apps/v1 Deployment " + ns + "/churn"
		tokenID  = "v1 ConfigMap " + ns + "/churn-token"
		secretID = "v1 Secret " + ns + "/churn-auth"
	)
	s := sdktest.NewSession(t, c, "helm_release")

	plan := s.Plan(config("{}"))
	random := plan.PlannedState.GetAttr("random_fields")
	if got := random.Index(cty.StringVal(tokenID)); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("/data/token")})) {
		t.Errorf("random fields of the token = %#v, want /data/token", got)
	}
	if got := plan.PlannedState.GetAttr("objects").GetAttr(tokenID).GetAttr("data").GetAttr("token"); got.IsKnown() {
		t.Errorf("planned token = %#v, want unknown: helm renders it anew at install", got)
	}
	resp, _ := s.Apply(config("{}"), plan)
	sdktest.CheckDiags(t, "install", resp.Diagnostics)
	password := k.Get(kubetest.Secrets, ns, "churn-auth").Object["data"]

	// Nothing changed: the plan is the state, twice, and applying it
	// makes no new revision.
	for i := range 2 {
		s.Refresh()
		plan = s.Plan(config("{}"))
		if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
			t.Errorf("re-plan %d differs from the state at %v", i+1, d)
		}
		if got := plan.PlannedState.GetAttr("release_revision"); !got.RawEquals(cty.NumberIntVal(1)) {
			t.Errorf("re-plan %d: release_revision = %#v, want 1", i+1, got)
		}
		resp, _ = s.Apply(config("{}"), plan)
		sdktest.CheckDiags(t, "no-op apply", resp.Diagnostics)
	}
	if diff := cmp.Diff([]string{"1 deployed churn-0.1.0"}, helmHistory(t, cluster, ns, "churn")); diff != "" {
		t.Errorf("helm history after unchanged applies (-want +got):\n%s", diff)
	}

	// A hand edit of a live object is what helm would send differently.
	s.Refresh()
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Patch(t.Context(), "churn", types.MergePatchType,
		[]byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	plan = s.Plan(config("{}"))
	// The upgrade finds random fields anew: the Secret's password is no
	// longer among them, since lookup finds it now.
	if diff := cmp.Diff([]string{`objects["` + deployID + `"].spec.replicas`, `objects["` + tokenID + `"].data.token`,
		`random_fields["` + secretID + `"]`, "release_revision"},
		sdktest.DiffPaths(s.State, plan.PlannedState)); diff != "" {
		t.Errorf("plan after a hand edit (-want +got):\n%s", diff)
	}

	// One value: exactly that field, and the random token, change.
	s.Refresh()
	plan = s.Plan(config("replicas: 3\n"))
	if diff := cmp.Diff([]string{`["` + deployID + `"].spec.replicas`, `["` + tokenID + `"].data.token`},
		sdktest.DiffPaths(s.State.GetAttr("objects"), plan.PlannedState.GetAttr("objects"))); diff != "" {
		t.Errorf("plan of a values change (-want +got):\n%s", diff)
	}
	resp, _ = s.Apply(config("replicas: 3\n"), plan)
	sdktest.CheckDiags(t, "upgrade", resp.Diagnostics)
	if diff := cmp.Diff([]string{"1 superseded churn-0.1.0", "2 deployed churn-0.1.0"}, helmHistory(t, cluster, ns, "churn")); diff != "" {
		t.Errorf("helm history after the upgrade (-want +got):\n%s", diff)
	}
	if got := k.Get(kubetest.Secrets, ns, "churn-auth").Object["data"]; !cmp.Equal(password, got) {
		t.Errorf("the looked-up password changed with the upgrade: %v -> %v", password, got)
	}
	s.Refresh()
	plan = s.Plan(config("replicas: 3\n"))
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
		t.Errorf("re-plan after the upgrade differs from the state at %v", d)
	}
	s.Destroy()
}
