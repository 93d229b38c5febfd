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

package kube

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// TestRateLimitDefaults: with no rate limit set, a server with API
// Priority and Fairness gets no client-side limit, and one without gets
// the default; a limit the user sets always holds.
func TestRateLimitDefaults(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		apf        bool
		qps        float32
		burst      int
		wantQPS    float32
		wantBurst  int
		wantFlowed bool
	}{
		"flow control, nothing set":    {apf: true, wantQPS: -1, wantBurst: DefaultBurst, wantFlowed: true},
		"no flow control, nothing set": {wantQPS: DefaultQPS, wantBurst: DefaultBurst},
		"flow control, qps set":        {apf: true, qps: 20, wantQPS: 20, wantBurst: DefaultBurst},
		"qps above the default burst":  {qps: 500, wantQPS: 500, wantBurst: 500},
		"burst set alone":              {burst: 7, wantQPS: DefaultQPS, wantBurst: 7},
		"both set":                     {apf: true, qps: 5, burst: 10, wantQPS: 5, wantBurst: 10},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.apf {
					w.Header().Set(flowSchemaHeader, "6d7e1e2a")
				}
				w.Write([]byte("ok"))
			}))
			defer srv.Close()
			cl, err := Connect(ClientConfig{Kubeconfig: kubeconfigOf(t, srv.URL), QPS: tt.qps, Burst: tt.burst})
			if err != nil {
				t.Fatal(err)
			}
			if cl.Config.QPS != tt.wantQPS || cl.Config.Burst != tt.wantBurst || cl.FlowControl != tt.wantFlowed {
				t.Errorf("qps %v burst %d flow control %v, want %v %d %v", cl.Config.QPS, cl.Config.Burst, cl.FlowControl, tt.wantQPS, tt.wantBurst, tt.wantFlowed)
			}
			// One limiter (or none) for every client: the dynamic
			// client's, and a client made from a copy of the config, as
			// the helm provider and the analysis Jobs make theirs.
			other, err := rest.RESTClientFor(withGroupVersion(rest.CopyConfig(cl.Config)))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := other.GetRateLimiter(), cl.REST.GetRateLimiter(); got != want || (want == nil) != (tt.wantQPS < 0) {
				t.Errorf("a client made from a copy of the config has limiter %p, the dynamic client %p; want one, or none with flow control", got, want)
			}
		})
	}
}

// kubeconfigOf writes a kubeconfig of one cluster at server, with no
// credentials, and returns its path.
func kubeconfigOf(t *testing.T, server string) string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "config")
	err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "`+server+`"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// withGroupVersion gives c what rest.RESTClientFor needs of a config.
func withGroupVersion(c *rest.Config) *rest.Config {
	c.GroupVersion = &schema.GroupVersion{Version: "v1"}
	c.APIPath = "/api"
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	return c
}
