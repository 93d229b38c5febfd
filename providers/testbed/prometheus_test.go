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

package testbed_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/providers/testbed"
)

// TestPrometheus starts a server that scrapes an exporter the test
// controls, sees the exporter's value through the query API, and checks
// that the server scrapes nothing else and that Close ends it.
func TestPrometheus(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "testbed_answer", Help: "What the test set."})
	reg.MustRegister(gauge)
	gauge.Set(42)
	exporter := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)

	p, err := testbed.StartPrometheus(t.Context(), t.TempDir(), []string{exporter.URL + "/metrics"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Errorf("prometheus listens on %s, want 127.0.0.1", p.URL)
	}
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		t.Fatal(err)
	}
	q := promv1.NewAPI(client)
	if got := waitValue(t, q, "testbed_answer"); got != 42 {
		t.Errorf("testbed_answer = %v, want 42", got)
	}
	// One target, the exporter: the server does not scrape itself.
	targets, err := q.Targets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(targets.Active) != 1 || targets.Active[0].ScrapeURL != exporter.URL+"/metrics" {
		t.Errorf("active targets %+v, want only %s/metrics", targets.Active, exporter.URL)
	}
	config, err := os.ReadFile(filepath.Join(p.Dir, "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(config), "9090") {
		t.Errorf("the config names the default port:\n%s", config)
	}

	pid := p.PID()
	if pid == 0 {
		t.Fatal("PID() = 0 while the server runs")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("prometheus (pid %d) still exists after Close (kill 0: %v)", pid, err)
	}
	if _, err := http.Get(p.URL + "/-/ready"); err == nil {
		t.Error("prometheus still answers after Close")
	}
}

// TestPrometheusBadTarget: a target that is neither host:port nor a URL
// is refused before anything starts.
func TestPrometheusBadTarget(t *testing.T) {
	t.Parallel()
	_, err := testbed.StartPrometheus(t.Context(), t.TempDir(), []string{"ftp://127.0.0.1:1/metrics"})
	if err == nil || !strings.Contains(err.Error(), "ftp://") {
		t.Fatalf("err = %v, want one naming the target", err)
	}
}

// waitValue waits until query has a one-sample result and returns it.
func waitValue(t *testing.T, q promv1.API, query string) float64 {
	t.Helper()
	var got float64
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		v, _, _, err := q.Query(ctx, query, time.Now())
		if err != nil {
			last = err
			return false, nil
		}
		if vec, ok := v.(model.Vector); ok && len(vec) == 1 {
			got = float64(vec[0].Value)
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s never had a value: %v (last error: %v)", query, err, last)
	}
	return got
}
