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

package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/state"
)

// toolHost is a plan host with one source checkout, the instances of
// for_each over keys, prior state entries and started providers.
type toolHost struct {
	kind.PlanHost
	sc        scope
	keys      []string
	prior     map[string]*state.ResourceInstance
	providers map[string]bool
	planned   []string // "PROVIDER TYPE" of each PlanResource
}

func (h *toolHost) Expand(rc *lang.Resource) ([]kind.Instance, hcl.Diagnostics) {
	if h.keys == nil {
		return []kind.Instance{{Addr: rc.Addr.Instance(addrs.NoKey)}}, nil
	}
	var out []kind.Instance
	for _, k := range h.keys {
		out = append(out, kind.Instance{Addr: rc.Addr.Instance(addrs.StringKey(k)), Rep: k})
	}
	return out, nil
}

func (h *toolHost) EvalContext(rc *lang.Resource, in kind.Instance) (*hcl.EvalContext, hcl.Diagnostics) {
	sc := h.sc
	if k, ok := in.Rep.(string); ok {
		sc.Each = cty.StringVal(k)
	}
	return sc.EvalContext(), nil
}

// Recall remembers nothing, as a plan in a process of its own.
func (h *toolHost) Recall(*lang.Resource, kind.Instance, string) (any, bool, func(any)) {
	return nil, false, func(any) {}
}

func (h *toolHost) Prior(addr addrs.ResourceInstance) *state.ResourceInstance {
	return h.prior[addr.String()]
}

func (h *toolHost) Provider(p addrs.Provider) (kind.Provider, bool) {
	return nil, h.providers[p.String()]
}

func (h *toolHost) PlanResource(_ context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	h.planned = append(h.planned, rc.Provider.String()+" "+l.Type)
	return nil
}

// checkout is a git source whose checkout is dir (or unknown for "").
func checkout(dir string) scope {
	src := gitSource("gitops", commitA)
	if dir == "" {
		src = withAttr(src, builtin.SourceDir, cty.UnknownVal(cty.String))
	} else {
		src = withAttr(src, builtin.SourceDir, cty.StringVal(dir))
	}
	return scope{Sources: map[string]cty.Value{"git.gitops": src}}
}

// TestToolFound plans apps of source directories, each lowered by the
// tool its directory holds.
func TestToolFound(t *testing.T) {
	t.Parallel()
	chart := map[string]string{"Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "templates/cm.yaml": "{{ .Values.x }}\n"}
	repo := sdktest.WriteTree(t, map[string]string{
		"apps/web/Chart.yaml":             chart["Chart.yaml"],
		"apps/web/templates/cm.yaml":      chart["templates/cm.yaml"],
		"apps/kust/kustomization.yml":     "resources: []\n",
		"apps/plain/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"apps/other/Kustomization":        "resources: []\n",
		"apps/chart2/Chart.yaml":          chart["Chart.yaml"],
		"apps/chart2/templates/cm.yaml":   chart["templates/cm.yaml"],
		"apps/chart2/values.yaml":         "x: 1\n",
		"apps/plain/nested/Chart.yaml/ok": "a directory named Chart.yaml is not a chart",
	})
	app := func(path string) string {
		return `app "web" {
  source {
    repo = source.git.gitops
    path = ` + path + `
  }
}`
	}
	both := map[string]bool{"provider.kubernetes": true, "provider.helm": true}
	helmPrior := map[string]*state.ResourceInstance{"app.web": {Type: builtin.HelmRelease}}
	tests := map[string]struct {
		src       string
		sc        scope
		keys      []string
		prior     map[string]*state.ResourceInstance
		providers map[string]bool
		want      []string
		errors    []string
	}{
		"a chart without a helm block": {
			src: app(`"apps/web"`), sc: checkout(repo), providers: both,
			want: []string{"provider.helm helm_release"},
		},
		"kustomize": {
			src: app(`"apps/kust"`), sc: checkout(repo), providers: both,
			want: []string{"provider.kubernetes kubernetes_app"},
		},
		"plain YAML": {
			src: app(`"apps/plain"`), sc: checkout(repo), providers: both,
			want: []string{"provider.kubernetes kubernetes_app"},
		},
		"every instance a chart": {
			src: `app "web" {
  for_each = toset(["web", "chart2"])
  source {
    repo = source.git.gitops
    path = "apps/${each.key}"
  }
}`, sc: checkout(repo), keys: []string{"web", "chart2"}, providers: both,
			want: []string{"provider.helm helm_release"},
		},
		"charts and kustomizations in one block": {
			src: `app "web" {
  for_each = toset(["web", "kust"])
  source {
    repo = source.git.gitops
    path = "apps/${each.key}"
  }
}`, sc: checkout(repo), keys: []string{"web", "kust"}, providers: both,
			errors: []string{"Instances hold different tools"},
		},
		"a source known only during apply, never synced": {
			src: app(`"apps/web"`), sc: checkout(""), providers: both,
			want: []string{"provider.kubernetes kubernetes_app"},
		},
		"a source known only during apply keeps the prior tool": {
			src: app(`"apps/web"`), sc: checkout(""), providers: both, prior: helmPrior,
			want: []string{"provider.helm helm_release"},
		},
		"a chart that was plain YAML before": {
			src: app(`"apps/web"`), sc: checkout(repo), providers: both,
			prior:  map[string]*state.ResourceInstance{"app.web": {Type: builtin.KubernetesApp}},
			errors: []string{"An app cannot change its tool"},
		},
		"a chart through an aliased provider needs a helm block": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/web"
  }
  destination { provider = kubernetes.prod }
}`, sc: checkout(repo), providers: map[string]bool{"provider.kubernetes.prod": true},
			errors: []string{"No helm provider for a chart"},
		},
		"a helm block says so outright": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/plain"
    helm {}
  }
}`, sc: checkout(repo), providers: both,
			want: []string{"provider.helm helm_release"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			h := &toolHost{sc: tc.sc, keys: tc.keys, prior: tc.prior, providers: tc.providers}
			diags := Kind{}.Plan(context.Background(), h, rc)
			if diff := cmp.Diff(tc.errors, summaries(diags)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, h.planned); diff != "" {
				t.Errorf("planned as (-want +got):\n%s", diff)
			}
		})
	}
}

// TestToolOfAPinnedDirectory: a rollback's directory, from state, is
// looked at for its tool only inside the checkout of the recorded
// revision beside the source's; a chart elsewhere on the host is not read.
func TestToolOfAPinnedDirectory(t *testing.T) {
	t.Parallel()
	chart := "apiVersion: v2\nname: web\nversion: 0.1.0\n"
	root := sdktest.WriteTree(t, map[string]string{
		"trees/" + commitA + "/apps/web/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"trees/" + commitB + "/apps/web/Chart.yaml": chart,
		"elsewhere/web/Chart.yaml":                  chart,
	})
	rc := loadBlock(t, webApp)
	h := &toolHost{sc: checkout(filepath.Join(root, "trees", commitA))}
	addr := rc.Addr.Instance(addrs.NoKey)
	for name, tc := range map[string]struct {
		dir  string
		ok   bool
		helm bool
	}{
		"the recorded checkout": {dir: filepath.Join(root, "trees", commitB, "apps", "web"), ok: true, helm: true},
		"a directory elsewhere": {dir: filepath.Join(root, "elsewhere", "web")},
	} {
		f, ok := toolOf(h, rc, kind.Instance{Addr: addr, Pin: &kind.Pin{Revision: commitB, Dir: tc.dir}}, nil)
		if ok != tc.ok || (f.tool == builtin.ToolHelm) != tc.helm {
			t.Errorf("%s: toolOf = %v (%s), %v; want ok %v, helm %v", name, f.tool, f.why, ok, tc.ok, tc.helm)
		}
	}
}
