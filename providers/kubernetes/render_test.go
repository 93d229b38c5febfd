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
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
)

func ids(objs []*unstructured.Unstructured) []string {
	out := make([]string, len(objs))
	for i, u := range objs {
		out[i] = kube.IDOf(u).String()
	}
	return out
}

func TestRenderPlainFiles(t *testing.T) {
	t.Parallel()
	dir := sdktest.WriteTree(t, map[string]string{
		"b/deploy.yaml": `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
---
# only a comment
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: web}
`,
		"a.yml": `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: one}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: two}
`,
		"c/d/secret.json":   `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}`,
		"README.md":         "not a manifest",
		".git/config.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n",
		"empty.yaml":        "",
		"only-dashes.yaml":  "---\n---\n",
		"z/replicas.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nums}\ndata: {a: \"1\"}\n",
		"c/ignored.txt":     "apiVersion: v1",
		"c/d/another.YAML":  "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n",
		"c/d/e/nested.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deep}\n",
	})
	objs, err := render(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"v1 ConfigMap /one", "v1 ConfigMap /two", // a.yml
		"apps/v1 Deployment web/web", "v1 Service web/web", // b/deploy.yaml
		"v1 ServiceAccount /sa",   // c/d/another.YAML
		"v1 ServiceAccount /deep", // c/d/e/nested.yaml
		"v1 Secret /s",            // c/d/secret.json
		"v1 ConfigMap /nums",      // z/replicas.yaml
	}
	if diff := cmp.Diff(want, ids(objs)); diff != "" {
		t.Errorf("rendered objects (-want +got):\n%s", diff)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files map[string]string
		dir   string
		want  string
	}{
		"relative dir":  {dir: "manifests", want: "not an absolute path"},
		"missing dir":   {dir: "/nonexistent/slipway-test", want: "no such file"},
		"not an object": {files: map[string]string{"x.yaml": "- a\n- b\n"}, want: "x.yaml: document 1 is not an object"},
		"bad yaml":      {files: map[string]string{"x.yaml": "a: [\n"}, want: "x.yaml"},
		"plain yaml says why": {
			files: map[string]string{"templates/deployment.yaml": "a: [\n"},
			want:  "taken for plain YAML (no Chart.yaml or kustomization file): templates/deployment.yaml: document 1",
		},
		"kustomize says why": {
			files: map[string]string{"kustomization.yml": "resources: [missing.yaml]\n"},
			want:  "taken for a kustomization (kustomization.yml found): kustomize build",
		},
		"a chart is not rendered here": {
			files: map[string]string{"Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "templates/deployment.yaml": "{{ .Values.x }}\n"},
			want:  "taken for a helm chart (Chart.yaml found): this provider renders plain YAML and kustomize only",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := tc.dir
			if dir == "" {
				dir = sdktest.WriteTree(t, tc.files)
			}
			_, err := render(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("render: got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestRenderSymlinks checks that a link among an app's manifests, or
// among what its kustomization reads, must lead inside the app's
// directory.
func TestRenderSymlinks(t *testing.T) {
	t.Parallel()
	outside := sdktest.WriteTree(t, map[string]string{
		"leak.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\n",
		"base/kustomization.yaml": "resources: [leak.yaml]\n",
		"base/leak.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\n",
	})
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n"
	link := func(t *testing.T, dir, name, target string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		files map[string]string
		links map[string]string // name -> target; "OUT" in a target is the outside directory
		app   string            // the app's directory, under the tree
		want  string            // an error containing this, or "" for success
		ids   []string
	}{
		"a manifest linked to a host file": {
			files: map[string]string{"own.yaml": cm},
			links: map[string]string{"hostname.yaml": "/etc/hostname"},
			want:  "hostname.yaml is a symbolic link to /etc/hostname, which is outside",
		},
		"a manifest linked to a file outside": {
			files: map[string]string{"own.yaml": cm},
			links: map[string]string{"leak.yaml": "OUT/leak.yaml"},
			want:  "leak.yaml is a symbolic link to OUT/leak.yaml, which is outside",
		},
		"a manifest linked inside": {
			files: map[string]string{"real/own.yml": cm},
			links: map[string]string{"own.yaml": "real/own.yml"},
			ids:   []string{"v1 ConfigMap /own", "v1 ConfigMap /own"},
		},
		"a kustomization resource linked outside": {
			files: map[string]string{"kustomization.yaml": "resources: [own.yaml, leak.yaml]\n", "own.yaml": cm},
			links: map[string]string{"leak.yaml": "OUT/leak.yaml"},
			want:  "leak.yaml is a symbolic link to OUT/leak.yaml, which is outside",
		},
		"a kustomization base linked outside": {
			files: map[string]string{"kustomization.yaml": "resources: [base]\n"},
			links: map[string]string{"base": "OUT/base"},
			want:  "base is a symbolic link to OUT/base, which is outside",
		},
		"a link in a base outside the app": {
			files: map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\n", "base/kustomization.yaml": "resources: [leak.yaml]\n"},
			links: map[string]string{"base/leak.yaml": "OUT/leak.yaml"},
			app:   "apps/web",
			want:  "leak.yaml is a symbolic link to OUT/leak.yaml, outside the app's directory",
		},
		"a base outside the app without links": {
			files: map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\n", "base/kustomization.yaml": "resources: [own.yaml]\n", "base/own.yaml": cm},
			app:   "apps/web",
			ids:   []string{"v1 ConfigMap /own"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := sdktest.WriteTree(t, tc.files)
			for l, target := range tc.links {
				link(t, root, l, strings.ReplaceAll(target, "OUT", outside))
			}
			objs, err := render(filepath.Join(root, filepath.FromSlash(tc.app)))
			want := strings.ReplaceAll(tc.want, "OUT", outside)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("render: %v (%v), want an error containing %q", err, ids(objs), want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.ids, ids(objs)); diff != "" {
				t.Errorf("rendered objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderKustomizeOverlay(t *testing.T) {
	t.Parallel()
	root := sdktest.WriteTree(t, map[string]string{
		"base/kustomization.yaml": `
resources: [deployment.yaml, service.yaml]
configMapGenerator:
- name: settings
  literals: [color=blue]
`,
		"base/deployment.yaml": `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        envFrom: [{configMapRef: {name: settings}}]
`,
		"base/service.yaml": `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`,
		"overlays/prod/kustomization.yaml": `
namespace: prod
namePrefix: prod-
resources: [../../base]
images:
- name: nginx
  newTag: "1.27"
patches:
- target: {kind: Deployment, name: web}
  patch: |
    - op: replace
      path: /spec/replicas
      value: 3
`,
	})
	objs, err := render(filepath.Join(root, "overlays", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*unstructured.Unstructured{}
	for _, u := range objs {
		got[kube.IDOf(u).String()] = u
	}
	var cmName string
	for id := range got {
		if strings.HasPrefix(id, "v1 ConfigMap prod/prod-settings-") {
			cmName = strings.TrimPrefix(id, "v1 ConfigMap prod/")
		}
	}
	if cmName == "" || len(got) != 3 {
		t.Fatalf("rendered %v, want a Deployment, a Service and a hashed ConfigMap in namespace prod", ids(objs))
	}
	d := got["apps/v1 Deployment prod/prod-web"]
	if d == nil {
		t.Fatalf("no Deployment prod/prod-web in %v", ids(objs))
	}
	replicas, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	c := containers[0].(map[string]any)
	ref := c["envFrom"].([]any)[0].(map[string]any)["configMapRef"].(map[string]any)["name"]
	if replicas != 3 || c["image"] != "nginx:1.27" || ref != cmName {
		t.Errorf("overlay not applied: replicas=%d image=%v configMapRef=%v (want 3, nginx:1.27, %s)", replicas, c["image"], ref, cmName)
	}
}

// TestRenderKustomizeRefusesRemote renders kustomizations that name
// remote bases and files, directly, in a local base and in a
// transformer's configuration: each is refused before kustomize runs
// (no git is run: a reference that makes git run a command leaves no
// trace), and a kustomization whose URLs are only values renders.
func TestRenderKustomizeRefusesRemote(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "ran")
	injected := "file://" + filepath.ToSlash(filepath.Dir(marker)) + "/repo?ref=" + url.QueryEscape("--upload-pack=touch "+marker+" #")
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		dir   string
		want  string
	}{
		{name: "a git reference that runs a command", dir: "app", want: "resources names",
			files: map[string]string{"app/kustomization.yaml": "resources: [" + strconv.Quote(injected) + "]\n"}},
		{name: "a URL", dir: "app", want: `resources names "https://example.invalid/cm.yaml"`,
			files: map[string]string{"app/kustomization.yaml": "resources: [cm.yaml, https://example.invalid/cm.yaml]\n", "app/cm.yaml": cm}},
		{name: "a legacy base on GitHub", dir: "app", want: "resources names",
			files: map[string]string{"app/kustomization.yaml": "bases:\n- github.com/org/repo//base?ref=v1\n"}},
		{name: "a component of a local base", dir: "overlays/prod", want: `../../base/kustomization.yaml: components names "git@example.com:org/repo.git//c"`,
			files: map[string]string{
				"overlays/prod/kustomization.yaml": "resources: [../../base]\n",
				"base/kustomization.yaml":          "resources: [cm.yaml]\ncomponents: [git@example.com:org/repo.git//c]\n",
				"base/cm.yaml":                     cm,
			}},
		{name: "a patch transformer's path", dir: "app", want: "transformers (in its configuration) names",
			files: map[string]string{
				"app/kustomization.yaml": "resources: [cm.yaml]\ntransformers: [patch.yaml]\n",
				"app/cm.yaml":            cm,
				"app/patch.yaml":         "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: https://example.invalid/patch.yaml\ntarget: {kind: ConfigMap}\n",
			}},
		{name: "a generator's file", dir: "app", want: "configMapGenerator/secretGenerator files names",
			files: map[string]string{"app/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [conf=https://example.invalid/conf]\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := sdktest.WriteTree(t, tc.files)
			_, err := render(filepath.Join(root, tc.dir))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "remote") {
				t.Errorf("render: %v; want it refused with %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("git ran the command the kustomization's reference injected")
	}
	// URLs as values (an annotation), a digest's @: not references.
	root := sdktest.WriteTree(t, map[string]string{
		"kustomization.yaml": "resources: [cm.yaml]\ncommonAnnotations: {docs: \"https://example.com/runbook\"}\nimages:\n- {name: nginx, digest: \"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}\n",
		"cm.yaml":            cm,
	})
	objs, err := render(root)
	if err != nil || len(objs) != 1 || objs[0].GetAnnotations()["docs"] != "https://example.com/runbook" {
		t.Errorf("a local kustomization with URLs as values: %v, %v", ids(objs), err)
	}
}

// fakeScoper knows a fixed set of kinds.
type fakeScoper map[schema.GroupKind]bool // namespaced?

func (f fakeScoper) Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	namespaced, ok := f[gvk.GroupKind()]
	if !ok {
		return nil, &meta.NoKindMatchError{GroupKind: gvk.GroupKind(), SearchedVersions: []string{gvk.Version}}
	}
	scope := meta.RESTScopeRoot
	if namespaced {
		scope = meta.RESTScopeNamespace
	}
	return &meta.RESTMapping{GroupVersionKind: gvk, Scope: scope}, nil
}

var testScoper = fakeScoper{
	{Kind: "ConfigMap"}: true,
	{Kind: "Secret"}:    true,
	{Kind: "Pod"}:       true,
	{Kind: "Service"}:   true,
	{Kind: "Namespace"}: false,
	{Kind: "ClusterRole", Group: "rbac.authorization.k8s.io"}:                       false,
	{Kind: "Deployment", Group: "apps"}:                                             true,
	{Kind: "HorizontalPodAutoscaler", Group: "autoscaling"}:                         true,
	{Kind: "Job", Group: "batch"}:                                                   true,
	{Kind: "CustomResourceDefinition", Group: "apiextensions.k8s.io"}:               false,
	{Kind: "ValidatingWebhookConfiguration", Group: "admissionregistration.k8s.io"}: false,
}

func decode(t *testing.T, yaml string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := decodeDocuments([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestBuildDesired(t *testing.T) {
	t.Parallel()
	rendered := decode(t, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  creationTimestamp: null
  annotations: {slipway.dev/sync-wave: "2"}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - {name: web, image: nginx, resources: null}
status: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: elsewhere, labels: {team: a}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader, namespace: ignored}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {a: YQ==}
stringData: {b: "b"}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {slipway.dev/hook: pre-sync}
`)
	cfg := appConfig{
		Name: "shop", Namespace: "shop", CreateNamespace: true,
		Ignore: []ignoreRule{
			{Group: "apps", Kind: "Deployment", Pointers: []string{"/spec/replicas", "/spec/template/spec/containers/0/image"}},
			{Kind: "ConfigMap", Name: "nomatch", Pointers: []string{"/metadata"}},
		},
	}
	d, err := buildDesired(cfg, rendered, testScoper, "default")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{
		"v1 Namespace /shop", // create_namespace, first
		"apps/v1 Deployment shop/web",
		"v1 ConfigMap elsewhere/other",
		"rbac.authorization.k8s.io/v1 ClusterRole /reader",
		"v1 Secret shop/creds",
		"apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com",
		"example.com/v1 Widget shop/w",
	}
	if diff := cmp.Diff(wantIDs, d.ids()); diff != "" {
		t.Errorf("desired IDs (-want +got):\n%s", diff)
	}
	if d.autoNamespace != "v1 Namespace /shop" {
		t.Errorf("autoNamespace = %q", d.autoNamespace)
	}
	if len(d.hooks) != 1 || d.hooks[0].hook != builtin.HookPreSync || d.hooks[0].id.String() != "batch/v1 Job shop/migrate" {
		t.Errorf("hooks = %+v, want the pre-sync Job shop/migrate", d.hooks)
	}
	by := d.byID()

	deploy := by["apps/v1 Deployment shop/web"]
	wantDeploy := map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata": map[string]any{
			"name": "web", "namespace": "shop",
			"annotations": map[string]any{"slipway.dev/sync-wave": "2"},
			"labels":      map[string]any{labelManagedBy: managedBy, labelApp: "shop"},
		},
		"spec": map[string]any{
			"template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "web"}},
			}},
		},
	}
	if diff := cmp.Diff(wantDeploy, deploy.obj.Object); diff != "" {
		t.Errorf("deployment manifest (-want +got):\n%s", diff)
	}
	if deploy.wave != 2 {
		t.Errorf("deployment wave = %d, want 2", deploy.wave)
	}
	if got := by["v1 ConfigMap elsewhere/other"].obj.GetLabels(); got["team"] != "a" || got[labelApp] != "shop" {
		t.Errorf("configmap labels = %v, want its own and slipway's", got)
	}
	if _, ok := by["rbac.authorization.k8s.io/v1 ClusterRole /reader"].obj.Object["metadata"].(map[string]any)["namespace"]; ok {
		t.Error("a cluster-scoped object kept its namespace")
	}
	wantData := map[string]any{"a": "YQ==", "b": "Yg=="}
	secret := by["v1 Secret shop/creds"].obj.Object
	if diff := cmp.Diff(wantData, secret["data"]); diff != "" || secret["stringData"] != nil {
		t.Errorf("secret stringData not folded into data (-want +got):\n%s", diff)
	}
	if !by["example.com/v1 Widget shop/w"].unknownKind {
		t.Error("the Widget, whose CRD is only in the app, is not marked unknown")
	}
	ns := by["v1 Namespace /shop"].obj.GetLabels()
	if ns[labelManagedBy] != managedBy || ns[labelApp] != "" {
		t.Errorf("created namespace labels = %v, want managed-by only", ns)
	}
	for _, o := range d.objects {
		if o.hash == "" || o.hash != manifestHash(o.obj) {
			t.Errorf("%s: hash %q does not match its manifest", o.id, o.hash)
		}
	}
}

func TestBuildDesiredErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml string
		want string
	}{
		"unknown kind":      {"apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n", "does not serve example.com/v1 Gadget"},
		"no name":           {"apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "has no metadata.name"},
		"generateName":      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n", "only hooks may"},
		"hook generateName": {"apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: x-, annotations: {argocd.argoproj.io/hook: PreSync}}\n", ""},
		"bad argo hook":     {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: x, annotations: {argocd.argoproj.io/hook: Later}}\n", "is not a hook phase"},
		"bad argo wave":     {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, annotations: {argocd.argoproj.io/sync-wave: soon}}\n", "argocd.argoproj.io/sync-wave=\"soon\" is not an integer"},
		"bad policy":        {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: x, annotations: {argocd.argoproj.io/hook: PreSync, argocd.argoproj.io/hook-delete-policy: Never}}\n", "is not a delete policy"},
		"bad option":        {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, annotations: {argocd.argoproj.io/sync-options: Prune=maybe}}\n", "is not a sync option"},
		"skip missing kind": {"apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, annotations: {argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true}}\n", ""},
		"hook twice phases": {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: x, annotations: {argocd.argoproj.io/hook: \"PreSync,PostSync\"}}\n", ""},
		"no kind":           {"apiVersion: v1\nmetadata: {name: x}\n", "no apiVersion or kind"},
		"duplicate":         {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: app}\n", "twice"},
		"bad wave":          {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, annotations: {slipway.dev/sync-wave: soon}}\n", "is not an integer"},
		"bad hook":          {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: x, annotations: {slipway.dev/hook: sometime}}\n", "is not a hook phase"},
		"unknown group":     {"apiVersion: example.com/v1\nkind: Other\nmetadata: {name: g}\n", "no CustomResourceDefinition"},
		"plain object":      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := buildDesired(appConfig{Name: "a", Namespace: "app"}, decode(t, tc.yaml), testScoper, "default")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestBuildDesiredDefaultNamespace(t *testing.T) {
	t.Parallel()
	d, err := buildDesired(appConfig{Name: "a"}, decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), testScoper, "team-ns")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.ids(); len(got) != 1 || got[0] != "v1 ConfigMap team-ns/x" {
		t.Errorf("ids = %v, want the kubeconfig's namespace", got)
	}
}

func TestRemovePointer(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		ptr  string
		want string
	}{
		"map field":     {"/spec/replicas", `{"metadata":{"annotations":{"a/b":"x","c~d":"y"}},"spec":{"list":[1,2,3]}}`},
		"escaped slash": {"/metadata/annotations/a~1b", `{"metadata":{"annotations":{"c~d":"y"}},"spec":{"list":[1,2,3],"replicas":2}}`},
		"escaped tilde": {"/metadata/annotations/c~0d", `{"metadata":{"annotations":{"a/b":"x"}},"spec":{"list":[1,2,3],"replicas":2}}`},
		"list element":  {"/spec/list/1", `{"metadata":{"annotations":{"a/b":"x","c~d":"y"}},"spec":{"list":[1,3],"replicas":2}}`},
		"absent":        {"/spec/nothing/here", `{"metadata":{"annotations":{"a/b":"x","c~d":"y"}},"spec":{"list":[1,2,3],"replicas":2}}`},
		"out of range":  {"/spec/list/7", `{"metadata":{"annotations":{"a/b":"x","c~d":"y"}},"spec":{"list":[1,2,3],"replicas":2}}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			obj := decode(t, `{"metadata":{"annotations":{"a/b":"x","c~d":"y"}},"spec":{"replicas":2,"list":[1,2,3]}}`)[0].Object
			removePointer(obj, tc.ptr)
			want := decode(t, tc.want)[0].Object
			if diff := cmp.Diff(want, obj); diff != "" {
				t.Errorf("after removing %s (-want +got):\n%s", tc.ptr, diff)
			}
		})
	}
}

// TestRenderKustomizeNames checks that each of kustomize's three file
// names makes a kustomization, not a directory of plain files (which
// would read the kustomization file itself as an object).
func TestRenderKustomizeNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := sdktest.WriteTree(t, map[string]string{
				name:          "namePrefix: k-\nresources: [cm.yaml]\n",
				"cm.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
				"unused.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unused}\n",
			})
			objs, err := render(dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"v1 ConfigMap /k-settings"}, ids(objs)); diff != "" {
				t.Errorf("rendered objects (-want +got):\n%s", diff)
			}
		})
	}
}
