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

package sdktest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
)

// envProvider tells a re-executed test binary which provider to serve.
const envProvider = "SLIPWAY_SDKTEST_PROVIDER"

var (
	mainMu     sync.Mutex
	mainCalled bool
)

// Main is called from a test package's TestMain:
//
//	func TestMain(m *testing.M) {
//		sdktest.Main(m, map[string]func() sdk.Provider{"file": New})
//	}
//
// In the test process it runs the tests. In a process started by Start it
// serves the named provider instead, and exits when the test closes it.
func Main(m *testing.M, providers map[string]func() sdk.Provider) {
	MainWith(m, providers, func(m *testing.M) { os.Exit(m.Run()) })
}

// MainWith is Main for a package whose tests must be run by another
// TestMain helper, such as one that stops a shared test cluster after the
// tests:
//
//	func TestMain(m *testing.M) {
//		sdktest.MainWith(m, map[string]func() sdk.Provider{"kubernetes": New}, testbed.Main)
//	}
//
// run runs the tests and exits; in a process started by Start it is not
// called.
func MainWith(m *testing.M, providers map[string]func() sdk.Provider, run func(*testing.M)) {
	if name := os.Getenv(envProvider); name != "" {
		newProvider, ok := providers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "sdktest: this test binary serves no provider %q; add it to the map given to sdktest.Main\n", name)
			os.Exit(2)
		}
		sdk.Serve(newProvider())
		os.Exit(0)
	}
	mainMu.Lock()
	mainCalled = true
	mainMu.Unlock()
	run(m)
	os.Exit(0)
}

// Start launches the provider registered as name with Main, as a plugin
// process (the test binary itself, re-executed), and connects to it through
// the real protocol. The process inherits the test's environment; env
// holds more variables (KEY=VALUE), which take precedence over the test's
// own (HOME=t.TempDir() keeps the user's configuration from the
// provider). Configure is not called. The process ends when the test
// does; its log lines go to the test log.
func Start(t testing.TB, name string, env ...string) *host.Client {
	t.Helper()
	mainMu.Lock()
	ok := mainCalled
	mainMu.Unlock()
	if !ok {
		t.Fatalf("sdktest.Start: call sdktest.Main (or MainWith) from the package's TestMain first")
	}
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	cmd := exec.Command(self)
	cmd.Env = append([]string{envProvider + "=" + name}, env...)
	w := &logWriter{t: t}
	c, err := host.Launch(t.Context(), host.LaunchConfig{Name: name, Cmd: cmd, Stderr: w})
	if err != nil {
		t.Fatalf("sdktest.Start: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		w.stop()
	})
	return c
}

// logWriter sends a plugin's log lines to the test log until the test ends.
type logWriter struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *logWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
}

// Configure configures the provider with config, a value of its provider
// block's schema, and fails the test on an error.
func Configure(t testing.TB, c *host.Client, config cty.Value) {
	t.Helper()
	diags, err := c.Configure(t.Context(), config)
	if err != nil {
		t.Fatalf("configure %s: %v", c.Name(), err)
	}
	CheckDiags(t, "configure "+c.Name(), diags)
}

// ResourceSchema returns the schema of a resource type.
func ResourceSchema(t testing.TB, c *host.Client, typeName string) sdk.Schema {
	t.Helper()
	schemas, err := c.Schemas(t.Context())
	if err != nil {
		t.Fatalf("schemas: %v", err)
	}
	s, ok := schemas.Resources[typeName]
	if !ok {
		t.Fatalf("provider %q has no resource type %q", c.Name(), typeName)
	}
	return s
}

// Object builds a value of a resource type's schema from attrs; the
// attributes left out are null. It is the easy way to write a config.
func Object(t testing.TB, c *host.Client, typeName string, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	return ResourceSchema(t, c, typeName).Object(attrs)
}

// Plan plans one instance of typeName from prior (cty.NilVal or null when
// new) to config, and fails the test on an error.
func Plan(t testing.TB, c *host.Client, typeName string, prior, config cty.Value) sdk.PlanResponse {
	t.Helper()
	resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{
		Address: address(typeName), TypeName: typeName, Config: config, PriorState: prior,
	}})
	if err != nil {
		t.Fatalf("plan %s: %v", typeName, err)
	}
	CheckDiags(t, "plan "+typeName, resps[0].Diagnostics)
	return resps[0]
}

// Apply applies one planned change and returns the new state, failing the
// test on an error.
func Apply(t testing.TB, c *host.Client, typeName string, prior, config cty.Value, plan sdk.PlanResponse) cty.Value {
	t.Helper()
	var resp *sdk.ApplyResponse
	err := c.Apply(t.Context(), []sdk.ApplyRequest{{
		Address: address(typeName), TypeName: typeName,
		Config: config, PriorState: prior, PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil {
		t.Fatalf("apply %s: %v", typeName, err)
	}
	CheckDiags(t, "apply "+typeName, resp.Diagnostics)
	return resp.NewState
}

// PlanApply creates an instance of typeName from config and returns its
// state.
func PlanApply(t testing.TB, c *host.Client, typeName string, config cty.Value) cty.Value {
	t.Helper()
	return PlanApplyFrom(t, c, typeName, cty.NilVal, config)
}

// PlanApplyFrom changes an instance from prior to config as slipway would
// and returns the new state: a null config destroys it, and a plan that
// requires replacement destroys it and creates it again.
func PlanApplyFrom(t testing.TB, c *host.Client, typeName string, prior, config cty.Value) cty.Value {
	t.Helper()
	plan := Plan(t, c, typeName, prior, config)
	if len(plan.RequiresReplace) > 0 && prior != cty.NilVal && !prior.IsNull() {
		gone := PlanApplyFrom(t, c, typeName, prior, cty.NullVal(prior.Type()))
		if !gone.IsNull() {
			t.Fatalf("replace %s: destroy left state %#v", typeName, gone)
		}
		return PlanApply(t, c, typeName, config)
	}
	return Apply(t, c, typeName, prior, config, plan)
}

// Refresh reads an instance and returns its current state (null when the
// object is gone), failing the test on an error.
func Refresh(t testing.TB, c *host.Client, typeName string, state cty.Value) cty.Value {
	t.Helper()
	resps, err := c.Read(t.Context(), []sdk.ReadRequest{{Address: address(typeName), TypeName: typeName, State: state}})
	if err != nil {
		t.Fatalf("read %s: %v", typeName, err)
	}
	CheckDiags(t, "read "+typeName, resps[0].Diagnostics)
	return resps[0].NewState
}

func address(typeName string) string { return typeName + ".test" }

// UpgradeState upgrades a state of typeName stored with schema version
// from (fixture: the state as JSON, as slipway's state file holds it in
// an instance's "attributes") to the provider's current schema version
// through the real protocol, and returns it. It fails the test on an
// error, so a test of a state upgrade is one call and a comparison:
//
//	got := sdktest.UpgradeState(t, c, "acme_widget", 1, []byte(`{"id":"w1","size":"3"}`))
//	want := sdktest.Object(t, c, "acme_widget", map[string]cty.Value{"id": cty.StringVal("w1"), "size": cty.NumberIntVal(3)})
func UpgradeState(t testing.TB, c *host.Client, typeName string, from int64, fixture []byte) cty.Value {
	t.Helper()
	resps, err := c.UpgradeState(t.Context(), []sdk.UpgradeStateRequest{{
		Address: address(typeName), TypeName: typeName, Version: from, RawState: fixture,
	}})
	if err != nil {
		t.Fatalf("upgrade state of %s from version %d: %v", typeName, from, err)
	}
	CheckDiags(t, fmt.Sprintf("upgrade state of %s from version %d", typeName, from), resps[0].Diagnostics)
	return resps[0].State
}
