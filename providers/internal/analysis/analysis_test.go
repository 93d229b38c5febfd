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
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/analysis"
)

// fakeProm answers /api/v1/query as Prometheus's HTTP API does, with the
// data of the next of its answers (the last one repeats).
type fakeProm struct {
	mu      sync.Mutex
	answers []string
	queries []string
}

func (f *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, r.Form.Get("query"))
	answer := f.answers[0]
	if len(f.answers) > 1 {
		f.answers = f.answers[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.HasPrefix(answer, "ERROR ") {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, strings.TrimPrefix(answer, "ERROR "))
		return
	}
	fmt.Fprintf(w, `{"status":"success","data":%s}`, answer)
}

// Answers of the fake Prometheus.
func scalar(v string) string { return `{"resultType":"scalar","result":[1700000000,"` + v + `"]}` }

func vector(vs ...string) string {
	var samples []string
	for i, v := range vs {
		samples = append(samples, fmt.Sprintf(`{"metric":{"__name__":"errors","pod":"web-%d"},"value":[1700000000,"%s"]}`, i, v))
	}
	return `{"resultType":"vector","result":[` + strings.Join(samples, ",") + `]}`
}

const matrix = `{"resultType":"matrix","result":[{"metric":{"__name__":"errors"},"values":[[1700000000,"1"],[1700000001,"2"]]}]}`

func serveProm(t *testing.T, answers ...string) (*fakeProm, string) {
	t.Helper()
	f := &fakeProm{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// closedAddr is an address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func promAnalysis(addr, cond string) *rolloutspec.Analysis {
	return &rolloutspec.Analysis{
		Name:       "errors",
		Interval:   "1ms",
		Prometheus: &rolloutspec.PrometheusMetric{Address: addr, Query: "sum(rate(errors[1m]))", Condition: cond},
	}
}

// TestPrometheusMeasurement checks what one measurement of each kind of
// query result comes to.
func TestPrometheusMeasurement(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		answer    string
		cond      string
		want      rolloutspec.Measurement
		wantInMsg string
	}{
		"scalar passes":        {answer: scalar("0.01"), cond: "result < 0.05", want: rolloutspec.Measurement{Phase: rolloutspec.Successful, Value: "0.01"}},
		"scalar fails":         {answer: scalar("0.2"), cond: "result < 0.05", want: rolloutspec.Measurement{Phase: rolloutspec.Failed, Value: "0.2"}, wantInMsg: "result = 0.2 does not meet result < 0.05"},
		"one-element vector":   {answer: vector("3"), cond: "result == 3.0", want: rolloutspec.Measurement{Phase: rolloutspec.Successful, Value: "3"}},
		"int literal compares": {answer: vector("0.5"), cond: "result < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Successful, Value: "0.5"}},
		"vector is a list":     {answer: vector("0.1", "0.3"), cond: "result.all(x, x < 0.5) && size(result) == 2", want: rolloutspec.Measurement{Phase: rolloutspec.Successful, Value: "[0.1, 0.3]"}},
		"vector fails":         {answer: vector("0.1", "0.9"), cond: "result.all(x, x < 0.5)", want: rolloutspec.Measurement{Phase: rolloutspec.Failed, Value: "[0.1, 0.9]"}, wantInMsg: "[0.1, 0.9]"},
		"empty vector":         {answer: vector(), cond: "result < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Inconclusive}, wantInMsg: "returned no data"},
		"NaN":                  {answer: scalar("NaN"), cond: "result < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Inconclusive, Value: "NaN"}, wantInMsg: "NaN"},
		"range vector":         {answer: matrix, cond: "result < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Inconclusive}, wantInMsg: "matrix"},
		"server error":         {answer: "ERROR parse error at char 3", cond: "result < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Inconclusive}, wantInMsg: "parse error at char 3"},
		"condition errs":       {answer: scalar("1"), cond: "result[0] < 1", want: rolloutspec.Measurement{Phase: rolloutspec.Error, Value: "1"}, wantInMsg: "condition result[0] < 1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, addr := serveProm(t, tc.answer)
			run, err := analysis.Run(t.Context(), promAnalysis(addr, tc.cond), analysis.Env{}, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Measurements) != 1 {
				t.Fatalf("got %d measurements, want 1: %+v", len(run.Measurements), run)
			}
			got := run.Measurements[0]
			if !strings.Contains(got.Message, tc.wantInMsg) {
				t.Errorf("message %q does not contain %q", got.Message, tc.wantInMsg)
			}
			if got.At == "" {
				t.Error("the measurement has no time")
			}
			got.Message, got.At = "", ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("measurement (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"sum(rate(errors[1m]))"}, f.queries); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
			if run.Step != 2 || run.Name != "errors" {
				t.Errorf("run is %q at step %d, want errors at step 2", run.Name, run.Step)
			}
			if tc.want.Phase == rolloutspec.Successful && run.Phase != rolloutspec.Successful {
				t.Errorf("run phase %s, want Successful", run.Phase)
			}
			if tc.want.Phase != rolloutspec.Successful && run.Phase == rolloutspec.Successful {
				t.Errorf("run phase Successful after a %s measurement", tc.want.Phase)
			}
		})
	}
}

// TestPrometheusUnreachable: a server that cannot be reached is never a
// pass.
func TestPrometheusUnreachable(t *testing.T) {
	t.Parallel()
	run, err := analysis.Run(t.Context(), promAnalysis("http://"+closedAddr(t), "result < 1"), analysis.Env{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Phase != rolloutspec.Inconclusive || len(run.Measurements) != 1 || run.Measurements[0].Phase != rolloutspec.Inconclusive {
		t.Fatalf("run %+v, want one Inconclusive measurement and an Inconclusive run", run)
	}
	if msg := run.Measurements[0].Message; !strings.Contains(msg, "connect") {
		t.Errorf("message %q does not say the connection failed", msg)
	}
}

// TestLimits checks when a run stops and what it comes to.
func TestLimits(t *testing.T) {
	t.Parallel()
	pass, fail := scalar("0"), scalar("1")
	tests := map[string]struct {
		answers           []string
		count             int
		failureLimit      int
		inconclusiveLimit int
		want              string
		wantMeasurements  int
	}{
		"all pass":                      {answers: []string{pass}, count: 3, want: rolloutspec.Successful, wantMeasurements: 3},
		"first fails, no limit":         {answers: []string{fail, pass}, count: 3, want: rolloutspec.Failed, wantMeasurements: 1},
		"one failure within the limit":  {answers: []string{fail, pass}, count: 3, failureLimit: 1, want: rolloutspec.Successful, wantMeasurements: 3},
		"failures beyond the limit":     {answers: []string{pass, fail, fail, pass}, count: 4, failureLimit: 1, want: rolloutspec.Failed, wantMeasurements: 3},
		"last one fails":                {answers: []string{pass, pass, fail}, count: 3, want: rolloutspec.Failed, wantMeasurements: 3},
		"no data, no limit":             {answers: []string{vector(), pass}, count: 3, want: rolloutspec.Inconclusive, wantMeasurements: 1},
		"no data within the limit":      {answers: []string{vector(), pass}, count: 3, inconclusiveLimit: 1, want: rolloutspec.Successful, wantMeasurements: 3},
		"errors count as inconclusive":  {answers: []string{vector(), "ERROR boom", pass}, count: 3, inconclusiveLimit: 1, want: rolloutspec.Inconclusive, wantMeasurements: 2},
		"failure decides before limits": {answers: []string{vector(), fail}, count: 3, inconclusiveLimit: 2, want: rolloutspec.Failed, wantMeasurements: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, addr := serveProm(t, tc.answers...)
			a := promAnalysis(addr, "result == 0.0")
			a.Count, a.FailureLimit, a.InconclusiveLimit = tc.count, tc.failureLimit, tc.inconclusiveLimit
			var reports []rolloutspec.AnalysisRun
			var lines []string
			env := analysis.Env{Progress: func(s string) { lines = append(lines, s) }}
			run, err := analysis.Run(t.Context(), a, env, 1, func(r rolloutspec.AnalysisRun) { reports = append(reports, r) })
			if err != nil {
				t.Fatal(err)
			}
			if run.Phase != tc.want || len(run.Measurements) != tc.wantMeasurements {
				t.Fatalf("run %s with %d measurements, want %s with %d: %s", run.Phase, len(run.Measurements), tc.want, tc.wantMeasurements, run.Summary())
			}
			if len(reports) != tc.wantMeasurements || len(lines) != tc.wantMeasurements {
				t.Fatalf("%d reports and %d progress lines, want %d of each", len(reports), len(lines), tc.wantMeasurements)
			}
			for i, r := range reports {
				if len(r.Measurements) != i+1 {
					t.Errorf("report %d has %d measurements, want %d", i, len(r.Measurements), i+1)
				}
				wantPhase := rolloutspec.Running
				if i == len(reports)-1 {
					wantPhase = tc.want
				}
				if r.Phase != wantPhase {
					t.Errorf("report %d is %s, want %s", i, r.Phase, wantPhase)
				}
			}
			if diff := cmp.Diff(run, reports[len(reports)-1]); diff != "" {
				t.Errorf("the last report is not the run (-run +report):\n%s", diff)
			}
			if run.Message == "" {
				t.Error("the run has no message")
			}
		})
	}
}

// TestCancel: the end of the context stops a run between measurements
// and within one, without recording a measurement cut short.
func TestCancel(t *testing.T) {
	t.Parallel()
	t.Run("between measurements", func(t *testing.T) {
		t.Parallel()
		_, addr := serveProm(t, scalar("0"))
		a := promAnalysis(addr, "result == 0.0")
		a.Count, a.Interval = 3, "1h"
		ctx, cancel := context.WithCancel(t.Context())
		run, err := analysis.Run(ctx, a, analysis.Env{}, 0, func(rolloutspec.AnalysisRun) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if run.Phase != rolloutspec.Running || len(run.Measurements) != 1 {
			t.Errorf("run %s with %d measurements, want Running with 1", run.Phase, len(run.Measurements))
		}
	})
	t.Run("within a measurement", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel()
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(stop) }) // runs first: the server's Close waits for its handlers
		run, err := analysis.Run(ctx, promAnalysis(srv.URL, "result == 0.0"), analysis.Env{}, 0, func(rolloutspec.AnalysisRun) {
			t.Error("a measurement cut short was reported")
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if len(run.Measurements) != 0 {
			t.Errorf("run has %d measurements, want none", len(run.Measurements))
		}
	})
}

// TestInvalid: an analysis that cannot be measured is refused before
// anything is measured.
func TestInvalid(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a       *rolloutspec.Analysis
		env     analysis.Env
		wantMsg string
	}{
		"nothing to measure": {a: &rolloutspec.Analysis{Name: "x"}, wantMsg: "exactly one of prometheus, http or job"},
		"two measurements": {a: &rolloutspec.Analysis{Name: "x", HTTP: &rolloutspec.HTTPMetric{URL: "http://a"}, Job: &rolloutspec.JobMetric{Manifest: "{}"}},
			wantMsg: "it has 2"},
		"condition does not compile":  {a: promAnalysis("http://127.0.0.1:1", "result <"), wantMsg: "condition"},
		"condition is not a bool":     {a: promAnalysis("http://127.0.0.1:1", "1 + 2"), wantMsg: "must be true or false"},
		"condition may not be a bool": {a: promAnalysis("http://127.0.0.1:1", "result"), wantMsg: "must be true or false"},
		"no condition":                {a: promAnalysis("http://127.0.0.1:1", " "), wantMsg: "needs a condition"},
		"no address":                  {a: promAnalysis("", "result < 1"), wantMsg: "needs an address"},
		"bad body_match":              {a: &rolloutspec.Analysis{Name: "x", HTTP: &rolloutspec.HTTPMetric{URL: "http://a", BodyMatch: "("}}, wantMsg: "body_match"},
		"not a URL":                   {a: &rolloutspec.Analysis{Name: "x", HTTP: &rolloutspec.HTTPMetric{URL: "a/b"}}, wantMsg: "not an http"},
		"bad status":                  {a: &rolloutspec.Analysis{Name: "x", HTTP: &rolloutspec.HTTPMetric{URL: "http://a", ExpectStatus: 42}}, wantMsg: "not an HTTP status"},
		"job without runner":          {a: &rolloutspec.Analysis{Name: "x", Job: &rolloutspec.JobMetric{Manifest: jobManifest}}, wantMsg: "no cluster"},
		"not a job": {a: &rolloutspec.Analysis{Name: "x", Job: &rolloutspec.JobMetric{Manifest: "apiVersion: v1\nkind: Pod\n"}},
			env: analysis.Env{Jobs: &fakeJobs{}}, wantMsg: "must be a batch/v1 Job"},
		"job manifest typo": {a: &rolloutspec.Analysis{Name: "x", Job: &rolloutspec.JobMetric{Manifest: jobManifest + "  backofLimit: 1\n"}},
			env: analysis.Env{Jobs: &fakeJobs{}}, wantMsg: "backofLimit"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run, err := analysis.Run(t.Context(), tc.a, tc.env, 0, func(rolloutspec.AnalysisRun) { t.Error("reported a run of an invalid analysis") })
			if !errors.Is(err, analysis.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if run.Phase != rolloutspec.Error || run.Message != err.Error() || len(run.Measurements) != 0 {
				t.Errorf("run %+v, want phase Error, the error as message, no measurements", run)
			}
		})
	}
	if err := analysis.Validate(promAnalysis("http://127.0.0.1:1", "result < 0.05")); err != nil {
		t.Errorf("Validate of a good analysis: %v", err)
	}
	if err := analysis.Validate(&rolloutspec.Analysis{Name: "x", Job: &rolloutspec.JobMetric{Manifest: jobManifest}}); err != nil {
		t.Errorf("Validate of a good job analysis: %v", err)
	}
	if err := analysis.CheckCondition("result >"); err == nil {
		t.Error("CheckCondition accepted a condition that does not compile")
	}
}

// TestHTTP checks the http measurement.
func TestHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			fmt.Fprint(w, `{"status":"ok","version":"v2"}`)
		case "/big":
			// The match lies past the first MiB: it is not read.
			fmt.Fprint(w, strings.Repeat("x", 1<<20)+"needle")
		default:
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	tests := map[string]struct {
		metric    rolloutspec.HTTPMetric
		want      string
		wantValue string
		wantInMsg string
	}{
		"ok":                 {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/healthz"}, want: rolloutspec.Successful, wantValue: "200"},
		"body matches":       {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/healthz", BodyMatch: `"version":"v2"`}, want: rolloutspec.Successful, wantValue: "200"},
		"body does not":      {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/healthz", BodyMatch: `"version":"v3"`}, want: rolloutspec.Failed, wantValue: "200", wantInMsg: "does not match"},
		"match past 1 MiB":   {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/big", BodyMatch: "needle"}, want: rolloutspec.Failed, wantValue: "200", wantInMsg: "does not match"},
		"wrong status":       {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/down"}, want: rolloutspec.Failed, wantValue: "503", wantInMsg: "want 200"},
		"expected status":    {metric: rolloutspec.HTTPMetric{URL: srv.URL + "/down", ExpectStatus: 503}, want: rolloutspec.Successful, wantValue: "503"},
		"connection refused": {metric: rolloutspec.HTTPMetric{URL: "http://" + closedAddr(t) + "/"}, want: rolloutspec.Inconclusive, wantInMsg: "connect"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := &rolloutspec.Analysis{Name: "smoke", HTTP: &tc.metric}
			run, err := analysis.Run(t.Context(), a, analysis.Env{HTTPClient: srv.Client()}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := run.Measurements[0]
			if m.Phase != tc.want || m.Value != tc.wantValue || run.Phase != tc.want {
				t.Errorf("measurement %s (%q), run %s; want %s (%q)", m.Phase, m.Value, run.Phase, tc.want, tc.wantValue)
			}
			if !strings.Contains(m.Message, tc.wantInMsg) {
				t.Errorf("message %q does not contain %q", m.Message, tc.wantInMsg)
			}
		})
	}
}

const jobManifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: smoke
spec:
  template:
    spec:
      containers:
      - name: smoke
        image: busybox
        command: [sh, -c, "wget -qO- http://web/healthz"]
`

// fakeJobs answers RunJob with its fields, or when block is set waits
// for the end of the context, as a Job that never finishes.
type fakeJobs struct {
	ok    bool
	msg   string
	err   error
	block bool

	mu    sync.Mutex
	calls []string
}

func (f *fakeJobs) RunJob(ctx context.Context, name, manifest, namespace string) (bool, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name+" in "+namespace)
	if f.block {
		<-ctx.Done()
		return false, "", ctx.Err()
	}
	return f.ok, f.msg, f.err
}

// TestJob checks what a Job's outcome comes to.
func TestJob(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		jobs    *fakeJobs
		want    string
		wantMsg string
	}{
		"completed":     {jobs: &fakeJobs{ok: true, msg: "job smoke-x completed"}, want: rolloutspec.Successful},
		"failed":        {jobs: &fakeJobs{msg: "job smoke-x failed: BackoffLimitExceeded"}, want: rolloutspec.Failed},
		"could not run": {jobs: &fakeJobs{err: errors.New("create the Job: forbidden")}, want: rolloutspec.Inconclusive},
		"never done":    {jobs: &fakeJobs{block: true}, want: rolloutspec.Inconclusive, wantMsg: "no result within 50ms: context deadline exceeded"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := &rolloutspec.Analysis{Name: "smoke", Job: &rolloutspec.JobMetric{Manifest: jobManifest}}
			run, err := analysis.Run(t.Context(), a, analysis.Env{Jobs: tc.jobs, Namespace: "shop", JobTimeout: 50 * time.Millisecond}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := run.Measurements[0]
			if m.Phase != tc.want || run.Phase != tc.want {
				t.Errorf("measurement %s, run %s, want %s", m.Phase, run.Phase, tc.want)
			}
			wantMsg := tc.jobs.msg
			if tc.jobs.err != nil {
				wantMsg = tc.jobs.err.Error()
			}
			if tc.wantMsg != "" {
				wantMsg = tc.wantMsg
			}
			if m.Message != wantMsg {
				t.Errorf("message %q, want %q", m.Message, wantMsg)
			}
			if diff := cmp.Diff([]string{"smoke in shop"}, tc.jobs.calls); diff != "" {
				t.Errorf("RunJob calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCredentialsInURLsAreMasked: an endpoint that takes credentials only
// in its URL (a password, a token in the query) must not have them in
// what a measurement says, which reaches the terminal, the workload's
// status annotation and state.
func TestCredentialsInURLsAreMasked(t *testing.T) {
	t.Parallel()
	const password, token = "hunter2-pass", "tok-0123456789"
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	host := strings.TrimPrefix(down.URL, "http://")
	closed := closedAddr(t)
	for name, a := range map[string]*rolloutspec.Analysis{
		"http wrong status":  {Name: "smoke", HTTP: &rolloutspec.HTTPMetric{URL: "http://ops:" + password + "@" + host + "/healthz?token=" + token}},
		"http unreachable":   {Name: "smoke", HTTP: &rolloutspec.HTTPMetric{URL: "http://ops:" + password + "@" + closed + "/healthz?token=" + token}},
		"http no body match": {Name: "smoke", HTTP: &rolloutspec.HTTPMetric{URL: "http://" + host + "/?access_token=" + token, ExpectStatus: 503, BodyMatch: "never"}},
		"prometheus down":    promAnalysis("http://ops:"+password+"@"+closed+"/?token="+token, "result < 1"),
		"prometheus error":   promAnalysis("http://ops:"+password+"@"+host+"/prom?token="+token, "result < 1"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run, err := analysis.Run(t.Context(), a, analysis.Env{}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			said := run.Message
			for _, m := range run.Measurements {
				said += "\n" + m.Message + " " + m.Value
			}
			if strings.Contains(said, password) || strings.Contains(said, token) {
				t.Errorf("a credential of the URL is in what the run says:\n%s", said)
			}
			if !strings.Contains(said, "xxxxx") {
				t.Errorf("the run does not show where it measured, masked:\n%s", said)
			}
		})
	}
}

// TestRunFromCountsWhatItHolds: a run an apply left Running (stopped or
// killed while it measured) goes on with its measurements counted toward
// the limits and the count: a retried apply does not give a failing
// release a fresh failure budget.
func TestRunFromCountsWhatItHolds(t *testing.T) {
	t.Parallel()
	failed := rolloutspec.Measurement{Phase: rolloutspec.Failed, Value: "1", Message: "result = 1 does not meet result == 0.0"}
	passed := rolloutspec.Measurement{Phase: rolloutspec.Successful, Value: "0"}
	pass, fail := scalar("0"), scalar("1")
	tests := map[string]struct {
		held             []rolloutspec.Measurement
		answers          []string
		want             string
		wantMeasurements int
		wantQueries      int
	}{
		// failure_limit 1: the held failure and one more fail the run.
		"a held failure counts":       {held: []rolloutspec.Measurement{failed, passed}, answers: []string{fail, pass, pass}, want: rolloutspec.Failed, wantMeasurements: 3, wantQueries: 1},
		"the count includes the held": {held: []rolloutspec.Measurement{passed, passed}, answers: []string{pass}, want: rolloutspec.Successful, wantMeasurements: 4, wantQueries: 2},
		"over the limit already":      {held: []rolloutspec.Measurement{failed, failed}, answers: []string{pass}, want: rolloutspec.Failed, wantMeasurements: 2, wantQueries: 0},
		"all taken already":           {held: []rolloutspec.Measurement{passed, passed, passed, passed}, answers: []string{fail}, want: rolloutspec.Successful, wantMeasurements: 4, wantQueries: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, addr := serveProm(t, tc.answers...)
			a := promAnalysis(addr, "result == 0.0")
			a.Count, a.FailureLimit = 4, 1
			held := rolloutspec.AnalysisRun{Name: a.Name, Step: 3, Phase: rolloutspec.Running, Measurements: tc.held}
			run, err := analysis.RunFrom(t.Context(), a, analysis.Env{}, held, nil)
			if err != nil {
				t.Fatal(err)
			}
			if run.Phase != tc.want || len(run.Measurements) != tc.wantMeasurements || len(f.queries) != tc.wantQueries {
				t.Errorf("run %s with %d measurements after %d queries, want %s with %d after %d: %s",
					run.Phase, len(run.Measurements), len(f.queries), tc.want, tc.wantMeasurements, tc.wantQueries, run.Summary())
			}
			if run.Step != 3 || run.Message == "" {
				t.Errorf("run at step %d with message %q, want step 3 and a message", run.Step, run.Message)
			}
			if len(held.Measurements) != len(tc.held) {
				t.Error("RunFrom changed the run it was given")
			}
		})
	}
}

// TestMeasurementsAreBounded: a query of thousands of series, or an error
// of a huge text, is kept cut short: every measurement goes into the
// workload's status annotation, which the API server caps, and an abort
// writes its reason there before it moves traffic back.
func TestMeasurementsAreBounded(t *testing.T) {
	t.Parallel()
	values := make([]string, 15000)
	for i := range values {
		values[i] = "0.5"
	}
	for name, answer := range map[string]string{
		"many series":  vector(values...),
		"a huge error": "ERROR " + strings.Repeat("é", 100000),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, addr := serveProm(t, answer)
			run, err := analysis.Run(t.Context(), promAnalysis(addr, "result.all(x, x < 0.05)"), analysis.Env{}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Measurements) != 1 || run.Phase == rolloutspec.Successful {
				t.Fatalf("run %s with %d measurements, want one that is not successful", run.Phase, len(run.Measurements))
			}
			m := run.Measurements[0]
			if len(m.Value) > 300 || len(m.Message) > 1100 || len(run.Message) > 1300 {
				t.Errorf("value %d bytes, message %d, run message %d: want them cut short", len(m.Value), len(m.Message), len(run.Message))
			}
			if !utf8.ValidString(m.Message) || !strings.Contains(m.Message+m.Value, "bytes more)") {
				t.Errorf("a cut text is not valid UTF-8 or does not say it was cut: %q...", m.Message[:min(len(m.Message), 200)])
			}
		})
	}
}

// TestInterrupt: a closed Env.Interrupt (the user's first Ctrl-C) ends a
// run between two measurements, with what it measured and
// ErrInterrupted, without cutting a measurement short; a run interrupted
// before it began measures nothing.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	t.Run("between measurements", func(t *testing.T) {
		t.Parallel()
		_, addr := serveProm(t, scalar("0"))
		a := promAnalysis(addr, "result == 0.0")
		a.Count, a.Interval = 3, "1h"
		interrupt := make(chan struct{})
		run, err := analysis.Run(t.Context(), a, analysis.Env{Interrupt: interrupt}, 0, func(rolloutspec.AnalysisRun) { close(interrupt) })
		if !errors.Is(err, analysis.ErrInterrupted) {
			t.Fatalf("err = %v, want ErrInterrupted", err)
		}
		if run.Phase != rolloutspec.Running || len(run.Measurements) != 1 || run.Measurements[0].Phase != rolloutspec.Successful {
			t.Errorf("run %s with %+v, want Running with 1 successful measurement", run.Phase, run.Measurements)
		}
	})
	t.Run("before the first", func(t *testing.T) {
		t.Parallel()
		interrupt := make(chan struct{})
		close(interrupt)
		prior := rolloutspec.AnalysisRun{Name: "errors", Phase: rolloutspec.Running, Measurements: []rolloutspec.Measurement{{Phase: rolloutspec.Successful}}}
		a := promAnalysis("http://127.0.0.1:1", "result == 0.0")
		a.Count = 3
		run, err := analysis.RunFrom(t.Context(), a, analysis.Env{Interrupt: interrupt}, prior, func(rolloutspec.AnalysisRun) {
			t.Error("an interrupted run measured")
		})
		if !errors.Is(err, analysis.ErrInterrupted) || run.Phase != rolloutspec.Running || len(run.Measurements) != 1 {
			t.Errorf("run %s with %d measurements, err %v; want Running with the 1 it held, ErrInterrupted", run.Phase, len(run.Measurements), err)
		}
	})
}

// TestLongRunsKeepTheirLastMeasurements: a run of 30 measurements keeps
// the last ten, as an Argo Rollouts AnalysisRun does, and counts every
// one: the failures that pushed it over its limit were among the first,
// long gone from the list, and it still fails; resumed after 25, it
// takes 5 more, not 20.
func TestLongRunsKeepTheirLastMeasurements(t *testing.T) {
	t.Parallel()
	pass, fail := scalar("0"), scalar("1")
	answers := []string{fail, fail}
	for range 28 {
		answers = append(answers, pass)
	}
	_, addr := serveProm(t, answers...)
	a := promAnalysis(addr, "result == 0.0")
	a.Count, a.FailureLimit = 30, 2
	run, err := analysis.Run(t.Context(), a, analysis.Env{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Phase != rolloutspec.Successful || run.Taken() != 30 || len(run.Measurements) != rolloutspec.MeasurementHistory {
		t.Errorf("run %s, %d taken, %d kept; want Successful, 30 taken, %d kept", run.Phase, run.Taken(), len(run.Measurements), rolloutspec.MeasurementHistory)
	}

	// 25 taken, 2 failed among the first, none of them kept: one more
	// failure fails the run.
	var held rolloutspec.AnalysisRun
	for i := range 25 {
		m := rolloutspec.Measurement{Phase: rolloutspec.Successful}
		if i < 2 {
			m.Phase = rolloutspec.Failed
		}
		held.Add(m)
	}
	held.Name, held.Phase = a.Name, rolloutspec.Running
	f, addr := serveProm(t, pass, fail, pass)
	a.Prometheus.Address = addr
	run, err = analysis.RunFrom(t.Context(), a, analysis.Env{}, held, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Phase != rolloutspec.Failed || run.Taken() != 27 || len(f.queries) != 2 {
		t.Errorf("resumed run %s, %d taken after %d queries; want Failed at the 27th, after 2: %s", run.Phase, run.Taken(), len(f.queries), run.Summary())
	}
}
