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

	"slipway.dev/slipway/plugin-sdk/sdktest"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		attrs map[string]cty.Value
		want  []string // "attribute: summary"
	}{
		"directory": {
			attrs: map[string]cty.Value{"chart_dir": cty.StringVal("/charts/web")},
		},
		"repository": {
			attrs: map[string]cty.Value{"repository": cty.StringVal("https://charts.example.com"), "chart": cty.StringVal("web"), "version": cty.StringVal("~1.2")},
		},
		"oci": {
			attrs: map[string]cty.Value{"repository": cty.StringVal("oci://127.0.0.1:5000/charts"), "chart": cty.StringVal("web")},
		},
		"no chart": {
			want: []string{"chart_dir: No chart"},
		},
		"both sources": {
			attrs: map[string]cty.Value{"chart_dir": cty.StringVal("/charts/web"), "repository": cty.StringVal("https://x"), "chart": cty.StringVal("web")},
			want:  []string{"repository: Conflicting chart sources"},
		},
		"repository without chart": {
			attrs: map[string]cty.Value{"repository": cty.StringVal("https://x")},
			want:  []string{"chart: Missing chart name"},
		},
		"chart without repository": {
			attrs: map[string]cty.Value{"chart": cty.StringVal("web")},
			want:  []string{"repository: Missing chart repository"},
		},
		"bad values": {
			attrs: map[string]cty.Value{
				"chart_dir": cty.StringVal("charts/web"), "values": cty.StringVal("[1, 2]"),
				"version": cty.StringVal("1.0"), "wait_timeout": cty.StringVal("soon"),
				"name": cty.StringVal("Web_1"), "repository": cty.UnknownVal(cty.String),
			},
			want: []string{
				"name: Invalid release name", "repository: Conflicting chart sources",
				"values: Invalid values", "wait_timeout: Invalid wait_timeout",
			},
		},
		"adopt from argocd": {
			attrs: map[string]cty.Value{"chart_dir": cty.StringVal("/charts/web"), "adopt": adoptVal("argocd", "web")},
		},
		"adopt from an unknown tool": {
			attrs: map[string]cty.Value{"chart_dir": cty.StringVal("/charts/web"), "adopt": adoptVal("fleet", "web")},
			want:  []string{"adopt: Invalid adopt"},
		},
		"adopt from flux without a namespace": {
			attrs: map[string]cty.Value{"chart_dir": cty.StringVal("/charts/web"), "adopt": adoptVal("flux", "apps")},
			want:  []string{"adopt: Invalid adopt"},
		},
		"bad repository and version": {
			attrs: map[string]cty.Value{"repository": cty.StringVal("ftp://x"), "chart": cty.StringVal("a/web"), "version": cty.StringVal("one")},
			want:  []string{"repository: Invalid repository", "chart: Invalid chart name", "version: Invalid chart version"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			attrs := map[string]cty.Value{"name": cty.StringVal("web"), "namespace": cty.StringVal("web")}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			c, diags := parseConfig(releaseSchema.Object(attrs))
			var got []string
			for _, d := range diags {
				got = append(got, d.Attribute[0].(cty.GetAttrStep).Name+": "+d.Summary)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if !c.Atomic {
				t.Error("atomic is not on by default")
			}
		})
	}
}

func TestMergeValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := sdktest.WriteTree(t, map[string]string{
		"a.yaml": "image: {repository: nginx, tag: \"1.26\"}\nreplicas: 1\nlist: [1, 2]\n",
		"b.yaml": "image: {tag: \"1.27\"}\nlist: [3]\n",
	})
	_ = dir
	got, err := mergeValues(releaseConfig{
		ValuesFiles: []string{files + "/a.yaml", files + "/b.yaml"},
		Values:      "replicas: 3\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"image":    map[string]any{"repository": "nginx", "tag": "1.27"},
		"replicas": float64(3),
		"list":     []any{float64(3)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged values (-want +got):\n%s", diff)
	}
}

func adoptVal(from, name string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"from": cty.StringVal(from), "name": cty.StringVal(name)})
}
