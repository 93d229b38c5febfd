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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/repo"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"

	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// constraintVersions and constraintCases are the same in planner/plugins
// and providers/registry: one constraint string means the same versions
// in required_providers, an image's semver and a chart's version.
var constraintVersions = []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0", "2.0.0"}

var constraintCases = []struct {
	constraint string
	matches    []string
}{
	{"~> 1.4", []string{"1.4.0", "1.4.7"}},
	{"^1.4", []string{"1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{">= 1.2, < 2", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{"1.x", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{"~> 1", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
}

// TestChartVersionConstraints checks both ways a chart version is
// resolved: helm's own index lookup for an http(s) repository, and
// newestMatching for the tags of an OCI registry.
func TestChartVersionConstraints(t *testing.T) {
	t.Parallel()
	index := func(versions ...string) *repo.IndexFile {
		idx := repo.NewIndexFile()
		for _, v := range versions {
			if err := idx.MustAdd(&chart.Metadata{APIVersion: chart.APIVersionV2, Name: "web", Version: v}, "web-"+v+".tgz", "http://charts.test", ""); err != nil {
				t.Fatal(err)
			}
		}
		idx.SortEntries()
		return idx
	}
	for _, tc := range constraintCases {
		t.Run(tc.constraint, func(t *testing.T) {
			t.Parallel()
			var viaIndex, viaTags []string
			for _, v := range constraintVersions {
				if _, err := index(v).Get("web", tc.constraint); err == nil {
					viaIndex = append(viaIndex, v)
				}
				if _, err := newestMatching([]string{v}, tc.constraint); err == nil {
					viaTags = append(viaTags, v)
				}
			}
			want := strings.Join(tc.matches, " ")
			if got := strings.Join(viaIndex, " "); got != want {
				t.Errorf("a repository index resolves %q to %q, want %q", tc.constraint, got, want)
			}
			if got := strings.Join(viaTags, " "); got != want {
				t.Errorf("OCI tags resolve %q to %q, want %q", tc.constraint, got, want)
			}

			// Among all versions, both pick the newest that matches.
			newest := tc.matches[len(tc.matches)-1]
			if cv, err := index(constraintVersions...).Get("web", tc.constraint); err != nil || cv.Version != newest {
				t.Errorf("a repository index picks %v (%v) for %q, want %s", cv, err, tc.constraint, newest)
			}
			tags := append([]string(nil), constraintVersions...)
			for i, j := 0, len(tags)-1; i < j; i, j = i+1, j-1 {
				tags[i], tags[j] = tags[j], tags[i] // newest first, as registries list them
			}
			if got, err := newestMatching(tags, tc.constraint); err != nil || got != newest {
				t.Errorf("OCI tags pick %q (%v) for %q, want %s", got, err, tc.constraint, newest)
			}
		})
	}
}

// TestChartLinksStayInside loads charts from directories whose symbolic
// links lead outside the chart (a file of the machine a template could
// read with .Files.Get, a values file) and refuses them; links that stay
// inside the chart, and a values file beside the chart, are read.
func TestChartLinksStayInside(t *testing.T) {
	t.Parallel()
	root := sdktest.WriteTree(t, map[string]string{
		"secret":                     "token: s3cret\n",
		"shared/values.yaml":         "replicas: 2\n",
		"chart/Chart.yaml":           "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/values.yaml":          "replicas: 1\n",
		"chart/templates/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {e: {{ .Files.Get \"files/e\" | quote }}}\n",
		"chart/files/inside.yaml":    "a: b\n",
		"elsewhere/values-prod.yaml": "replicas: 3\n",
	})
	chartDir := filepath.Join(root, "chart")
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	cl := &cluster{}
	if _, _, err := cl.loadChart(releaseConfig{ChartDir: chartDir}, ""); err != nil {
		t.Fatalf("a chart without links: %v", err)
	}
	link("inside.yaml", "chart/files/in")
	if _, _, err := cl.loadChart(releaseConfig{ChartDir: chartDir}, ""); err != nil {
		t.Fatalf("a chart whose link stays inside: %v", err)
	}
	link("../../secret", "chart/files/e")
	if _, _, err := cl.loadChart(releaseConfig{ChartDir: chartDir}, ""); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a chart with a link to a file outside it: %v; want it refused", err)
	}

	link("../secret", "chart/values-prod.yaml")
	link("elsewhere", "linked")
	for _, tc := range []struct {
		name, path string
		refused    bool
	}{
		{"a values file in the chart", filepath.Join(chartDir, "values.yaml"), false},
		{"a values file beside the chart", filepath.Join(root, "shared", "values.yaml"), false},
		{"a values file in the chart linked outside", filepath.Join(chartDir, "values-prod.yaml"), true},
		{"a values file beside the chart through a link", filepath.Join(root, "linked", "values-prod.yaml"), true},
	} {
		_, err := mergeValues(releaseConfig{ChartDir: chartDir, ValuesFiles: []string{tc.path}})
		if refused := err != nil && strings.Contains(err.Error(), "symbolic link"); refused != tc.refused {
			t.Errorf("%s: %v; want refused %v", tc.name, err, tc.refused)
		}
	}
}

// TestSecretShapeOfStringData: a chart's Secret written with stringData
// is compared by the data the server stores, so a value changed by hand
// shows as drift.
func TestSecretShapeOfStringData(t *testing.T) {
	t.Parallel()
	shape := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "creds"}, "stringData": map[string]any{"password": "a"}}
	live := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "creds", "uid": "u"},
		"data": map[string]any{"password": "Yg==", "other": "eA=="}, "type": "Opaque"}
	got := normalise(live, shape)
	data, _ := got["data"].(map[string]any)
	if data["password"] != "Yg==" {
		t.Errorf("normalised %v; want the live data's password, which differs from the chart's", got)
	}
	if _, ok := data["other"]; ok {
		t.Errorf("normalised %v; want only the keys the chart writes", got)
	}
	if _, ok := shape["data"]; ok {
		t.Error("the chart's manifest was changed")
	}
}

// TestLeavePending: the way out of a pending release names the last
// deployed revision (a bare helm rollback goes to the one before the
// last, the failed upgrade after an interrupted rollback), and a release
// never deployed is uninstalled, or only its record removed when it was
// taking objects over.
func TestLeavePending(t *testing.T) {
	t.Parallel()
	acfg := &action.Configuration{Releases: storage.Init(driver.NewMemory())}
	rel := func(v int, st release.Status) {
		t.Helper()
		if err := acfg.Releases.Create(&release.Release{Name: "web", Namespace: "ns", Version: v, Info: &release.Info{Status: st}}); err != nil {
			t.Fatal(err)
		}
	}
	c := releaseConfig{Name: "web", Namespace: "ns"}
	rel(1, release.StatusPendingInstall)
	if got := leavePending(acfg, c); !strings.Contains(got, "helm uninstall web -n ns") {
		t.Errorf("a pending install: %q", got)
	}
	adopting := c
	adopting.Adopt.Tool = "argocd"
	if got := leavePending(acfg, adopting); !strings.Contains(got, "kubectl delete secret -n ns -l owner=helm,name=web") {
		t.Errorf("a pending adopting install: %q", got)
	}
	if _, err := acfg.Releases.Delete("web", 1); err != nil {
		t.Fatal(err)
	}
	rel(1, release.StatusDeployed)
	rel(2, release.StatusFailed)
	rel(3, release.StatusPendingRollback)
	if got := leavePending(acfg, c); !strings.Contains(got, "helm rollback web 1 -n ns") {
		t.Errorf("an interrupted rollback: %q", got)
	}
}
