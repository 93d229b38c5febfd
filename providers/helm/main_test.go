package helm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// sdktestProviderEnv is the variable sdktest.Main reads to serve a
// provider in a re-executed test binary. startProvider sets it itself:
// testbed.Main must run the tests so the shared cluster is stopped
// afterwards.
const sdktestProviderEnv = "SLIPWAY_SDKTEST_PROVIDER"

func TestMain(m *testing.M) {
	if os.Getenv(sdktestProviderEnv) != "" {
		sdktest.Main(m, map[string]func() sdk.Provider{"helm": New}) // serves; never returns
	}
	testbed.Main(m)
}

// startProvider runs the provider as a plugin process (the test binary,
// re-executed) and configures it for cluster, with its own chart cache.
func startProvider(t *testing.T, cluster *testbed.Cluster) *host.Client {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = []string{sdktestProviderEnv + "=helm", "HOME=" + t.TempDir()}
	w := &testLog{t: t}
	c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "helm", Cmd: cmd, Stderr: w})
	if err != nil {
		t.Fatalf("launch provider: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		w.stop()
	})
	diags, err := c.Configure(t.Context(), providerSchema.Object(map[string]cty.Value{
		"kubeconfig": cty.StringVal(cluster.Kubeconfig),
		"cache_dir":  cty.StringVal(filepath.Join(t.TempDir(), "cache")),
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

// session drives one release through plan, apply and refresh as the core
// does, carrying state and the provider's private data.
type session struct {
	t       *testing.T
	c       *host.Client
	state   cty.Value
	private []byte
}

func newSession(t *testing.T, c *host.Client) *session {
	return &session{t: t, c: c, state: cty.NullVal(releaseSchema.ImpliedType())}
}

// planDiags plans config and returns the response, errors included.
func (s *session) planDiags(config cty.Value) sdk.PlanResponse {
	s.t.Helper()
	resps, err := s.c.Plan(s.t.Context(), []sdk.PlanRequest{{
		Address: "app.web", TypeName: "helm_release",
		Config: config, PriorState: s.state, PriorPrivate: s.private,
	}})
	if err != nil {
		s.t.Fatalf("plan: %v", err)
	}
	return resps[0]
}

func (s *session) plan(config cty.Value) sdk.PlanResponse {
	s.t.Helper()
	resp := s.planDiags(config)
	failOnErrors(s.t, "plan", resp.Diagnostics)
	return resp
}

// apply applies a plan and returns the response and the progress lines;
// it records the new state even when the apply failed.
func (s *session) apply(config cty.Value, plan sdk.PlanResponse) (sdk.ApplyResponse, []string) {
	s.t.Helper()
	var resp *sdk.ApplyResponse
	var progress []string
	err := s.c.Apply(s.t.Context(), []sdk.ApplyRequest{{
		Address: "app.web", TypeName: "helm_release",
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
	plan := s.plan(config)
	resp, progress := s.apply(config, plan)
	s.t.Logf("apply progress:\n  %s", strings.Join(progress, "\n  "))
	failOnErrors(s.t, "apply", resp.Diagnostics)
	if d := sdktest.DiffPaths(plan.PlannedState.GetAttr("objects"), resp.NewState.GetAttr("objects")); len(d) > 0 {
		s.t.Errorf("applied objects differ from the plan at %v", d)
	}
	return resp
}

func (s *session) refresh() sdk.ReadResponse {
	s.t.Helper()
	resps, err := s.c.Read(s.t.Context(), []sdk.ReadRequest{{
		Address: "app.web", TypeName: "helm_release", State: s.state, Private: s.private,
	}})
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	failOnErrors(s.t, "read", resps[0].Diagnostics)
	s.state, s.private = resps[0].NewState, resps[0].Private
	return resps[0]
}

func (s *session) status() sdk.StatusResponse {
	s.t.Helper()
	resps, err := s.c.Status(s.t.Context(), []sdk.StatusRequest{{Address: "app.web", TypeName: "helm_release", State: s.state, Private: s.private}})
	if err != nil {
		s.t.Fatalf("status: %v", err)
	}
	failOnErrors(s.t, "status", resps[0].Diagnostics)
	return resps[0]
}

// destroy uninstalls the release as the core does for a removed block.
func (s *session) destroy() {
	s.t.Helper()
	null := cty.NullVal(releaseSchema.ImpliedType())
	resp, _ := s.apply(null, s.plan(null))
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

// objectKeys lists the IDs of a release value's objects.
func objectKeys(st cty.Value) []string {
	var out []string
	for k := range st.GetAttr("objects").Type().AttributeTypes() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// helmHistory is what `helm history` shows of a release, read with helm's
// own actions behind the provider's back: "REVISION STATUS CHART" lines.
func helmHistory(t *testing.T, cluster *testbed.Cluster, ns, name string) []string {
	t.Helper()
	cfg := helmConfig(t, cluster, ns)
	hist, err := action.NewHistory(cfg).Run(name)
	if err != nil {
		t.Fatalf("helm history %s: %v", name, err)
	}
	sort.Slice(hist, func(i, j int) bool { return hist[i].Version < hist[j].Version })
	var out []string
	for _, r := range hist {
		out = append(out, fmt.Sprintf("%d %s %s-%s", r.Version, r.Info.Status, r.Chart.Metadata.Name, r.Chart.Metadata.Version))
	}
	return out
}

// helmList is what `helm list` shows in ns: "NAME REVISION STATUS" lines.
func helmList(t *testing.T, cluster *testbed.Cluster, ns string) []string {
	t.Helper()
	l := action.NewList(helmConfig(t, cluster, ns))
	l.StateMask = action.ListAll
	rels, err := l.Run()
	if err != nil {
		t.Fatalf("helm list: %v", err)
	}
	var out []string
	for _, r := range rels {
		out = append(out, fmt.Sprintf("%s %d %s", r.Name, r.Version, r.Info.Status))
	}
	return out
}

func helmConfig(t *testing.T, cluster *testbed.Cluster, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &cluster.Kubeconfig
	flags.Namespace = &ns
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	return cfg
}
