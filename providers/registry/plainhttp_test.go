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
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// nonLoopbackIP is an address of this machine other than a loopback one,
// or "" when it has none.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var v6 string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() || n.IP.IsUnspecified() {
			continue
		}
		if n.IP.To4() != nil {
			return n.IP.String()
		}
		if v6 == "" {
			v6 = n.IP.String()
		}
	}
	return v6
}

// plainRegistry is a registry served over plain HTTP only, that asks for
// HTTP basic auth (robot, s3cret), as private registries do. It records
// the Authorization header of every request.
type plainRegistry struct {
	Addr string
	mu   sync.Mutex
	auth []string
}

func (r *plainRegistry) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

func startPlainRegistry(t *testing.T, ip string) *plainRegistry {
	t.Helper()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	r := &plainRegistry{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		if u, p, ok := req.BasicAuth(); !ok || u != "robot" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, req)
	}))
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on this machine's non-loopback address %s: %v", ip, err)
	}
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	r.Addr = l.Addr().String()
	return r
}

// TestPlainHTTPNeedsInsecure: go-containerregistry reaches a registry
// over plain HTTP by itself when its name is a private address (10/8,
// 172.16/12, 192.168/16) or ends in .localhost, racing HTTPS against
// HTTP, and sent the provider block's credentials in clear to it. Plain
// HTTP now goes only to loopback registries unless insecure is set, and
// the error says to set it.
//
// The registry listens on this machine's non-loopback address; the
// names go-containerregistry reaches over plain HTTP by themselves lead
// there (as a route, or DNS for a .localhost name, would), through the
// transport under every registry call.
func TestPlainHTTPNeedsInsecure(t *testing.T) {
	// Not parallel: the test replaces remote.DefaultTransport.
	ip := nonLoopbackIP(t)
	if ip == "" {
		t.Skip("this machine has no non-loopback address to serve a plain-HTTP registry on")
	}
	reg := startPlainRegistry(t, ip)
	_, port, _ := net.SplitHostPort(reg.Addr)
	orig := remote.DefaultTransport
	tr := orig.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, reg.Addr)
	}
	remote.DefaultTransport = tr
	t.Cleanup(func() { remote.DefaultTransport = orig })

	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	apply := func(t *testing.T, host string, insecure bool) sdk.Diagnostics {
		t.Helper()
		p, diags := configureInProcess(t, map[string]cty.Value{
			"username": str("robot"), "password": str("s3cret"), "insecure": cty.BoolVal(insecure),
			"registries": cty.ListVal([]cty.Value{str(host + ":" + port)}),
		})
		if len(diags) > 0 {
			t.Fatalf("configure: %v", diags)
		}
		cfg := appConfig(host+":"+port+"/team/app", ctxDir, nil)
		var resp sdk.ApplyResponse
		(&imageResource{p: p}).Apply(t.Context(), sdk.ApplyRequest{
			Address: "registry_image.test", TypeName: "registry_image",
			Config: cfg, PriorState: cty.NullVal(cfg.Type()), PlannedState: cfg,
		}, &resp)
		return resp.Diagnostics
	}
	credentials := func(auth []string) []string {
		var out []string
		for _, a := range auth {
			if a != "" {
				out = append(out, a)
			}
		}
		return out
	}

	for _, host := range []string{"10.20.30.40", "172.20.0.9", "192.168.77.1", "registry.localhost"} {
		t.Run(host, func(t *testing.T) {
			before := len(reg.seen())
			diags := apply(t, host, false)
			if !diags.HasErrors() {
				t.Errorf("pushed to %s:%s over plain HTTP without insecure", host, port)
			} else {
				checkDiag(t, diags, "Cannot push image", cty.GetAttrPath("repository"),
					"plain HTTP", "set insecure = true", host+":"+port)
			}
			if got := reg.seen()[before:]; len(got) > 0 {
				t.Errorf("the plain-HTTP registry at %s was sent %d requests without insecure, %d of them with credentials in clear", host, len(got), len(credentials(got)))
			}

			// An image source says so too.
			p, _ := configureInProcess(t, map[string]cty.Value{"username": str("robot"), "password": str("s3cret")})
			var src sdk.SourceReadResponse
			(&imageSource{p: p}).Read(t.Context(), sdk.SourceReadRequest{
				Address: "source.image.test", TypeName: "image",
				Config:     sourceSchema.Object(map[string]cty.Value{"repository": str(host + ":" + port + "/team/app"), "tag": str("v1")}),
				PriorState: cty.NullVal(sourceSchema.ImpliedType()),
			}, &src)
			checkDiag(t, src.Diagnostics, "Plain HTTP refused", cty.GetAttrPath("repository"), "set insecure = true")
			if got := reg.seen()[before:]; len(got) > 0 {
				t.Errorf("the plain-HTTP registry at %s was sent %d requests without insecure", host, len(got))
			}

			// With insecure, the user says plain HTTP to it is fine.
			if diags := apply(t, host, true); diags.HasErrors() {
				t.Errorf("push to %s with insecure: %v", host, diags)
			}
		})
	}

	// Loopback registries are reached over plain HTTP without insecure,
	// as before.
	for _, host := range []string{"localhost", "127.0.0.1"} {
		if diags := apply(t, host, false); diags.HasErrors() {
			t.Errorf("push to %s without insecure: %v", host, diags)
		}
	}
}
