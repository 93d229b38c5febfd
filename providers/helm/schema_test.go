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
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// schemaChart is a chart whose values.schema.json refers to a schema at
// url and to a file at path, beside a rule of its own (port is a number,
// through a local definition), with a subchart whose schema refers to
// url too.
func schemaChart(url, path string) *chart.Chart {
	sub := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: "sub", Version: "0.1.0"},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub}\n")}},
		Values:    map[string]any{},
		Schema:    []byte(fmt.Sprintf(`{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"x": {"$ref": %q}}}`, url+"/sub.json")),
	}
	ch := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: "web", Version: "0.1.0"},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {port: \"{{ .Values.port }}\"}\n")}},
		Values:    map[string]any{"port": 80},
		Schema: []byte(fmt.Sprintf(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "definitions": {"port": {"type": "integer"}},
  "properties": {
    "port": {"$ref": "#/definitions/port"},
    "image": {"$ref": %q},
    "secret": {"$ref": %q}
  }
}`, url+"/image.json", "file://"+path)),
	}
	ch.AddDependency(sub)
	return ch
}

// renderClientOnly renders ch with vals as a plan of a new release does.
func renderClientOnly(ch *chart.Chart, vals map[string]any) error {
	in := action.NewInstall(&action.Configuration{Log: debugLog})
	in.ClientOnly, in.DryRun = true, true
	in.ReleaseName, in.Namespace = "web", "default"
	_, err := in.Run(ch, vals)
	return err
}

// TestSchemasLoadNothingFromOutside: a chart's values.schema.json that
// refers to an address and a file of the machine makes Helm's validation
// fetch and read them, in a plan of a chart under review. Confined, the
// schema loads nothing, keeps its own rules, and says what it dropped.
func TestSchemasLoadNothingFromOutside(t *testing.T) {
	t.Parallel()
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		fmt.Fprint(w, `{"type": "string"}`)
	}))
	t.Cleanup(srv.Close)
	secret := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(secret, []byte(`{"type": "string"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	// What Helm does by itself: it fetches the schemas the chart names.
	if err := renderClientOnly(schemaChart(srv.URL, secret), nil); err != nil {
		t.Fatalf("render: %v", err)
	}
	if fetched.Load() == 0 {
		t.Fatal("Helm fetched nothing: the test does not show what it guards against")
	}
	fetched.Store(0)

	ch := schemaChart(srv.URL, secret)
	removed, err := confineSchemas(ch)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("sub: $ref %q", srv.URL+"/sub.json"),
		fmt.Sprintf("web: $ref %q", "file://"+secret),
		fmt.Sprintf("web: $ref %q", srv.URL+"/image.json"),
	}
	if strings.Join(removed, "\n") != strings.Join(want, "\n") {
		t.Errorf("removed:\n%s\nwant:\n%s", strings.Join(removed, "\n"), strings.Join(want, "\n"))
	}
	if err := renderClientOnly(ch, nil); err != nil {
		t.Fatalf("render of the confined chart: %v", err)
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the confined chart's schema fetched %d documents", n)
	}
	// Its own rules still hold.
	if err := renderClientOnly(ch, map[string]any{"port": "eighty"}); err == nil || !strings.Contains(err.Error(), "port") {
		t.Errorf("a port that is not a number rendered (%v); the schema's own rule must still hold", err)
	}
	// A schema that refers to nothing outside is left as it is.
	own := []byte(`{"properties": {"port": {"$ref": "#/definitions/port"}}, "definitions": {"port": {"type": "integer"}}}`)
	plain := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: "plain", Version: "0.1.0"}, Schema: own}
	if removed, err := confineSchemas(plain); err != nil || len(removed) != 0 || string(plain.Schema) != string(own) {
		t.Errorf("a schema without outside references changed: %v, %v, %s", removed, err, plain.Schema)
	}
}

// TestOfflinePlanOfAChartUnderReviewLoadsNoSchema: plan -offline of a
// chart whose values.schema.json refers to an address and a file of the
// machine (a chart in a pull request under review) reaches neither, and
// says what it left unchecked.
func TestOfflinePlanOfAChartUnderReviewLoadsNoSchema(t *testing.T) {
	t.Parallel()
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		fmt.Fprint(w, `{"type": "string"}`)
	}))
	t.Cleanup(srv.Close)
	dir := sdktest.WriteTree(t, map[string]string{
		"Chart.yaml":         "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"values.yaml":        "port: 80\nimage: nginx\n",
		"values.schema.json": fmt.Sprintf(`{"properties": {"port": {"type": "integer"}, "image": {"$ref": %q}, "key": {"$ref": "file:///etc/hostname"}}}`, srv.URL+"/image.json"),
		"templates/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {port: \"{{ .Values.port }}\"}\n",
	})
	off := sdktest.Start(t, "helm", "HOME="+t.TempDir())
	diags, err := off.ConfigureWith(t.Context(), sdk.ConfigureRequest{Offline: true, Config: providerSchema.Object(map[string]cty.Value{
		"cache_dir": cty.StringVal(filepath.Join(t.TempDir(), "cache")),
	})})
	if err != nil {
		t.Fatal(err)
	}
	sdktest.CheckDiags(t, "configure offline", diags)
	config := releaseConfigVal(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal("web"), "chart_dir": cty.StringVal(dir),
	})
	resps, err := off.Plan(t.Context(), []sdk.PlanRequest{{
		Address: "helm_release.web", TypeName: "helm_release", Config: config, PriorState: cty.NullVal(config.Type()),
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp := resps[0]
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("offline plan: %v", resp.Diagnostics)
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the offline plan fetched %d documents the chart's schema named", n)
	}
	warned := ""
	for _, d := range resp.Diagnostics {
		if d.Summary == "Values schema refers outside the chart" {
			warned = d.Detail
		}
	}
	if !strings.Contains(warned, srv.URL+"/image.json") || !strings.Contains(warned, "file:///etc/hostname") {
		t.Errorf("the plan's warning %q does not name what the schema referred to", warned)
	}
}
