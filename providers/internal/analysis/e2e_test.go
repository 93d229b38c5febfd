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

package analysis_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/analysis"
	"slipway.dev/slipway/providers/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// TestPrometheusEndToEnd runs prometheus analyses against a real
// Prometheus that scrapes an exporter the test controls: the analysis
// passes while the error ratio is low, fails once the exporter reports
// a high one, and is inconclusive for a metric nobody exports and for a
// server that is not there.
func TestPrometheusEndToEnd(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	ratio := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "web_error_ratio", Help: "Errors per request."}, []string{"track"})
	reg.MustRegister(ratio)
	ratio.WithLabelValues("canary").Set(0.01)
	exporter := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)
	prom, err := testbed.StartPrometheus(t.Context(), t.TempDir(), []string{exporter.URL + "/metrics"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prom.Close() })
	const query = `web_error_ratio{track="canary"}`
	waitFor(t, prom.URL, query, 0.01)

	errorsAnalysis := &rolloutspec.Analysis{
		Name:     "errors",
		Interval: "100ms",
		Count:    2,
		Prometheus: &rolloutspec.PrometheusMetric{
			Address:   prom.URL,
			Query:     query,
			Condition: "result < 0.05",
		},
	}
	run, err := analysis.Run(t.Context(), errorsAnalysis, analysis.Env{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Phase != rolloutspec.Successful || len(run.Measurements) != 2 || run.Measurements[0].Value != "0.01" {
		t.Fatalf("with a ratio of 0.01: %s %+v, want Successful with 2 measurements of 0.01", run.Summary(), run.Measurements)
	}

	ratio.WithLabelValues("canary").Set(0.5)
	waitFor(t, prom.URL, query, 0.5)
	run, err = analysis.Run(t.Context(), errorsAnalysis, analysis.Env{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Phase != rolloutspec.Failed || len(run.Measurements) != 1 || !strings.Contains(run.Measurements[0].Message, "0.5") {
		t.Fatalf("with a ratio of 0.5: %s %+v, want Failed at the first measurement, showing 0.5", run.Summary(), run.Measurements)
	}

	// Both series are a list.
	ratio.WithLabelValues("stable").Set(0.02)
	waitFor(t, prom.URL, `web_error_ratio{track="stable"}`, 0.02)
	both := *errorsAnalysis
	both.Count = 1
	both.Prometheus = &rolloutspec.PrometheusMetric{Address: prom.URL, Query: "web_error_ratio", Condition: "size(result) == 2 && result.exists(x, x > 0.4)"}
	if run, err = analysis.Run(t.Context(), &both, analysis.Env{}, 1, nil); err != nil || run.Phase != rolloutspec.Successful {
		t.Fatalf("over both series: %s, %v; want Successful", run.Summary(), err)
	}

	for name, addr := range map[string]string{"no such metric": prom.URL, "no server": "http://" + closedAddr(t)} {
		a := *errorsAnalysis
		a.Count = 1
		a.Prometheus = &rolloutspec.PrometheusMetric{Address: addr, Query: `web_error_ratio{track="nobody"}`, Condition: "result < 0.05"}
		run, err := analysis.Run(t.Context(), &a, analysis.Env{}, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Phase != rolloutspec.Inconclusive || run.Measurements[0].Phase != rolloutspec.Inconclusive {
			t.Errorf("%s: %s, want Inconclusive", name, run.Summary())
		}
	}
}

// waitFor waits until query's one sample at the Prometheus at addr is
// want: the server has scraped the exporter since it changed.
func waitFor(t *testing.T, addr, query string, want float64) {
	t.Helper()
	client, err := api.NewClient(api.Config{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	q := promv1.NewAPI(client)
	var last model.Value
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		v, _, _, err := q.Query(ctx, query, time.Now())
		if err != nil {
			return false, nil
		}
		last = v
		vec, ok := v.(model.Vector)
		return ok && len(vec) == 1 && float64(vec[0].Value) == want, nil
	})
	if err != nil {
		t.Fatalf("%s did not become %v (last: %v): %v", query, want, last, err)
	}
}
