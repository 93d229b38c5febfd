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

package kubernetes

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/testbed"
)

// requestLogEnv names a file the provider process appends every HTTP
// request it makes to, one "METHOD PATH?QUERY" line each, so tests can
// count what a plan costs.
const requestLogEnv = "SLIPWAY_KUBERNETES_TEST_REQUEST_LOG"

// pollEnv, when set to a duration, is how often the provider process's
// health waits poll what they cannot watch, and how long they trust a
// watch to deliver an object before they poll it (kube.PollInterval and
// kube.Grace).
const pollEnv = "SLIPWAY_KUBERNETES_TEST_POLL"

// TestMain lets sdktest re-run this test binary as the provider plugin;
// testbed.Main runs the tests, so the shared cluster is stopped after
// them.
func TestMain(m *testing.M) {
	sdktest.MainWith(m, map[string]func() sdk.Provider{"kubernetes": newTestProvider}, testbed.Main)
}

func newTestProvider() sdk.Provider {
	p := newProvider()
	if path := os.Getenv(requestLogEnv); path != "" {
		p.wrapTransport = logRequests(path)
	}
	if d, err := time.ParseDuration(os.Getenv(pollEnv)); err == nil {
		kube.PollInterval, kube.Grace = d, d
	}
	return p
}

func logRequests(path string) func(http.RoundTripper) http.RoundTripper {
	var mu sync.Mutex
	return func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
				meta := ""
				if strings.Contains(req.Header.Get("Accept"), "as=PartialObjectMetadataList") {
					meta = " [metadata]"
				}
				fmt.Fprintf(f, "%s %s?%s%s\n", req.Method, req.URL.Path, req.URL.RawQuery, meta)
				f.Close()
			}
			mu.Unlock()
			return rt.RoundTrip(req)
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// requests is what the provider asked the API server between two marks.
type requests struct {
	lines                      []string
	lists, dryRuns, gets, rest int
	// Counted among lists too: LISTs of objects' metadata alone.
	metaLists int
	// Counted among rest too: watches and applies (not dry-run).
	watches, applies int
}

func (r requests) String() string {
	return fmt.Sprintf("%d requests: %d LIST (of which %d of metadata), %d dry-run apply, %d GET, %d other (of which %d WATCH, %d apply)",
		len(r.lines), r.lists, r.metaLists, r.dryRuns, r.gets, r.rest, r.watches, r.applies)
}

// requestLog reads and clears the provider's request log.
type requestLog string

func (l requestLog) reset(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(string(l), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (l requestLog) read(t *testing.T) requests {
	t.Helper()
	f, err := os.Open(string(l))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r requests
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		r.lines = append(r.lines, line)
		switch {
		case strings.HasPrefix(line, "PATCH ") && strings.Contains(line, "dryRun=All"):
			r.dryRuns++
		case strings.HasPrefix(line, "GET ") && strings.Contains(line, "watch=true"):
			r.watches++
			r.rest++
		case strings.HasPrefix(line, "PATCH "):
			r.applies++
			r.rest++
		case strings.HasPrefix(line, "GET ") && strings.Contains(line, "limit="):
			r.lists++
			if strings.HasSuffix(line, " [metadata]") {
				r.metaLists++
			}
		case strings.HasPrefix(line, "GET "):
			r.gets++
		default:
			r.rest++
		}
	}
	return r
}

// startProvider runs the provider as a plugin process (the test binary,
// re-executed) and configures it for cluster; with a log, the provider
// appends every request it makes to it.
func startProvider(t *testing.T, cluster *testbed.Cluster, log requestLog, env ...string) *host.Client {
	t.Helper()
	if log != "" {
		env = append(env, requestLogEnv+"="+string(log))
	}
	c := sdktest.Start(t, "kubernetes", env...)
	sdktest.Configure(t, c, providerSchema.Object(map[string]cty.Value{
		"kubeconfig": cty.StringVal(cluster.Kubeconfig),
	}))
	return c
}

// newSession starts a session of one app, not yet applied.
func newSession(t *testing.T, c *host.Client) *sdktest.Session {
	return sdktest.NewSession(t, c, "kubernetes_app")
}
