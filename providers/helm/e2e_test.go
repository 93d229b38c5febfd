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
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kubetest"
	"slipway.dev/slipway/providers/testbed"
)

// End-to-end tests: the provider runs as a plugin process, talks to a
// real control plane (testbed) with Helm's real actions, and each test
// works in its own namespace.

// webChart is a chart with a Deployment, a Service, a ConfigMap made from
// values, a Secret, an optional object in another namespace, and a
// dependency subchart in charts/.
func webChart(version string) map[string]string {
	return map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: web\nversion: " + version + "\nappVersion: \"1.27\"\n" +
			"dependencies:\n- name: extras\n  version: 0.1.0\n",
		"values.yaml": "replicas: 1\ncolor: blue\ncontainerName: web\nextraNamespace: \"\"\nextras:\n  greeting: hello\n",
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
      - name: {{ .Values.containerName }}
        image: nginx:1.27
        ports: [{containerPort: 80}]
        envFrom: [{configMapRef: {name: {{ .Release.Name }}-settings}}]
        resources: {requests: {cpu: "0.1", memory: 32Mi}}
`,
		"templates/service.yaml": `apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}}
spec:
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80, targetPort: 80}]
`,
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-settings}
data:
  color: {{ .Values.color | quote }}
`,
		"templates/secret.yaml": `apiVersion: v1
kind: Secret
metadata: {name: {{ .Release.Name }}-creds}
data:
  password: {{ "hunter2" | b64enc }}
`,
		"templates/extra.yaml": `{{- if .Values.extraNamespace }}
apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-extra, namespace: {{ .Values.extraNamespace }}}
data: {placed: elsewhere}
{{- end }}
`,
		"charts/extras/Chart.yaml":               "apiVersion: v2\nname: extras\nversion: 0.1.0\n",
		"charts/extras/values.yaml":              "greeting: hi\n",
		"charts/extras/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-extras}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
	}
}

func releaseConfigVal(attrs map[string]cty.Value) cty.Value { return releaseSchema.Object(attrs) }

func replicasOf(u *unstructured.Unstructured) int64 {
	n, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
	return n
}

func colorOf(u *unstructured.Unstructured) string {
	s, _, _ := unstructured.NestedString(u.Object, "data", "color")
	return s
}

func TestReleaseFromDirectory(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-dir"
	dir := sdktest.WriteTree(t, webChart("0.1.0"))
	config := func(values string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
			"values": cty.StringVal(values), "create_namespace": cty.True, "wait_timeout": cty.StringVal("60s"),
			"revision": cty.StringVal("1a2b3c4"),
		})
	}
	const (
		deployID = "apps/v1 Deployment " + ns + "/web"
		svcID    = "v1 Service " + ns + "/web"
		cmID     = "v1 ConfigMap " + ns + "/web-settings"
		extrasID = "v1 ConfigMap " + ns + "/web-extras"
		secretID = "v1 Secret " + ns + "/web-creds"
	)
	s := newSession(t, c)

	// Create: the plan shows every object, the subchart's included, with
	// the Secret's data masked; nothing exists yet.
	start := time.Now()
	plan := s.Plan(config("replicas: 1\n"))
	t.Logf("first plan: %s", time.Since(start))
	if diff := cmp.Diff([]string{deployID, extrasID, cmID, secretID, svcID}, sdktest.Keys(plan.PlannedState.GetAttr("objects"))); diff != "" {
		t.Fatalf("planned objects (-want +got):\n%s", diff)
	}
	if got := plan.PlannedState.GetAttr("chart_version"); !got.RawEquals(cty.StringVal("0.1.0")) {
		t.Errorf("planned chart_version = %#v", got)
	}
	if got := plan.PlannedState.GetAttr("release_revision"); got.IsKnown() {
		t.Errorf("planned release_revision = %#v, want unknown", got)
	}
	secretData := cty.GetAttrPath("objects").GetAttr(secretID).GetAttr("data")
	if !slices.ContainsFunc(plan.SensitivePaths, secretData.Equals) {
		t.Errorf("sensitive paths %#v lack the Secret's data", plan.SensitivePaths)
	}
	deploy := plan.PlannedState.GetAttr("objects").GetAttr(deployID)
	if md := deploy.GetAttr("metadata"); md.Type().HasAttribute("labels") && md.GetAttr("labels").Type().HasAttribute("app.kubernetes.io/managed-by") {
		t.Errorf("planned Deployment keeps helm's managed-by label: %#v", md)
	}
	start = time.Now()
	resp, progress := s.Apply(config("replicas: 1\n"), plan)
	t.Logf("install: %s; progress %q", time.Since(start), progress)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	if d := sdktest.DiffPaths(plan.PlannedState.GetAttr("objects"), resp.NewState.GetAttr("objects")); len(d) > 0 {
		t.Errorf("installed objects differ from the plan at %v", d)
	}
	if !slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, "installing chart web-0.1.0") }) {
		t.Errorf("no install progress among %q", progress)
	}
	if diff := cmp.Diff([]string{"1 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history after install (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"web 1 deployed"}, helmList(t, cluster, ns)); diff != "" {
		t.Errorf("helm list after install (-want +got):\n%s", diff)
	}

	// Nothing changed: refresh and plan are a no-op, status is in sync.
	s.Refresh()
	plan = s.Plan(config("replicas: 1\n"))
	if d := sdktest.DiffPaths(s.State, plan.PlannedState); len(d) > 0 {
		t.Errorf("no-op plan differs from state at %v", d)
	}
	if st := s.Status(); st.Sync != sdk.Synced || st.Health != sdk.Healthy || len(st.Objects) != 5 || !strings.Contains(st.Message, "revision 1 deployed") {
		t.Errorf("status = %s/%s with %d objects (%s), want Synced/Healthy with 5", st.Sync, st.Health, len(st.Objects), st.Message)
	}

	// replicas 1 -> 3 and a ConfigMap value: exactly those fields change.
	good := "replicas: 3\ncolor: green\n"
	plan = s.Plan(config(good))
	if diff := cmp.Diff([]string{
		`["` + deployID + `"].spec.replicas`,
		`["` + cmID + `"].data.color`,
	}, sdktest.DiffPaths(s.State.GetAttr("objects"), plan.PlannedState.GetAttr("objects"))); diff != "" {
		t.Errorf("plan of a values change (-want +got):\n%s", diff)
	}
	if got := plan.PlannedState.GetAttr("release_revision"); got.IsKnown() {
		t.Errorf("planned release_revision of an upgrade = %#v, want unknown", got)
	}
	s.Sync(config(good))
	if diff := cmp.Diff([]string{"1 superseded web-0.1.0", "2 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history after upgrade (-want +got):\n%s", diff)
	}
	if n := replicasOf(k.Get(kubetest.Deployments, ns, "web")); n != 3 {
		t.Errorf("replicas after upgrade = %d, want 3", n)
	}

	// An object the API server rejects is caught by the plan's dry-run.
	resp0 := s.TryPlan(config(good + "containerName: Not_Valid\n"))
	if !resp0.Diagnostics.HasErrors() || !strings.Contains(resp0.Diagnostics.Err().Error(), "dry-run failed") {
		t.Errorf("plan of an invalid container name: %v, want a dry-run error", resp0.Diagnostics.Err())
	}

	// One the plan cannot dry-run (its namespace does not exist) fails the
	// upgrade; atomic rolls the release back to revision 2.
	broken := "replicas: 5\ncolor: red\nextraNamespace: helm-nowhere\n"
	plan = s.Plan(config(broken))
	resp, progress = s.Apply(config(broken), plan)
	t.Logf("broken upgrade progress %q", progress)
	if len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Summary != "Upgrade failed and was rolled back" {
		t.Fatalf("broken upgrade diagnostics = %+v, want \"Upgrade failed and was rolled back\"", resp.Diagnostics)
	}
	t.Logf("broken upgrade: %s: %s", resp.Diagnostics[0].Summary, resp.Diagnostics[0].Detail)
	if d := resp.Diagnostics[0].Detail; !strings.Contains(d, "helm-nowhere") || !strings.Contains(d, "release revision 2 is deployed again") {
		t.Errorf("detail %q does not say why or which revision is back", d)
	}
	if diff := cmp.Diff([]string{"1 superseded web-0.1.0", "2 superseded web-0.1.0", "3 failed web-0.1.0", "4 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history after the rollback (-want +got):\n%s", diff)
	}
	if n, col := replicasOf(k.Get(kubetest.Deployments, ns, "web")), colorOf(k.Get(kubetest.ConfigMaps, ns, "web-settings")); n != 3 || col != "green" {
		t.Errorf("live after the rollback: replicas %d, color %q; want revision 2's 3, green", n, col)
	}
	if got := resp.NewState.GetAttr("release_revision"); !got.RawEquals(cty.NumberIntVal(4)) {
		t.Errorf("state's release_revision after the rollback = %#v, want 4", got)
	}
	if got := resp.NewState.GetAttr("objects").GetAttr(deployID).GetAttr("spec").GetAttr("replicas"); !got.RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("state's replicas after the rollback = %#v, want what is live (3)", got)
	}

	// Back to the good values: only the recorded inputs differ; the
	// objects are already live as planned.
	s.Refresh()
	plan = s.Plan(config(good))
	if d := sdktest.DiffPaths(s.State.GetAttr("objects"), plan.PlannedState.GetAttr("objects")); len(d) > 0 {
		t.Errorf("objects differ from revision 2's at %v", d)
	}

	// Destroy uninstalls: the helm CLI sees no release, the objects go.
	s.Destroy()
	if got := helmList(t, cluster, ns); len(got) != 0 {
		t.Errorf("helm list after destroy = %v", got)
	}
	if _, err := k.Dynamic.Resource(kubetest.Deployments).Namespace(ns).Get(t.Context(), "web", metav1.GetOptions{}); err == nil {
		t.Error("the Deployment is still there after destroy")
	}
}

// packageChart packages a chart written from files into dir, as `helm
// package` does, and returns the archive's path.
func packageChart(t *testing.T, files map[string]string, dir string) string {
	t.Helper()
	p := action.NewPackage()
	p.Destination = dir
	path, err := p.Run(sdktest.WriteTree(t, files), nil)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReleaseFromHTTPRepository(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-http"
	k.CreateNamespace(ns)

	repoDir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(repoDir))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	repoURL := "http://" + ln.Addr().String()
	publish := func(version string, files map[string]string) {
		t.Helper()
		packageChart(t, files, repoDir)
		idx, err := repo.IndexDirectory(repoDir, repoURL)
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.WriteFile(filepath.Join(repoDir, "index.yaml"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	publish("0.1.0", webChart("0.1.0"))
	config := func(version string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal(ns),
			"repository": cty.StringVal(repoURL), "chart": cty.StringVal("web"), "version": cty.StringVal(version),
		})
	}
	s := newSession(t, c)
	resp, _ := s.Sync(config("~0.1"))
	if got := resp.NewState.GetAttr("chart_version"); !got.RawEquals(cty.StringVal("0.1.0")) {
		t.Errorf("chart_version = %#v, want 0.1.0", got)
	}

	// 0.2.0 is published with 2 replicas: "~0.1" still means 0.1.0, "~0.2"
	// upgrades.
	v2 := webChart("0.2.0")
	v2["values.yaml"] = strings.Replace(v2["values.yaml"], "replicas: 1", "replicas: 2", 1)
	publish("0.2.0", v2)
	s.Refresh()
	if plan := s.Plan(config("~0.1")); len(sdktest.DiffPaths(s.State, plan.PlannedState)) > 0 {
		t.Errorf("\"~0.1\" after 0.2.0 was published plans changes at %v", sdktest.DiffPaths(s.State, plan.PlannedState))
	}
	plan := s.Plan(config("~0.2"))
	if got := plan.PlannedState.GetAttr("chart_version"); !got.RawEquals(cty.StringVal("0.2.0")) {
		t.Errorf("planned chart_version = %#v, want 0.2.0", got)
	}
	s.Sync(config("~0.2"))
	if diff := cmp.Diff([]string{"1 superseded web-0.1.0", "2 deployed web-0.2.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history (-want +got):\n%s", diff)
	}
	if n := replicasOf(k.Get(kubetest.Deployments, ns, "web")); n != 2 {
		t.Errorf("replicas with chart 0.2.0 = %d, want 2", n)
	}
	s.Destroy()
}

func TestReleaseFromOCI(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	reg, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	c := startProvider(t, cluster)
	const ns = "helm-oci"
	k.CreateNamespace(ns)

	client, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	push := func(version string, files map[string]string) {
		t.Helper()
		data, err := os.ReadFile(packageChart(t, files, t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Push(data, reg.Addr+"/charts/web:"+version); err != nil {
			t.Fatalf("push chart %s: %v", version, err)
		}
	}
	push("0.1.0", webChart("0.1.0"))
	config := func(version string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal(ns),
			"repository": cty.StringVal("oci://" + reg.Addr + "/charts"), "chart": cty.StringVal("web"),
			"version": cty.StringVal(version), "values": cty.StringVal("color: purple\n"),
		})
	}
	s := newSession(t, c)
	s.Sync(config("0.1.0"))
	if diff := cmp.Diff([]string{"1 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history (-want +got):\n%s", diff)
	}
	if col := colorOf(k.Get(kubetest.ConfigMaps, ns, "web-settings")); col != "purple" {
		t.Errorf("color = %q, want purple", col)
	}

	// A constraint is resolved among the registry's tags.
	v2 := webChart("0.2.0")
	v2["values.yaml"] = strings.Replace(v2["values.yaml"], "replicas: 1", "replicas: 2", 1)
	push("0.2.0", v2)
	s.Refresh()
	s.Sync(config("~0.2"))
	if diff := cmp.Diff([]string{"1 superseded web-0.1.0", "2 deployed web-0.2.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history (-want +got):\n%s", diff)
	}
	if n := replicasOf(k.Get(kubetest.Deployments, ns, "web")); n != 2 {
		t.Errorf("replicas with chart 0.2.0 = %d, want 2", n)
	}
	s.Destroy()
}

// TestApplyRefusesAChartChangedSincePlan: apply installs what the plan
// rendered or nothing: a chart whose files changed between the plan and
// the apply is refused, and no release is made.
func TestApplyRefusesAChartChangedSincePlan(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster)
	const ns = "helm-changed"
	dir := sdktest.WriteTree(t, webChart("0.1.0"))
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
		"create_namespace": cty.True,
	})
	s := newSession(t, c)
	plan := s.Plan(config)
	if err := os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("replicas: 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, _ := s.Apply(config, plan)
	if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "Chart changed since the plan") {
		t.Fatalf("apply of a chart changed since the plan: %v; want it refused", err)
	}
	if l := helmList(t, cluster, ns); len(l) != 0 {
		t.Errorf("releases after the refused apply: %q", l)
	}
}

// TestOfflinePlanAfterAFailedApply: an apply that failed records no
// inputs it did not install. Here the apply of a change of values was
// refused (the chart changed since the plan), and the chart was put
// back: the release still holds the old values, and an offline plan of
// the new ones must upgrade it, not take the release for made from them.
func TestOfflinePlanAfterAFailedApply(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	c := startProvider(t, cluster)
	const ns = "helm-failed-offline"
	files := webChart("0.1.0")
	dir := sdktest.WriteTree(t, files)
	config := func(color string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
			"create_namespace": cty.True,
			"values":           cty.StringVal("color: " + color + "\n"),
		})
	}
	s := newSession(t, c)
	s.Sync(config("blue"))
	plan := s.Plan(config("red"))
	values := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(values, []byte(strings.Replace(files["values.yaml"], "replicas: 1", "replicas: 2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, _ := s.Apply(config("red"), plan); !resp.Diagnostics.HasErrors() {
		t.Fatal("the apply of a chart changed since the plan was not refused")
	}
	if err := os.WriteFile(values, []byte(files["values.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}

	off := sdktest.Start(t, "helm", "HOME="+t.TempDir())
	diags, err := off.ConfigureWith(t.Context(), sdk.ConfigureRequest{Offline: true, Config: providerSchema.Object(map[string]cty.Value{
		"cache_dir": cty.StringVal(filepath.Join(t.TempDir(), "cache")),
	})})
	if err != nil {
		t.Fatal(err)
	}
	sdktest.CheckDiags(t, "configure offline", diags)
	resps, err := off.Plan(t.Context(), []sdk.PlanRequest{{
		Address: s.Address, TypeName: "helm_release",
		Config: config("red"), PriorState: s.State, PriorPrivate: s.Private,
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp := resps[0]
	sdktest.CheckDiags(t, "offline plan", resp.Diagnostics)
	cm := resp.PlannedState.GetAttr("objects").GetAttr("v1 ConfigMap " + ns + "/web-settings")
	if got := cm.GetAttr("data").GetAttr("color"); !got.RawEquals(cty.StringVal("red")) {
		t.Errorf("the offline plan after the failed apply keeps color %#v; want the release upgraded to red", got)
	}
	if rev := resp.PlannedState.GetAttr("release_revision"); rev.IsKnown() {
		t.Errorf("the offline plan keeps revision %#v: it plans no upgrade", rev)
	}
	warned := false
	for _, d := range resp.Diagnostics {
		warned = warned || d.Summary == "Last apply failed"
	}
	if !warned {
		t.Errorf("the offline plan does not say the last apply failed: %v", resp.Diagnostics)
	}
}

// TestReinstallAfterUninstallKeepingHistory: a release uninstalled with
// its history kept (helm uninstall --keep-history) is gone for slipway,
// which plans it installed again; the install replaces it, as `helm
// install --replace` does, as the history's next revision.
func TestReinstallAfterUninstallKeepingHistory(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	k := kubetest.New(t, cluster)
	c := startProvider(t, cluster)
	const ns = "helm-keep-history"
	dir := sdktest.WriteTree(t, webChart("0.1.0"))
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
		"create_namespace": cty.True,
	})
	s := newSession(t, c)
	s.Sync(config)

	un := action.NewUninstall(helmConfig(t, cluster, ns))
	un.KeepHistory = true
	if _, err := un.Run("web"); err != nil {
		t.Fatalf("helm uninstall --keep-history: %v", err)
	}
	if diff := cmp.Diff([]string{"1 uninstalled web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Fatalf("helm history after the uninstall (-want +got):\n%s", diff)
	}
	if s.Refresh(); !s.State.IsNull() {
		t.Fatalf("state after the uninstall = %#v, want null", s.State)
	}

	resp, progress := s.Sync(config)
	if !slices.ContainsFunc(progress, func(p string) bool { return strings.Contains(p, "installing chart web-0.1.0") }) {
		t.Errorf("no install progress among %q", progress)
	}
	if got := resp.NewState.GetAttr("release_revision"); !got.RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("release_revision after the install = %#v, want 2", got)
	}
	if diff := cmp.Diff([]string{"1 superseded web-0.1.0", "2 deployed web-0.1.0"}, helmHistory(t, cluster, ns, "web")); diff != "" {
		t.Errorf("helm history after the install (-want +got):\n%s", diff)
	}
	if n := replicasOf(k.Get(kubetest.Deployments, ns, "web")); n != 1 {
		t.Errorf("replicas after the install = %d, want 1", n)
	}
	s.Refresh()
	if plan := s.Plan(config); len(sdktest.DiffPaths(s.State, plan.PlannedState)) > 0 {
		t.Errorf("re-plan after the install differs from the state at %v", sdktest.DiffPaths(s.State, plan.PlannedState))
	}
	s.Destroy()
}
