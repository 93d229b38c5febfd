package kubernetes

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// sdktestProviderEnv is the variable sdktest.Main reads to serve a
// provider in a re-executed test binary. startProvider sets it itself:
// sdktest.Start would need sdktest.Main to run the tests, and testbed.Main
// must run them so the shared cluster is stopped afterwards.
const sdktestProviderEnv = "SLIPWAY_SDKTEST_PROVIDER"

// requestLogEnv names a file the provider process appends every HTTP
// request it makes to, one "METHOD PATH?QUERY" line each, so tests can
// count what a plan costs.
const requestLogEnv = "SLIPWAY_KUBERNETES_TEST_REQUEST_LOG"

func TestMain(m *testing.M) {
	if os.Getenv(sdktestProviderEnv) != "" {
		sdktest.Main(m, map[string]func() sdk.Provider{"kubernetes": newTestProvider}) // serves; never returns
	}
	testbed.Main(m)
}

func newTestProvider() sdk.Provider {
	p := newProvider()
	if path := os.Getenv(requestLogEnv); path != "" {
		p.wrapTransport = logRequests(path)
	}
	return p
}

func logRequests(path string) func(http.RoundTripper) http.RoundTripper {
	var mu sync.Mutex
	return func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
				fmt.Fprintf(f, "%s %s?%s\n", req.Method, req.URL.Path, req.URL.RawQuery)
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
}

func (r requests) String() string {
	return fmt.Sprintf("%d requests: %d LIST, %d dry-run apply, %d GET, %d other", len(r.lines), r.lists, r.dryRuns, r.gets, r.rest)
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
		case strings.HasPrefix(line, "GET ") && strings.Contains(line, "limit="):
			r.lists++
		case strings.HasPrefix(line, "GET "):
			r.gets++
		default:
			r.rest++
		}
	}
	return r
}

// startProvider runs the provider as a plugin process (the test binary,
// re-executed, as sdktest.Start does) and configures it for cluster.
func startProvider(t *testing.T, cluster *testbed.Cluster, log requestLog) *host.Client {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = []string{sdktestProviderEnv + "=kubernetes"}
	if log != "" {
		cmd.Env = append(cmd.Env, requestLogEnv+"="+string(log))
	}
	w := &testLog{t: t}
	c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "kubernetes", Cmd: cmd, Stderr: w})
	if err != nil {
		t.Fatalf("launch provider: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		w.stop()
	})
	diags, err := c.Configure(t.Context(), providerSchema.Object(map[string]cty.Value{
		"kubeconfig": cty.StringVal(cluster.Kubeconfig),
	}))
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	if diags.HasErrors() {
		t.Fatalf("configure: %v", diags.Err())
	}
	return c
}

type testLog struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLog) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
}

// session drives one app instance through plan, apply and refresh as the
// core does, carrying state and the provider's private data.
type session struct {
	t       *testing.T
	c       *host.Client
	state   cty.Value
	private []byte
}

func newSession(t *testing.T, c *host.Client) *session {
	return &session{t: t, c: c, state: cty.NullVal(appSchema.ImpliedType())}
}

func (s *session) plan(config cty.Value) sdk.PlanResponse {
	s.t.Helper()
	resps, err := s.c.Plan(s.t.Context(), []sdk.PlanRequest{{
		Address: "app.test", TypeName: "kubernetes_app",
		Config: config, PriorState: s.state, PriorPrivate: s.private,
	}})
	if err != nil {
		s.t.Fatalf("plan: %v", err)
	}
	failOnErrors(s.t, "plan", resps[0].Diagnostics)
	return resps[0]
}

// apply applies a plan and returns the response and the progress lines;
// it records the new state even when the apply failed.
func (s *session) apply(config cty.Value, plan sdk.PlanResponse) (sdk.ApplyResponse, []string) {
	s.t.Helper()
	var resp *sdk.ApplyResponse
	var progress []string
	err := s.c.Apply(s.t.Context(), []sdk.ApplyRequest{{
		Address: "app.test", TypeName: "kubernetes_app",
		Config: config, PriorState: s.state, PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		} else {
			progress = append(progress, ev.Message)
		}
	})
	if err != nil {
		s.t.Fatalf("apply: %v", err)
	}
	s.state, s.private = resp.NewState, resp.Private
	return *resp, progress
}

// sync plans and applies config, failing the test on any error.
func (s *session) sync(config cty.Value) sdk.ApplyResponse {
	s.t.Helper()
	resp, progress := s.apply(config, s.plan(config))
	s.t.Logf("apply progress:\n  %s", strings.Join(progress, "\n  "))
	failOnErrors(s.t, "apply", resp.Diagnostics)
	return resp
}

func (s *session) refresh() sdk.ReadResponse {
	s.t.Helper()
	resps, err := s.c.Read(s.t.Context(), []sdk.ReadRequest{{
		Address: "app.test", TypeName: "kubernetes_app", State: s.state, Private: s.private,
	}})
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	failOnErrors(s.t, "read", resps[0].Diagnostics)
	s.state, s.private = resps[0].NewState, resps[0].Private
	return resps[0]
}

// destroy deletes the app as the core does for a removed block.
func (s *session) destroy() {
	s.t.Helper()
	resp, _ := s.apply(cty.NullVal(appSchema.ImpliedType()), s.plan(cty.NullVal(appSchema.ImpliedType())))
	failOnErrors(s.t, "destroy", resp.Diagnostics)
	if !resp.NewState.IsNull() {
		s.t.Fatalf("destroy left state %#v", resp.NewState)
	}
}

func failOnErrors(t *testing.T, what string, diags sdk.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == sdk.Error {
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
		t.Logf("%s: warning: %s: %s", what, d.Summary, d.Detail)
	}
}

// objectKeys lists the IDs of an app value's objects.
func objectKeys(st cty.Value) []string {
	objs := st.GetAttr("objects")
	var out []string
	for k := range objs.Type().AttributeTypes() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// kube is a client for checks made behind the provider's back.
type kubeClient struct {
	t   *testing.T
	dyn dynamic.Interface
}

func newKube(t *testing.T, cluster *testbed.Cluster) *kubeClient {
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &kubeClient{t: t, dyn: dyn}
}

var (
	gvrDeployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrConfigMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	gvrSecrets     = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	gvrServices    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	gvrNamespaces  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	gvrJobs        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
)

// get returns the object, or nil when it does not exist.
func (k *kubeClient) get(gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	k.t.Helper()
	var ri dynamic.ResourceInterface = k.dyn.Resource(gvr)
	if ns != "" {
		ri = k.dyn.Resource(gvr).Namespace(ns)
	}
	u, err := ri.Get(k.t.Context(), name, metav1.GetOptions{})
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		k.t.Fatalf("get %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return u
}

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }
