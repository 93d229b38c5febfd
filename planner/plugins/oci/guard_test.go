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

package oci

import (
	"context"
	"encoding/base64"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// authRegistry is a registry served over plain HTTP on 127.0.0.1 that
// asks for HTTP basic auth (user, password), as private registries do.
// It records the Authorization header of every request it is sent.
type authRegistry struct {
	addr string
	mu   sync.Mutex
	auth []string
}

func startAuthRegistry(t *testing.T, user, password string) *authRegistry {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r := &authRegistry{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		if u, p, ok := req.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, req)
	}))
	t.Cleanup(s.Close)
	r.addr = strings.TrimPrefix(s.URL, "http://")
	return r
}

// seen are the Authorization headers of the requests sent so far, ""
// for one without.
func (r *authRegistry) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

// TestCredentialHelperByPath: docker/cli runs the credential helper a
// docker config names (credsStore, credHelpers) as
// docker-credential-NAME, and a NAME holding a slash makes that a path
// relative to the working directory. slipway init runs in a checkout,
// which may be one under review: with DOCKER_CONFIG naming
// {"credsStore": "x/run"} and an executable docker-credential-x/run in
// the checkout, pulling a provider ran it. Such a name is refused, with
// an error naming the file and the helper, and nothing runs; a helper
// installed on PATH still runs.
func TestCredentialHelperByPath(t *testing.T) {
	// Not parallel: the test sets the working directory and the
	// environment.
	dir := t.TempDir()
	t.Chdir(dir)
	marker := filepath.Join(dir, "helper-ran")
	helper := "#!/bin/sh\ncat >/dev/null\ntouch '" + marker + "'\necho '{\"ServerURL\":\"registry\",\"Username\":\"robot\",\"Secret\":\"s3cret\"}'\n"
	for _, p := range []string{"docker-credential-x/run", "bin/docker-credential-plain"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(helper), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The docker configuration is the test's alone.
	t.Setenv("HOME", filepath.Join(dir, "home"))
	for _, v := range []string{"REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_AUTH_CONFIG"} {
		t.Setenv(v, "")
	}
	t.Setenv("PATH", filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", filepath.Join(dir, "ci"))
	file := filepath.Join(dir, "ci", "config.json")
	ranHelper := func() bool {
		_, err := os.Stat(marker)
		os.Remove(marker)
		return err == nil
	}

	reg := startAuthRegistry(t, "robot", "s3cret")
	repo, err := ParseRepository(reg.addr + "/acme/jira")
	if err != nil {
		t.Fatal(err)
	}
	builds := []Build{writeBuild(t, t.TempDir(), "linux_amd64", "build")}
	ctx := context.Background()

	for _, tc := range []struct{ name, config, key string }{
		{"credsStore", `{"credsStore": "x/run"}`, "credsStore"},
		{"credHelpers", `{"credHelpers": {"` + reg.addr + `": "x/run"}}`, `credHelpers["` + reg.addr + `"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			refused := func(what string, err error) {
				t.Helper()
				t.Logf("%s: %v", what, err)
				if err == nil {
					t.Errorf("%s with %s: no error, want the credential helper refused", what, tc.config)
				} else {
					for _, want := range []string{file, `"x/run"`, tc.key, "not a plain program name", "relative to the working directory"} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("%s with %s: error %q, want it to say %q", what, tc.config, err, want)
						}
					}
				}
				if ranHelper() {
					t.Errorf("%s with %s ran the helper docker-credential-x/run in the working directory", what, tc.config)
				}
			}
			_, err := Push(ctx, repo.Tag("1.0.0"), "jira", builds, Options{})
			refused("push", err)
			_, err = Resolve(ctx, repo, "", Options{})
			refused("resolve", err)
			_, err = Fetch(ctx, repo.Tag("1.0.0"), "jira", "linux_amd64", Options{})
			refused("fetch", err)
		})
	}

	// A helper installed on PATH runs, as docker runs it.
	if err := os.WriteFile(file, []byte(`{"credHelpers": {"`+reg.addr+`": "plain"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(ctx, repo.Tag("1.0.0"), "jira", builds, Options{}); err != nil {
		t.Fatalf("push with a helper on PATH: %v", err)
	}
	if art, err := Fetch(ctx, repo.Tag("1.0.0"), "jira", "linux_amd64", Options{}); err != nil || string(art.Executable) != "build" {
		t.Fatalf("fetch with a helper on PATH: %v", err)
	}
	if !ranHelper() {
		t.Error("the helper on PATH did not run")
	}
}

// TestPlainHTTPOnlyToLoopback: go-containerregistry reaches a registry
// over plain HTTP by itself when its name is a private address (10/8,
// 172.16/12, 192.168/16) or ends in .localhost, racing HTTPS against
// HTTP, so slipway init and providers push sent the docker
// configuration's credentials, and took provider binaries, in clear.
// Plain HTTP goes to loopback registries alone, as the documentation
// says; a registry elsewhere that serves only plain HTTP is refused, and
// is sent nothing.
//
// The registry listens on 127.0.0.1; the names go-containerregistry
// reaches over plain HTTP by themselves lead there (as a route, or DNS
// for a .localhost name, would), through the transport under every
// registry call.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	// Not parallel: the test replaces remote.DefaultTransport and sets
	// DOCKER_CONFIG.
	reg := startAuthRegistry(t, "ci", "s3cret")
	_, port, _ := net.SplitHostPort(reg.addr)
	orig := remote.DefaultTransport
	tr := orig.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, reg.addr)
	}
	remote.DefaultTransport = tr
	t.Cleanup(func() { remote.DefaultTransport = orig })

	private := []string{"10.20.30.40", "172.20.0.9", "192.168.77.1", "registry.localhost"}
	hosts := append([]string{"127.0.0.1", "localhost"}, private...)
	auths := make([]string, len(hosts))
	for i, h := range hosts {
		auths[i] = `"` + h + ":" + port + `":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("ci:s3cret")) + `"}`
	}
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{`+strings.Join(auths, ",")+`}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	ctx := context.Background()
	builds := []Build{writeBuild(t, t.TempDir(), "linux_amd64", "build")}
	repoOf := func(host string) string { return host + ":" + port + "/acme/jira" }

	// Loopback registries are reached over plain HTTP, as before.
	for _, host := range []string{"127.0.0.1", "localhost"} {
		repo, err := ParseRepository(repoOf(host))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Push(ctx, repo.Tag("1.0.0"), "jira", builds, Options{}); err != nil {
			t.Fatalf("push to %s: %v", repo, err)
		}
		if art, err := Fetch(ctx, repo.Tag("1.0.0"), "jira", "linux_amd64", Options{}); err != nil || string(art.Executable) != "build" {
			t.Fatalf("fetch from %s: %v", repo, err)
		}
	}

	for _, host := range private {
		t.Run(host, func(t *testing.T) {
			// The test's route leads there: what keeps slipway away is
			// not the network.
			resp, err := tr.RoundTrip(httptest.NewRequest(http.MethodGet, "http://"+host+":"+port+"/v2/", nil).WithContext(ctx))
			if err != nil {
				t.Fatalf("the test's route to %s: %v", host, err)
			}
			resp.Body.Close()

			repo, err := ParseRepository(repoOf(host))
			if err != nil {
				t.Fatal(err)
			}
			before := len(reg.seen())
			refused := func(what string, err error) {
				t.Helper()
				t.Logf("%s: %v", what, err)
				if err == nil {
					t.Errorf("%s %s over plain HTTP: no error, want it refused", what, repo)
				} else if want := "refused plain HTTP to " + host + ":" + port; !strings.Contains(err.Error(), want) {
					t.Errorf("%s %s: error %q, want it to say %q", what, repo, err, want)
				}
			}
			_, err = Push(ctx, repo.Tag("2.0.0"), "jira", builds, Options{})
			refused("push to", err)
			_, err = Resolve(ctx, repo, "", Options{})
			refused("resolve", err)
			_, err = Fetch(ctx, repo.Tag("1.0.0"), "jira", "linux_amd64", Options{})
			refused("fetch from", err)
			if got := reg.seen()[before:]; len(got) > 0 {
				var clear int
				for _, a := range got {
					if a != "" {
						clear++
					}
				}
				t.Errorf("the plain-HTTP registry at %s was sent %d requests, %d of them with credentials in clear", host, len(got), clear)
			}
		})
	}
}
