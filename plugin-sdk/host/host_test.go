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

package host_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

func TestMain(m *testing.M) {
	helperRole() // the test binary re-executed as a hung provider or a host
	sdktest.Main(m, map[string]func() sdk.Provider{"test": testprovider.New})
}

func TestLaunchErrorsNameProviderAndCommand(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cmd  *exec.Cmd
		want []string
	}{
		"missing binary": {
			cmd:  exec.Command("/nonexistent/slipway-provider-x", "serve"),
			want: []string{`launching provider "x"`, "/nonexistent/slipway-provider-x serve"},
		},
		"not a plugin": {
			cmd:  exec.Command("sh", "-c", "echo I am not a plugin; echo some complaint >&2"),
			want: []string{`launching provider "x"`, "sh -c", "some complaint"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "x", Cmd: tc.cmd})
			if err == nil {
				c.Close()
				t.Fatal("Launch succeeded")
			}
			t.Logf("the error reads: %v", err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := range 8 {
		wg.Go(func() {
			for i := range 5 {
				name := fmt.Sprintf("g%d-%d", g, i)
				got, err := echoID(t.Context(), c, name)
				if err != nil {
					errs <- err
					return
				}
				if got != "id-"+name {
					errs <- fmt.Errorf("id %q for %s", got, name)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// echoID plans and applies an echo named name through c, and returns
// the id the apply gave it.
func echoID(ctx context.Context, c *host.Client, name string) (string, error) {
	config := testprovider.Schema.Object(map[string]cty.Value{"name": cty.StringVal(name)})
	plans, err := c.Plan(ctx, []sdk.PlanRequest{{TypeName: "echo", Config: config}})
	if err != nil {
		return "", err
	}
	var got string
	err = c.Apply(ctx, []sdk.ApplyRequest{{TypeName: "echo", Config: config, PlannedState: plans[0].PlannedState}},
		func(ev host.ApplyEvent) {
			if ev.Done {
				got = sdk.GetString(ev.Response.NewState, "id")
			}
		})
	return got, err
}

// TestResidentReachesProvidersWithSessions: a host that keeps its
// providers (LaunchConfig.Resident) tells so, at Configure, those whose
// Metadata says Sessions, and only those: a process that is ended after
// one operation must not keep watches for the next.
func TestResidentReachesProvidersWithSessions(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		resident, sessions bool
		want               string
	}{
		{false, true, "id-x"},
		{true, false, "id-x"},
		{true, true, "resident id-x"},
	} {
		cmd := exec.Command(self)
		cmd.Env = []string{"SLIPWAY_SDKTEST_PROVIDER=test"}
		if tc.sessions {
			cmd.Env = append(cmd.Env, testprovider.SessionsEnv+"=1")
		}
		c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "test", Cmd: cmd, Resident: tc.resident})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if d, err := c.Configure(t.Context(), cty.ObjectVal(map[string]cty.Value{"greeting": cty.NullVal(cty.String)})); err != nil || d.HasErrors() {
			t.Fatal(err, d.Err())
		}
		got, err := echoID(t.Context(), c, "x")
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("resident host %v, provider with sessions %v: the provider was configured as %q, want %q", tc.resident, tc.sessions, got, tc.want)
		}
	}
}

// TestConfigDigestOfAKeptProcess: a provider the host keeps is told the
// digest of each configuration it plans (sdk.PlanRequest.ConfigDigest):
// the same for the same configuration in a later session, another for
// another configuration, and none in a process the host does not keep.
func TestConfigDigestOfAKeptProcess(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	launch := func(resident bool) *host.Client {
		cmd := exec.Command(self)
		cmd.Env = []string{"SLIPWAY_SDKTEST_PROVIDER=test", testprovider.SessionsEnv + "=1"}
		c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "test", Cmd: cmd, Resident: resident})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	session := func(c *host.Client) {
		t.Helper()
		if d, err := c.Configure(t.Context(), cty.ObjectVal(map[string]cty.Value{"greeting": cty.NullVal(cty.String)})); err != nil || d.HasErrors() {
			t.Fatal(err, d.Err())
		}
	}
	note := func(c *host.Client, name string) string {
		t.Helper()
		cfg := testprovider.Schema.Object(map[string]cty.Value{"name": cty.StringVal(name)})
		resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "batch.a", TypeName: "batch", Config: cfg}})
		if err != nil {
			t.Fatal(err)
		}
		if resps[0].Diagnostics.HasErrors() {
			t.Fatal(resps[0].Diagnostics.Err())
		}
		return sdk.GetString(resps[0].PlannedState, "note")
	}
	kept := launch(true)
	session(kept)
	a1 := note(kept, "a")
	session(kept)
	a2, b := note(kept, "a"), note(kept, "b")
	session(kept)
	session(kept)
	a3 := note(kept, "a")
	if !strings.Contains(a1, ", config ") || a1 != a2 || a1 != a3 || a1 == b || !strings.Contains(b, ", config ") {
		t.Errorf("kept process: %q, then %q and %q for another configuration, then %q", a1, a2, b, a3)
	}
	single := launch(false)
	session(single)
	if got := note(single, "a"); got != "batch of 1" {
		t.Errorf("a process the host does not keep was told %q", got)
	}
}

func TestCallAfterCloseFails(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	if _, err := c.Schemas(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	if !c.Exited() {
		t.Errorf("Exited() = false after Close")
	}
	_, err := c.Read(t.Context(), []sdk.ReadRequest{{TypeName: "echo", State: cty.NilVal}})
	if !errors.Is(err, host.ErrClosed) || errors.Is(err, host.ErrProviderCrashed) {
		t.Errorf("err = %v, want ErrClosed", err)
	}
}

// The benchmarks measure the cost of the protocol per resource: planning
// 1,000 instances in one call against one call per instance. Compare their
// ns/item metrics.

func benchConfigs(n int) []sdk.PlanRequest {
	reqs := make([]sdk.PlanRequest, n)
	for i := range reqs {
		reqs[i] = sdk.PlanRequest{
			Address:  fmt.Sprintf("echo.x[%d]", i),
			TypeName: "echo",
			Config: testprovider.Schema.Object(map[string]cty.Value{
				"name":  cty.StringVal(fmt.Sprintf("item-%d", i)),
				"value": cty.StringVal("some value"),
				"tags":  cty.MapVal(map[string]cty.Value{"app": cty.StringVal("x"), "tier": cty.StringVal("web")}),
			}),
		}
	}
	return reqs
}

func BenchmarkPlanBatch1000(b *testing.B) {
	c := sdktest.Start(b, "test")
	reqs := benchConfigs(1000)
	if _, err := c.Plan(b.Context(), reqs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Plan(b.Context(), reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/item")
}

func BenchmarkPlanSingle(b *testing.B) {
	c := sdktest.Start(b, "test")
	reqs := benchConfigs(1)
	if _, err := c.Plan(b.Context(), reqs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Plan(b.Context(), reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/item")
}
