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
	rollback := &kind.Pin{Revision: commitB, Dir: "/pins/9f8e7d6/apps/web"}
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
			src: webApp, schema: appSchema, sc: gitops(), pin: rollback,
			want: map[string]cty.Value{builtin.AppManifestsDir: cty.StringVal("/pins/9f8e7d6/apps/web"), builtin.AppRevision: cty.StringVal(commitB)},
		},
		"a rollback of a chart reads the pinned chart": {
			src: helmApp, schema: releaseSchema, sc: gitops(), pin: rollback,
			want: map[string]cty.Value{builtin.HelmChartDir: cty.StringVal("/pins/9f8e7d6/apps/web"), builtin.AppRevision: cty.StringVal(commitB)},
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
		v, diags := lowering(rc, typeOf(rc)).Config(rc, appSchema, gitops().EvalContext(), kind.Instance{Addr: addr, Pin: rollback})
		if diff := cmp.Diff([]string{"Invalid app source path"}, summaries(diags)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if !v.RawEquals(cty.DynamicVal) {
			t.Errorf("Config returned %#v, want cty.DynamicVal", v)
		}
	})
}
