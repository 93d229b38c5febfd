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
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/testbed"
)

// The no-op plan benchmarks, on the shared control plane:
//
//	go test -run '^$' -bench 'NoopPlan|ListFloor' ./providers/kubernetes
//
// BenchmarkNoopPlan is what a no-op `slipway plan` asks of the provider
// for N apps × 10 objects (4 ConfigMaps, 3 Secrets, 2 Services, 1
// ServiceAccount, as examples/bench/apps.sh makes them): a refresh
// (ReadBatch) then a plan (PlanBatch) of every app, the plan from the
// refreshed state, as the core does. BenchmarkListFloor is the floor the
// plan is held to: one client-go LIST of each of the four kinds, as
// `kubectl get configmaps,secrets,services,serviceaccounts -A -l ...`
// makes them. Their ratio is what the provider costs above the LISTs it
// cannot avoid. The sub-benchmark "wire" adds the msgpack encoding and
// decoding of every value that crosses the plugin boundary, as the SDK
// does it, which the provider's values decide the size of.
//
// SLIPWAY_BENCH_APPS sets N (100 by default).

// benchApps is the number of apps of the benchmarks.
func benchApps(b *testing.B) int {
	if s := os.Getenv("SLIPWAY_BENCH_APPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("SLIPWAY_BENCH_APPS=%q is not a positive number", s)
		}
		return n
	}
	return 100
}

const benchNamespaces = 10

// benchFixture is N apps applied to the shared cluster, with their state.
type benchFixture struct {
	p       *provider
	a       *app
	configs []cty.Value
	states  []cty.Value
	private [][]byte
}

// benchSetup applies N apps once per test binary and returns them.
func benchSetup(b *testing.B) *benchFixture {
	b.Helper()
	n := benchApps(b)
	if f := benchFixtures[n]; f != nil {
		return f
	}
	f := newBenchFixture(b, n)
	benchFixtures[n] = f
	return f
}

// newBenchFixture applies n apps (app-0000, …) and returns them.
func newBenchFixture(b testing.TB, n int) *benchFixture {
	b.Helper()
	return newAppsFixture(b, n, "app")
}

// newAppsFixture applies n apps named PREFIX-0000, … and returns them:
// tests that change their objects use a prefix of their own.
func newAppsFixture(b testing.TB, n int, prefix string) *benchFixture {
	b.Helper()
	cluster := testbed.Shared(b)
	ctx := context.Background()
	cs, err := kubernetes.NewForConfig(cluster.Config)
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%d", i)}}
		_, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			b.Fatal(err)
		}
	}
	p := newProvider()
	f := &benchFixture{p: p, a: &app{p: p}}
	f.configure(b)
	dir := b.TempDir()
	for i := range n {
		name := fmt.Sprintf("%s-%04d", prefix, i)
		appDir := filepath.Join(dir, name)
		if err := os.MkdirAll(appDir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(appDir, "objects.yaml"), []byte(benchManifests(i, name, fmt.Sprintf("bench-%d", i%benchNamespaces))), 0o644); err != nil {
			b.Fatal(err)
		}
		f.configs = append(f.configs, appSchema.Object(map[string]cty.Value{
			"name":          cty.StringVal("bench-" + name),
			"manifests_dir": cty.StringVal(appDir),
			"prune":         cty.True,
		}))
		f.states = append(f.states, cty.NullVal(appSchema.ImpliedType()))
		f.private = append(f.private, nil)
	}

	// The first sync, as `slipway apply` does it.
	plans := f.plan(ctx)
	jobs := make([]func(context.Context) error, n)
	for i := range n {
		jobs[i] = func(ctx context.Context) error {
			if err := f.apply(ctx, i, plans[i]); err != nil {
				return fmt.Errorf("apply app %d: %w", i, err)
			}
			return nil
		}
	}
	if err := kube.RunEach(ctx, 8, jobs); err != nil {
		b.Fatal(err)
	}

	// The plan after it must be a no-op.
	f.refresh(ctx)
	for i, r := range f.plan(ctx) {
		if err := r.Diagnostics.Err(); err != nil {
			b.Fatalf("plan app %d: %v", i, err)
		}
		if d := sdktest.DiffPaths(f.states[i], r.PlannedState); len(d) > 0 {
			b.Fatalf("app %d: the plan after apply is not a no-op: %v", i, d)
		}
	}
	return f
}

// benchFixtures are the fixtures benchSetup made, by their number of apps.
var benchFixtures = map[int]*benchFixture{}

// benchManifests are app i's 10 objects, as examples/bench/apps.sh writes
// them.
func benchManifests(i int, app, ns string) string {
	var sb strings.Builder
	for c := range 4 {
		fmt.Fprintf(&sb, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-cm%d\n  namespace: %s\ndata:\n  key: value-%d-%d\n---\n", app, c, ns, i, c)
	}
	for c := range 3 {
		fmt.Fprintf(&sb, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-secret%d\n  namespace: %s\nstringData:\n  token: t-%d-%d\n---\n", app, c, ns, i, c)
	}
	for c := range 2 {
		fmt.Fprintf(&sb, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s-svc%d\n  namespace: %s\nspec:\n  selector:\n    app: %s\n  ports:\n  - port: %d\n---\n", app, c, ns, app, 80+c)
	}
	fmt.Fprintf(&sb, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s-sa\n  namespace: %s\n", app, ns)
	return sb.String()
}

// refresh reads every app and keeps the refreshed state, as the core's
// refresh does.
func (f *benchFixture) refresh(ctx context.Context) []sdk.ReadResponse {
	reqs := make([]sdk.ReadRequest, len(f.configs))
	resps := make([]sdk.ReadResponse, len(f.configs))
	for i := range reqs {
		reqs[i] = sdk.ReadRequest{Address: "app.bench", TypeName: "kubernetes_app", State: f.states[i], Private: f.private[i]}
		resps[i] = sdk.ReadResponse{NewState: f.states[i], Private: f.private[i]}
	}
	f.a.ReadBatch(ctx, reqs, resps)
	return resps
}

// configure configures f's provider (again) for the shared cluster: a new
// session, which keeps nothing of the last.
func (f *benchFixture) configure(b testing.TB) {
	b.Helper()
	f.configureAs(b, false)
}

// configureAs starts a session, in a process the host keeps (slipway
// agent) when resident.
func (f *benchFixture) configureAs(b testing.TB, resident bool) {
	b.Helper()
	var resp sdk.ConfigureResponse
	f.p.Configure(context.Background(), sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{
		"kubeconfig": cty.StringVal(testbed.Shared(b).Kubeconfig),
		"qps":        cty.NumberIntVal(500),
		"burst":      cty.NumberIntVal(1000),
	}), Resident: resident}, &resp)
	if resp.Diagnostics.HasErrors() {
		b.Fatal(resp.Diagnostics.Err())
	}
}

// apply applies app i of f as planned, as slipway apply does, and keeps
// what the apply recorded.
func (f *benchFixture) apply(ctx context.Context, i int, plan sdk.PlanResponse) error {
	var resp sdk.ApplyResponse
	f.a.Apply(ctx, sdk.ApplyRequest{
		Address: "app.bench", TypeName: "kubernetes_app", Config: f.configs[i],
		PriorState: f.states[i], PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
		Progress: func(string) {},
	}, &resp)
	if err := resp.Diagnostics.Err(); err != nil {
		return err
	}
	f.states[i], f.private[i] = resp.NewState, resp.Private
	return nil
}

// plan plans every app from the given prior states (f.states when nil).
func (f *benchFixture) plan(ctx context.Context, prior ...cty.Value) []sdk.PlanResponse {
	reqs := make([]sdk.PlanRequest, len(f.configs))
	resps := make([]sdk.PlanResponse, len(f.configs))
	for i := range reqs {
		st := f.states[i]
		if prior != nil {
			st = prior[i]
		}
		reqs[i] = sdk.PlanRequest{
			Address: "app.bench", TypeName: "kubernetes_app", Config: f.configs[i],
			PriorState: st, ProposedNewState: sdk.ProposedNewState(appSchema, st, f.configs[i]), PriorPrivate: f.private[i],
		}
		sdk.DefaultPlan(appSchema, reqs[i], &resps[i])
	}
	f.a.PlanBatch(ctx, reqs, resps)
	return resps
}

// wireTrip encodes and decodes v as the SDK does for every value that
// crosses the plugin boundary, and returns the decoded value.
func wireTrip(b *testing.B, v cty.Value) cty.Value {
	ty := appSchema.ImpliedType()
	raw, err := ctymsgpack.Marshal(v, ty)
	if err != nil {
		b.Fatal(err)
	}
	out, err := ctymsgpack.Unmarshal(raw, ty)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkNoopPlan(b *testing.B) {
	f := benchSetup(b)
	ctx := context.Background()
	b.Run("provider", func(b *testing.B) {
		for b.Loop() {
			reads := f.refresh(ctx)
			prior := make([]cty.Value, len(reads))
			for i, r := range reads {
				prior[i] = r.NewState
			}
			f.plan(ctx, prior...)
		}
	})
	b.Run("wire", func(b *testing.B) {
		for b.Loop() {
			// The core sends each state to refresh and gets the refreshed
			// one back; then it sends config, prior and proposed state to
			// plan and gets the planned state back.
			for i := range f.states {
				wireTrip(b, f.states[i])
			}
			reads := f.refresh(ctx)
			prior := make([]cty.Value, len(reads))
			for i, r := range reads {
				prior[i] = wireTrip(b, wireTrip(b, r.NewState))
				wireTrip(b, f.configs[i])
				wireTrip(b, sdk.ProposedNewState(appSchema, prior[i], f.configs[i]))
			}
			for _, r := range f.plan(ctx, prior...) {
				wireTrip(b, r.PlannedState)
			}
		}
	})
}

// BenchmarkListFloor is one client-go LIST of each kind of the apps, one
// kind after the other as kubectl get makes them.
func BenchmarkListFloor(b *testing.B) {
	benchSetup(b)
	dyn, err := dynamic.NewForConfig(testbed.Shared(b).Config)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	kinds := []schema.GroupVersionResource{
		{Version: "v1", Resource: "configmaps"}, {Version: "v1", Resource: "secrets"},
		{Version: "v1", Resource: "services"}, {Version: "v1", Resource: "serviceaccounts"},
	}
	n := 0
	for b.Loop() {
		n = 0
		for _, gvr := range kinds {
			opts := metav1.ListOptions{LabelSelector: managedSelector, Limit: 500}
			for {
				list, err := dyn.Resource(gvr).List(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				n += len(list.Items)
				if opts.Continue = list.GetContinue(); opts.Continue == "" {
					break
				}
			}
		}
	}
	if want := 10 * benchApps(b); n < want {
		b.Fatalf("the LISTs found %d objects, want at least %d", n, want)
	}
}
