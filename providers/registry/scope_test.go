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

package registry

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// publicRegistry is a registry in front of registryAddr that serves
// anyone, as Docker Hub does: every request is challenged for a bearer
// token, which its token service hands out with or without credentials.
// It records the Authorization header of each token request.
type publicRegistry struct {
	Addr string
	mu   sync.Mutex
	auth []string
}

func (p *publicRegistry) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.auth...)
}

func startPublicRegistry(t *testing.T, registryAddr string) *publicRegistry {
	t.Helper()
	target, err := url.Parse("http://" + registryAddr)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &publicRegistry{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			p.mu.Lock()
			p.auth = append(p.auth, r.Header.Get("Authorization"))
			p.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"token":"anyone","access_token":"anyone"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer anyone" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="public"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.Header.Del("Authorization")
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Addr = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// TestCredentialsStayWithTheirRegistries: the provider block's
// credentials go to the registries it names, and not to the registry of
// a base image (nor to the token service it names), which gets an
// anonymous request. Without registries they went everywhere; the
// provider still sends them so then, and warns.
func TestCredentialsStayWithTheirRegistries(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	private := startProxy(t, reg, "", "robot", "s3cret")
	public := startPublicRegistry(t, reg)
	base := testImage(t, []map[string]string{{"etc/os-release": "ID=test\n"}}, v1.Config{}, "linux/amd64")
	pushImage(t, reg+"/library/base:1", base)
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	cfg := appConfig(private.Addr+"/private/app", ctxDir, map[string]cty.Value{"base": str(public.Addr + "/library/base:1")})

	block := map[string]cty.Value{"username": str("robot"), "password": str("s3cret"), "registries": cty.ListVal([]cty.Value{str(private.Addr)})}
	c := sdktest.Start(t, "registry")
	diags, err := c.Configure(t.Context(), providerSchema.Object(block))
	if err != nil || len(diags) > 0 {
		t.Fatalf("configure with registries: %v %v", diags, err)
	}
	newSession(t, c).Sync(cfg)
	for _, a := range public.seen() {
		if a != "" {
			t.Errorf("the base image's token service was sent %q; want no credentials", a)
		}
	}
	if len(public.seen()) == 0 {
		t.Error("the base image was not read through its registry")
	}

	// Without registries: sent everywhere, as before, with a warning.
	delete(block, "registries")
	all := sdktest.Start(t, "registry")
	diags, err = all.Configure(t.Context(), providerSchema.Object(block))
	if err != nil || len(diags) != 1 || diags[0].Severity != sdk.Warning || diags[0].Summary != "Registry credentials sent to every registry" {
		t.Fatalf("configure without registries: %v %v; want the warning", diags, err)
	}

	// A registry that is not one is refused where it is written.
	bad := sdktest.Start(t, "registry")
	diags, _ = bad.Configure(t.Context(), providerSchema.Object(map[string]cty.Value{"registries": cty.ListVal([]cty.Value{str("ghcr.io/org/app")})}))
	checkDiag(t, diags, "Invalid registry", cty.GetAttrPath("registries"), "ghcr.io/org/app")
}

func TestRegistryHosts(t *testing.T) {
	t.Parallel()
	hosts, bad := registryHosts([]string{"docker.io", "ghcr.io", "registry.example.com:5000", "ghcr.io/org", "not a host"})
	for _, h := range []string{"index.docker.io", "ghcr.io", "registry.example.com:5000"} {
		if !hosts[h] {
			t.Errorf("%s is not among %v", h, hosts)
		}
	}
	if len(bad) != 2 {
		t.Errorf("bad = %q; want the path and the words", bad)
	}
}
