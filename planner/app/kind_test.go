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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

func TestPin(t *testing.T) {
	t.Parallel()
	str := cty.StringVal
	p := kind.Pin{Revision: commitA, Dir: "/pins/1a2b3c4/apps/web"}
	tests := map[string]struct {
		v    cty.Value
		want cty.Value
	}{
		"a kubernetes_app reads the recorded manifests at the recorded revision": {
			v: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/cache/gitops/apps/web"), builtin.AppRevision: str(commitB),
			}),
			want: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/pins/1a2b3c4/apps/web"), builtin.AppRevision: str(commitA),
			}),
		},
		"a helm_release reads the recorded chart": {
			v: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.HelmChartDir: str("/cache/gitops/charts/web"), builtin.AppRevision: str(commitB),
				builtin.HelmValues: str("{}"),
			}),
			want: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.HelmChartDir: str("/pins/1a2b3c4/apps/web"), builtin.AppRevision: str(commitA),
				builtin.HelmValues: str("{}"),
			}),
		},
		"what was not known is pinned too": {
			v: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: cty.UnknownVal(cty.String), builtin.AppRevision: cty.UnknownVal(cty.String),
			}),
			want: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/pins/1a2b3c4/apps/web"), builtin.AppRevision: str(commitA),
			}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, pin(tc.v, p), ctyCmp); diff != "" {
				t.Errorf("pin (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPinOfRecord(t *testing.T) {
	t.Parallel()
	got := Pin(SyncRecord{ID: 3, Revision: commitA, ManifestsDir: "/pins/3", Result: "succeeded"})
	if diff := cmp.Diff(kind.Pin{Revision: commitA, Dir: "/pins/3"}, got); diff != "" {
		t.Errorf("Pin (-want +got):\n%s", diff)
	}
}

// TestLoweringConfig evaluates apps through their lowering, as the
// engine does for each instance.
func TestLoweringConfig(t *testing.T) {
	t.Parallel()
	const helmApp = `app "web" {
  source {
    repo = source.git.gitops
    path = "charts/web"
    helm {}
  }
}
`
	addr := addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey)
	// The git provider's checkouts are <cache>/trees/<commit>: a
	// rollback returns to the checkout of the recorded commit beside the
	// source's.
	rollback := &kind.Pin{Revision: commitB, Dir: "/cache/trees/" + commitB + "/apps/web"}
	inTrees := scope{Sources: map[string]cty.Value{"git.gitops": checkoutSource(commitA)}}
	tests := map[string]struct {
		src    string
		schema sdk.Schema
		sc     scope
		pin    *kind.Pin
		want   map[string]cty.Value
	}{
		"an instance reads its source now": {
			src: webApp, schema: appSchema, sc: gitops(),
			want: map[string]cty.Value{builtin.AppManifestsDir: cty.StringVal("/cache/gitops/apps/web"), builtin.AppRevision: cty.StringVal(commitA)},
		},
		"a rollback reads the pinned manifests": {
			src: webApp, schema: appSchema, sc: inTrees, pin: rollback,
			want: map[string]cty.Value{builtin.AppManifestsDir: cty.StringVal("/cache/trees/" + commitB + "/apps/web"), builtin.AppRevision: cty.StringVal(commitB)},
		},
		"a rollback of a chart reads the pinned chart": {
			src: helmApp, schema: releaseSchema, sc: inTrees, pin: rollback,
			want: map[string]cty.Value{builtin.HelmChartDir: cty.StringVal("/cache/trees/" + commitB + "/apps/web"), builtin.AppRevision: cty.StringVal(commitB)},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			v, diags := lowering(rc, typeOf(rc)).Config(rc, tc.schema, tc.sc.EvalContext(), kind.Instance{Addr: addr, Pin: tc.pin})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got := map[string]cty.Value{}
			for name := range tc.want {
				got[name] = v.GetAttr(name)
			}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("Config (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("a rollback of an app with errors reports them", func(t *testing.T) {
		t.Parallel()
		rc := loadBlock(t, `app "web" {
  source {
    repo = source.git.gitops
    path = "../out"
  }
}`)
		v, diags := lowering(rc, typeOf(rc)).Config(rc, appSchema, inTrees.EvalContext(), kind.Instance{Addr: addr, Pin: rollback})
		if diff := cmp.Diff([]string{"Invalid app source path"}, summaries(diags)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if !v.RawEquals(cty.DynamicVal) {
			t.Errorf("Config returned %#v, want cty.DynamicVal", v)
		}
	})
}

// checkoutSource is the value of a git source on main at commit, checked
// out where the git provider puts it: /cache/trees/COMMIT.
func checkoutSource(commit string) cty.Value {
	v := gitSource("gitops", commit).AsValueMap()
	v[builtin.SourceDir] = cty.StringVal("/cache/trees/" + commit)
	return cty.ObjectVal(v)
}

// TestRollbackStaysInTheSourcesCheckouts: the directory a rollback plans
// an app from comes from the app's history in state, which may be shared
// and written by others; it is refused unless it leads into the checkout
// of the recorded revision beside the source's own, as an app's source
// path must stay inside its checkout. Else a crafted history made the
// next rollback apply to the cluster whatever a directory of the host
// held.
func TestRollbackStaysInTheSourcesCheckouts(t *testing.T) {
	t.Parallel()
	addr := addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey)
	inTrees := scope{Sources: map[string]cty.Value{"git.gitops": checkoutSource(commitA)}}
	const helmApp = `app "web" {
  source {
    repo = source.git.gitops
    path = "charts/web"
    helm {}
  }
}
`
	tests := map[string]struct {
		src  string
		sc   scope
		pin  kind.Pin
		want string // the error's detail, in part
	}{
		"a directory of the host": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: commitB, Dir: "/etc/kubernetes/manifests"},
			want: `the recorded directory "/etc/kubernetes/manifests" is not inside /cache/trees/` + commitB,
		},
		"a directory that climbs out of the checkout": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: commitB, Dir: "/cache/trees/" + commitB + "/../../../root/.kube"},
			want: "is not inside /cache/trees/" + commitB,
		},
		"the checkout of another revision than the one recorded": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: commitB, Dir: "/cache/trees/" + commitC + "/apps/web"},
			want: "is not inside /cache/trees/" + commitB,
		},
		"a relative directory": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: commitB, Dir: "apps/web"},
			want: `the recorded directory "apps/web" is not inside`,
		},
		"a revision that climbs": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: "..", Dir: "/cache/apps/web"},
			want: `the recorded revision ".." is not a commit`,
		},
		"a revision with a separator": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: "../../etc", Dir: "/etc/passwd"},
			want: `the recorded revision "../../etc" is not a commit`,
		},
		"a checkout being written": {
			src: webApp, sc: inTrees, pin: kind.Pin{Revision: ".tmp-" + commitB, Dir: "/cache/trees/.tmp-" + commitB + "/apps/web"},
			want: "is not a commit",
		},
		"a chart, too": {
			src: helmApp, sc: inTrees, pin: kind.Pin{Revision: commitB, Dir: "/home/user/charts/evil"},
			want: "is not inside /cache/trees/" + commitB,
		},
		"a source whose checkout is not named by its commit": {
			src: webApp, sc: gitops(), pin: kind.Pin{Revision: commitB, Dir: "/cache/gitops/apps/web"},
			want: "is not in a checkout named by its commit",
		},
		"a source not read yet": {
			src: webApp, sc: scope{Sources: map[string]cty.Value{"git.gitops": cty.UnknownVal(checkoutSource(commitA).Type())}},
			pin:  kind.Pin{Revision: commitB, Dir: "/cache/trees/" + commitB + "/apps/web"},
			want: "the checkout of its source is not known until apply",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			schema := appSchema
			if typeOf(rc) == builtin.HelmRelease {
				schema = releaseSchema
			}
			p := tc.pin
			v, diags := lowering(rc, typeOf(rc)).Config(rc, schema, tc.sc.EvalContext(), kind.Instance{Addr: addr, Pin: &p})
			if diff := cmp.Diff([]string{"Invalid rollback"}, summaries(diags)); diff != "" {
				t.Fatalf("errors (-want +got):\n%s\nvalue: %#v", diff, v)
			}
			if !strings.Contains(diags[0].Detail, tc.want) {
				t.Errorf("detail %q lacks %q", diags[0].Detail, tc.want)
			}
			if !v.RawEquals(cty.DynamicVal) {
				t.Errorf("Config returned %#v, want cty.DynamicVal", v)
			}
		})
	}

	// On disk: a link in the recorded checkout cannot lead out of it, and
	// one that stays inside is followed.
	root := t.TempDir()
	trees := filepath.Join(root, "trees")
	for _, d := range []string{filepath.Join(trees, commitA, "apps", "web"), filepath.Join(trees, commitB, "apps", "shared"), filepath.Join(root, "secrets")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secrets"), filepath.Join(trees, commitB, "apps", "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("shared", filepath.Join(trees, commitB, "apps", "web")); err != nil {
		t.Fatal(err)
	}
	src := checkoutSource(commitA).AsValueMap()
	src[builtin.SourceDir] = cty.StringVal(filepath.Join(trees, commitA))
	onDisk := scope{Sources: map[string]cty.Value{"git.gitops": cty.ObjectVal(src)}}
	rc := loadBlock(t, webApp)

	p := kind.Pin{Revision: commitB, Dir: filepath.Join(trees, commitB, "apps", "out")}
	_, diags := lowering(rc, typeOf(rc)).Config(rc, appSchema, onDisk.EvalContext(), kind.Instance{Addr: addr, Pin: &p})
	if diff := cmp.Diff([]string{"Invalid rollback"}, summaries(diags)); diff != "" {
		t.Errorf("a link out of the checkout: errors (-want +got):\n%s", diff)
	} else if !strings.Contains(diags[0].Detail, "leads outside") {
		t.Errorf("a link out of the checkout: %s", diags[0].Detail)
	}

	p = kind.Pin{Revision: commitB, Dir: filepath.Join(trees, commitB, "apps", "web")}
	v, diags := lowering(rc, typeOf(rc)).Config(rc, appSchema, onDisk.EvalContext(), kind.Instance{Addr: addr, Pin: &p})
	if diags.HasErrors() {
		t.Fatalf("a link inside the checkout: %s", diags.Error())
	}
	if got, want := v.GetAttr(builtin.AppManifestsDir).AsString(), filepath.Join(trees, commitB, "apps", "shared"); got != want {
		t.Errorf("a link inside the checkout: the app reads %s, want %s", got, want)
	}
}
