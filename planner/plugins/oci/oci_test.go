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
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// startRegistry serves go-containerregistry's in-process registry on
// 127.0.0.1; the end-to-end test in cmd/slipway uses the real one.
func startRegistry(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func writeBuild(t *testing.T, dir, platform, content string) Build {
	t.Helper()
	p := filepath.Join(dir, platform)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return Build{Platform: platform, Path: p}
}

func TestPushResolveFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	host := startRegistry(t)
	dir := t.TempDir()
	repo, err := ParseRepository(host + "/acme/jira")
	if err != nil {
		t.Fatal(err)
	}
	builds := []Build{writeBuild(t, dir, "linux_amd64", "amd64 build"), writeBuild(t, dir, "linux_arm64", "arm64 build")}
	var digests []string
	for _, v := range []string{"1.2.0", "1.3.0", "2.0.0", "1.4.0-rc.1"} {
		d, err := Push(ctx, repo.Tag(Tag(v)), "jira", builds, Options{})
		if err != nil {
			t.Fatalf("push %s: %v", v, err)
		}
		digests = append(digests, d)
	}
	if digests[0] != digests[1] {
		t.Errorf("the same builds pushed twice have digests %s and %s; push must be reproducible", digests[0], digests[1])
	}

	for _, tc := range []struct{ constraint, want string }{
		{"", "2.0.0"}, {"^1.2", "1.3.0"}, {"~> 1.2", "1.2.0"}, {">= 1.4.0-rc.0, < 2", "1.4.0-rc.1"},
	} {
		v, err := Resolve(ctx, repo, tc.constraint, Options{})
		if err != nil {
			t.Errorf("resolve %q: %v", tc.constraint, err)
			continue
		}
		if v.Version.String() != tc.want {
			t.Errorf("resolve %q = %s, want %s", tc.constraint, v.Version, tc.want)
		}
	}
	_, err = Resolve(ctx, repo, "~> 9.0", Options{})
	var nm *NoMatchError
	if !errors.As(err, &nm) || !strings.Contains(err.Error(), `no version of `+repo.String()+` matches "~> 9.0"; its tags hold 2.0.0, 1.4.0-rc.1, 1.3.0, 1.2.0`) {
		t.Errorf("resolve ~> 9.0: %v", err)
	}

	art, err := Fetch(ctx, repo.Tag("1.2.0"), "jira", "linux_arm64", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(art.Executable) != "arm64 build" || art.IndexDigest != digests[0] || art.ManifestDigest == "" {
		t.Errorf("fetched %q from index %s manifest %s", art.Executable, art.IndexDigest, art.ManifestDigest)
	}
	// By the index's digest, as a pin names it.
	art, err = Fetch(ctx, repo.Digest(digests[0]), "jira", "linux_amd64", Options{})
	if err != nil || string(art.Executable) != "amd64 build" {
		t.Errorf("fetch by digest: %q, %v", art.Executable, err)
	}

	for _, tc := range []struct{ name, provider, platform, want string }{
		{"platform", "jira", "darwin_arm64", "has no build for darwin_arm64; it has builds for linux_amd64, linux_arm64"},
		{"name", "file", "linux_amd64", "holds slipway-provider-jira, not slipway-provider-file"},
	} {
		if _, err := Fetch(ctx, repo.Tag("1.2.0"), tc.provider, tc.platform, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: fetch said %v, want %q", tc.name, err, tc.want)
		}
	}

	if _, err := Push(ctx, repo.Tag("latest"), "jira", builds, Options{}); err == nil || !strings.Contains(err.Error(), `tag "latest" is not a version`) {
		t.Errorf("push to latest: %v", err)
	}
}

func TestRegistrySource(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]bool{
		"registry.example.com/acme/jira": true, "127.0.0.1:5000/jira": true, "localhost/jira": true,
		"oci://ghcr.io/acme/jira": true, "acme/jira": false, "slipway/file": false, "file": false,
		"slipway.dev/examples/file": false, "slipway.dev/builtin/git": false, "oci://slipway.dev/acme/jira": true,
	} {
		if got := IsRegistrySource(src); got != want {
			t.Errorf("IsRegistrySource(%q) = %v, want %v", src, got, want)
		}
	}
	for _, src := range []string{"ghcr.io/acme/jira:1.2.0", "ghcr.io/acme/jira@sha256:" + strings.Repeat("0", 64)} {
		if _, err := ParseRepository(src); err == nil || !strings.Contains(err.Error(), "names a tag or digest") {
			t.Errorf("ParseRepository(%q): %v", src, err)
		}
	}
	if r, err := ParseRepository("127.0.0.1:5000/acme/jira"); err != nil || r.String() != "127.0.0.1:5000/acme/jira" {
		t.Errorf("ParseRepository: %v, %v", r, err)
	}
}

func TestScanBuilds(t *testing.T) {
	t.Parallel()
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	write := func(dir, name string) {
		if err := os.WriteFile(filepath.Join(dir, name), self, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	here := runtime.GOOS + "_" + runtime.GOARCH
	dir := t.TempDir()
	write(dir, "slipway-provider-my_thing_"+here)
	write(dir, "README.md")
	n, builds, err := ScanBuilds(dir)
	if err != nil || n != "my_thing" || len(builds) != 1 || builds[0].Platform != here {
		t.Errorf("ScanBuilds = %q, %v, %v", n, builds, err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	bad := t.TempDir()
	write(bad, "slipway-provider-jira_linux_"+other)
	if _, _, err := ScanBuilds(bad); err == nil || !strings.Contains(err.Error(), "is named for linux/"+other+" but is an ELF executable for") {
		t.Errorf("a misnamed build: %v", err)
	}
}

// Credentials come from the docker configuration that DOCKER_CONFIG
// names, as for images.
func TestDockerConfigCredentials(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	repo, err := ParseRepository(host + "/acme/jira")
	if err != nil {
		t.Fatal(err)
	}
	builds := []Build{writeBuild(t, t.TempDir(), "linux_amd64", "build")}

	t.Setenv("DOCKER_CONFIG", t.TempDir())
	if _, err := Push(context.Background(), repo.Tag("1.0.0"), "jira", builds, Options{}); err == nil || !strings.Contains(strings.ToLower(err.Error()), "unauthorized") {
		t.Fatalf("push without credentials: %v", err)
	}
	cfg := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("ci:s3cret"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	if _, err := Push(context.Background(), repo.Tag("1.0.0"), "jira", builds, Options{}); err != nil {
		t.Fatalf("push with the docker configuration's credentials: %v", err)
	}
	if art, err := Fetch(context.Background(), repo.Tag("1.0.0"), "jira", "linux_amd64", Options{}); err != nil || string(art.Executable) != "build" {
		t.Fatalf("fetch with the docker configuration's credentials: %v", err)
	}
}
