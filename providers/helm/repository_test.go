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
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// secretPass is the password of the test repositories' URLs: no message
// may show it.
const secretPass = "s3cret-pass"

// chartRepo stands in for an HTTP chart repository: it serves index.yaml
// and the archives of chart "web" at the versions given, asks for basic
// auth when user is set, and counts the requests it gets and those that
// carried credentials.
type chartRepo struct {
	*httptest.Server
	requests, authorized atomic.Int64
}

func newChartRepo(t *testing.T, listen, user, pass string, versions ...string) *chartRepo {
	t.Helper()
	dir := t.TempDir()
	for _, v := range versions {
		if _, err := chartutil.Save(testChart(v), dir); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := repo.IndexDirectory(dir, "") // relative URLs: the repository's own
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &chartRepo{}
	files := http.FileServer(http.Dir(dir))
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		u, p, ok := req.BasicAuth()
		if ok {
			r.authorized.Add(1)
		}
		if user != "" && (u != user || p != pass) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, req)
	}))
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	r.Listener.Close()
	r.Listener = ln
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// testChart is chart "web" at version, with one ConfigMap.
func testChart(version string) *chart.Chart {
	return &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "web", Version: version},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")}},
		Values:    map[string]any{},
	}
}

// onlineCluster and offlineCluster are the helm provider's clusters as
// Configure makes them (provider.go): connected, or for plan -offline
// (its cache only).
func onlineCluster(cacheDir string) *cluster {
	return &cluster{Cluster: &kube.Cluster{}, cacheDir: cacheDir}
}

func offlineCluster(cacheDir string) *cluster { return &cluster{cacheDir: cacheDir} }

// repoChart loads chart "web" from repository at version as a plan does.
func repoChart(cl *cluster, repository, version string) (*chart.Chart, sdk.Diagnostics) {
	var diags sdk.Diagnostics
	ch, _, _ := cl.chartInputs(releaseConfig{Name: "web", Namespace: "web", Repository: repository, Chart: "web", Version: version}, "", &diags)
	return ch, diags
}

func diagText(diags sdk.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "%s: %s\n", d.Summary, d.Detail)
	}
	return b.String()
}

// nonLoopbackIP is an address of this machine that is not a loopback one,
// so a test server listening on every interface is reached as a remote
// host would be.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address")
	return ""
}

// TestRepositoryCredentialsNotOverPlainHTTP: the credentials of a
// repository URL go to a plain http:// repository only on a loopback
// address; to any other host the configuration is refused, and the chart
// is not fetched: nothing reaches the host, credentials least of all.
func TestRepositoryCredentialsNotOverPlainHTTP(t *testing.T) {
	t.Parallel()
	ip := nonLoopbackIP(t)
	r := newChartRepo(t, "0.0.0.0:0", "user", secretPass, "0.1.0")
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	remote := "http://user:" + secretPass + "@" + net.JoinHostPort(ip, port)

	_, diags := parseConfig(releaseSchema.Object(map[string]cty.Value{
		"name": cty.StringVal("web"), "namespace": cty.StringVal("web"),
		"repository": cty.StringVal(remote), "chart": cty.StringVal("web"),
	}))
	if !strings.Contains(diagText(diags), "Credentials over plain HTTP") {
		t.Errorf("a plain http:// repository with credentials on %s: %q; want it refused", ip, diagText(diags))
	}
	if strings.Contains(diagText(diags), secretPass) {
		t.Errorf("the refusal shows the password: %q", diagText(diags))
	}

	cl := onlineCluster(t.TempDir())
	if ch, diags := repoChart(cl, remote, "0.1.0"); ch != nil || strings.Contains(diagText(diags), secretPass) {
		t.Errorf("pulled from %s over plain HTTP with credentials: %v, %q", ip, ch, diagText(diags))
	}
	if n := r.authorized.Load(); n != 0 {
		t.Errorf("%d requests with credentials went over plain HTTP to %s", n, ip)
	}
	if n := r.requests.Load(); n != 0 {
		t.Errorf("%d requests went to %s", n, ip)
	}

	// On loopback, plain HTTP carries them.
	local := "http://user:" + secretPass + "@" + net.JoinHostPort("127.0.0.1", port)
	if ch, diags := repoChart(cl, local, "0.1.0"); ch == nil || diags.HasErrors() {
		t.Errorf("pull from a loopback repository with credentials: %q", diagText(diags))
	}
	if r.authorized.Load() == 0 {
		t.Error("no credentials reached the loopback repository")
	}
	for _, ok := range []string{local, "https://user:" + secretPass + "@charts.example", "http://charts.example", "http://user:" + secretPass + "@[::1]:8080/charts"} {
		_, diags := parseConfig(releaseSchema.Object(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal("web"),
			"repository": cty.StringVal(ok), "chart": cty.StringVal("web"),
		}))
		if diags.HasErrors() {
			t.Errorf("%s refused: %q", displayRepositoryForTest(ok), diagText(diags))
		}
	}
}

// displayRepositoryForTest is a repository URL as a failing test may
// print it.
func displayRepositoryForTest(s string) string { return strings.ReplaceAll(s, secretPass, "xxxxx") }

// TestRepositoryCredentialsNotShown: a repository URL's userinfo (and
// the values of its query) never shows in a message: not in the
// configuration's diagnostics, the chart's source that plans name, nor
// the errors of fetching from it.
func TestRepositoryCredentialsNotShown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ repository, summary string }{
		{"ftp://user:" + secretPass + "@charts.example/charts", "Invalid repository"},
		{"https://user:" + secretPass + "@charts.example/charts\x7f", "Invalid repository"},
		{"oci://user:" + secretPass + "@registry.example/charts", "Credentials in an OCI location"},
	} {
		_, diags := parseConfig(releaseSchema.Object(map[string]cty.Value{
			"name": cty.StringVal("web"), "namespace": cty.StringVal("web"),
			"repository": cty.StringVal(tc.repository), "chart": cty.StringVal("web"),
		}))
		text := diagText(diags)
		if !strings.Contains(text, tc.summary) || strings.Contains(text, secretPass) || strings.Contains(text, "user:") {
			t.Errorf("%q: diagnostics %q; want %q, without the credentials", displayRepositoryForTest(tc.repository), text, tc.summary)
		}
	}

	c := releaseConfig{Repository: "https://user:" + secretPass + "@charts.example/charts?token=abcdefgh12345", Chart: "web"}
	if got, want := c.source(), "https://charts.example/charts?token=xxxxx web"; got != want {
		t.Errorf("source() = %q, want %q", displayRepositoryForTest(got), want)
	}

	r := newChartRepo(t, "127.0.0.1:0", "user", secretPass, "0.1.0")
	u := strings.Replace(r.URL, "http://", "http://user:"+secretPass+"@", 1)
	cl := onlineCluster(t.TempDir())
	for _, tc := range []struct{ repository, version string }{
		{u, "9.9.9"},                             // not in the index
		{u + "/nothere?token=abcdefgh12345", ""}, // no index
		{strings.Replace(u, secretPass, "wrong-password", 1), ""},
	} {
		_, diags := repoChart(cl, tc.repository, tc.version)
		text := diagText(diags)
		if !diags.HasErrors() || strings.Contains(text, secretPass) || strings.Contains(text, "wrong-password") || strings.Contains(text, "abcdefgh12345") {
			t.Errorf("%s: %q; want an error without the credentials", displayRepositoryForTest(tc.repository), text)
		}
	}
}

// TestOfflinePlanChartFromCache: plan -offline takes a repository's chart
// from the cache alone, asking the repository nothing: an exact version
// as cached, a constraint as the newest cached version that satisfies it
// (with a warning saying so), and a version not cached fails, saying how
// to fill the cache.
func TestOfflinePlanChartFromCache(t *testing.T) {
	t.Parallel()
	r := newChartRepo(t, "127.0.0.1:0", "", "", "0.1.0", "0.2.0", "0.3.0")
	cache := t.TempDir()
	for _, v := range []string{"0.1.0", "0.2.0"} {
		if ch, diags := repoChart(onlineCluster(cache), r.URL, v); ch == nil {
			t.Fatalf("online pull of %s: %s", v, diagText(diags))
		}
	}
	online := r.requests.Load()
	offline := offlineCluster(cache)
	for _, tc := range []struct {
		version, want string // want "": an error
		warned        bool
	}{
		{"0.1.0", "0.1.0", false},
		{"~0.2", "0.2.0", true},
		{"", "0.2.0", true},
		{"0.3.0", "", false},
		{">= 0.3", "", false},
	} {
		ch, diags := repoChart(offline, r.URL, tc.version)
		text := diagText(diags)
		switch {
		case tc.want == "":
			if ch != nil || !strings.Contains(text, "not in the chart cache") || !strings.Contains(text, "online") {
				t.Errorf("offline %q: %v, %q; want an error that says the cache lacks it and how to fill it", tc.version, ch, text)
			}
		case ch == nil || ch.Metadata.Version != tc.want:
			t.Errorf("offline %q: %v, %q; want %s", tc.version, ch, text, tc.want)
		case tc.warned != (len(diags) > 0):
			t.Errorf("offline %q: diagnostics %q; want a warning %v", tc.version, text, tc.warned)
		case tc.warned && (!strings.Contains(text, "Chart version from the cache") || !strings.Contains(text, tc.want)):
			t.Errorf("offline %q: diagnostics %q; want a warning naming %s", tc.version, text, tc.want)
		}
	}
	if n := r.requests.Load() - online; n != 0 {
		t.Errorf("offline plans made %d requests to the repository", n)
	}

	// An OCI chart alike: the registry (nothing listens on port 1) is
	// never asked for its tags or a chart.
	dir := filepath.Join(cache, "oci", "127.0.0.1_1", "charts", "web")
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, err := os.Stat(dir); err != nil {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := chartutil.Save(testChart(v), dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ version, want string }{
		{"1.0.0", "1.0.0"}, {"~1.0", "1.0.0"}, {"^1", "1.1.0"}, {"", "1.1.0"}, {"2.0.0", ""},
	} {
		ch, diags := repoChart(offline, "oci://127.0.0.1:1/charts", tc.version)
		text := diagText(diags)
		if tc.want == "" {
			if ch != nil || !strings.Contains(text, "not in the chart cache") {
				t.Errorf("offline oci %q: %v, %q; want an error that says the cache lacks it", tc.version, ch, text)
			}
		} else if ch == nil || ch.Metadata.Version != tc.want || strings.Contains(text, "127.0.0.1:1: connect") {
			t.Errorf("offline oci %q: %v, %q; want %s from the cache", tc.version, ch, text, tc.want)
		}
	}
}
