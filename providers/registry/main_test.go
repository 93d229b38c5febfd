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
	"archive/tar"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// TestMain lets sdktest re-run this test binary as the provider plugin.
func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"registry": New})
}

// startRegistry runs a real registry (the distribution registry) for one
// test, on 127.0.0.1 without authentication, and returns its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	r, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r.Addr
}

// startProvider starts the provider through the real protocol and
// configures it with the provider block attrs (none when nil).
func startProvider(t *testing.T, block map[string]cty.Value) *host.Client {
	t.Helper()
	c := sdktest.Start(t, "registry")
	sdktest.Configure(t, c, providerSchema.Object(block))
	return c
}

func str(s string) cty.Value { return cty.StringVal(s) }

func strList(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

func strMap(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

// writeTree writes files (path -> content) under dir with the given
// modes (0644 when not in modes).
func writeTree(t *testing.T, dir string, files map[string]string, modes map[string]os.FileMode) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		mode, ok := modes[p]
		if !ok {
			mode = 0o644
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
	}
}

// newSession starts a session of one registry_image, not yet built,
// whose applies must keep what the plan knew.
func newSession(t *testing.T, c *host.Client) *sdktest.Session {
	s := sdktest.NewSession(t, c, "registry_image")
	s.CheckApply = checkConforms
	return s
}

// checkConforms checks that the new state keeps every value the plan
// knew, and knows every value.
func checkConforms(t testing.TB, planned, got cty.Value) {
	t.Helper()
	if !got.IsWhollyKnown() {
		t.Errorf("the new state is not wholly known: %#v", got)
	}
	for n := range imageSchema.Attributes {
		p := planned.GetAttr(n)
		if p.IsWhollyKnown() && !p.RawEquals(got.GetAttr(n)) {
			t.Errorf("%s is %#v after apply, planned %#v", n, got.GetAttr(n), p)
		}
	}
}

// checkDiag checks that diags is one error with summary, about the
// attribute at path, whose detail holds every one of details.
func checkDiag(t *testing.T, diags sdk.Diagnostics, summary string, path cty.Path, details ...string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("diagnostics %#v, want one", diags)
	}
	d := diags[0]
	t.Logf("%s: %s", d.Summary, d.Detail)
	if d.Severity != sdk.Error || d.Summary != summary {
		t.Errorf("diagnostic %q (severity %d), want the error %q; detail: %s", d.Summary, d.Severity, summary, d.Detail)
	}
	if !d.Attribute.Equals(path) {
		t.Errorf("diagnostic about %#v, want %#v", d.Attribute, path)
	}
	for _, s := range details {
		if !strings.Contains(d.Detail, s) {
			t.Errorf("detail %q does not say %q", d.Detail, s)
		}
	}
}

// pull reads an image from the registry behind the provider's back.
func pull(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("pull %s: %v", ref, err)
	}
	return img
}

// tarFile is one entry of a layer, as a test sees it.
type tarFile struct {
	Type    byte
	Mode    int64
	Content string
	Link    string
	UID     int
	GID     int
	Owner   string
	MTime   int64
}

// layerFiles reads a layer's entries, and their names in order.
func layerFiles(t *testing.T, l v1.Layer) (map[string]tarFile, []string) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]tarFile{}
	var order []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, order
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, h.Name)
		out[h.Name] = tarFile{Type: h.Typeflag, Mode: h.Mode, Content: string(data), Link: h.Linkname,
			UID: h.Uid, GID: h.Gid, Owner: h.Uname + h.Gname, MTime: h.ModTime.Unix()}
	}
}

// tarLayer makes a layer of files (path -> content), as a test base.
func tarLayer(t *testing.T, files map[string]string, mt types.MediaType) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for p, c := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: 0o644, Size: int64(len(c))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, tarball.WithMediaType(mt))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// testImage builds an OCI image of one layer per entry of layers, with
// cfg as its run configuration, for platform.
func testImage(t *testing.T, layers []map[string]string, cfg v1.Config, platform string) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, files := range layers {
		var err error
		img, err = mutate.AppendLayers(img, tarLayer(t, files, types.OCILayer))
		if err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Config = cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// pushImage pushes img to ref and returns its digest.
func pushImage(t *testing.T, ref string, img v1.Image) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithContext(t.Context())); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// authProxy is a registry behind a reverse proxy that asks for HTTP basic
// auth, as private registries do, on addr (127.0.0.1:0 for any port).
type authProxy struct {
	Addr           string
	user, password string
}

func startProxy(t *testing.T, registryAddr, listen, user, password string) *authProxy {
	t.Helper()
	target, err := url.Parse("http://" + registryAddr)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	if listen != "" {
		l, err := net.Listen("tcp", listen)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return &authProxy{Addr: strings.TrimPrefix(srv.URL, "http://"), user: user, password: password}
}

// digests lists the digests of an image's layers.
func digests(t *testing.T, img v1.Image) []string {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.String())
	}
	return out
}

func configOf(t *testing.T, img v1.Image) *v1.ConfigFile {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

func digestOf(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func checkEqual(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
