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

package sdk_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// These tests run the test provider as a real plugin process (this test
// binary, re-executed by sdktest) and talk to it through package host.

func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"test": testprovider.New})
}

// ctyTypes compares cty types by meaning for cmp.
var ctyTypes = cmp.Options{
	cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
	cmp.Comparer(func(a, b cty.Value) bool {
		if a == cty.NilVal || b == cty.NilVal {
			return a == b
		}
		return a.RawEquals(b)
	}),
}

func obj(attrs map[string]cty.Value) cty.Value { return testprovider.Schema.Object(attrs) }

func TestSchemaRoundTrip(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	got, err := c.Schemas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sdk.Metadata{Name: "test", Version: "1.2.3", ApplyParallelism: 24}, got.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	want := testprovider.Schema
	for _, name := range []string{"echo", "probe", "batch", "gate", "panic", "crash"} {
		s, ok := got.Resources[name]
		if !ok {
			t.Errorf("resource type %q missing", name)
			continue
		}
		if diff := cmp.Diff(want, s, ctyTypes); diff != "" {
			t.Errorf("%s schema (-want +got):\n%s", name, diff)
		}
	}
	if _, ok := got.Sources["upper"]; !ok {
		t.Errorf("source type upper missing")
	}
	if _, ok := got.Provider.Attributes["greeting"]; !ok {
		t.Errorf("provider attribute greeting missing")
	}
	again, err := c.Schemas(t.Context())
	if err != nil || again != got {
		t.Errorf("second Schemas call: got %p, %v; want the cached %p", again, err, got)
	}
}

func TestUnknownValuesSurviveTheWire(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	config := obj(map[string]cty.Value{
		"name":  cty.StringVal("a"),
		"value": cty.UnknownVal(cty.String),
		"tags":  cty.MapVal(map[string]cty.Value{"x": cty.UnknownVal(cty.String), "y": cty.StringVal("known")}),
	})
	resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "probe.a", TypeName: "probe", Config: config}})
	if err != nil {
		t.Fatal(err)
	}
	p := resps[0]
	if len(p.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %v", p.Diagnostics)
	}
	st := p.PlannedState
	if st.GetAttr("value").IsKnown() {
		t.Errorf("planned value is known, want unknown")
	}
	if st.GetAttr("tags").Index(cty.StringVal("x")).IsKnown() {
		t.Errorf("planned tags[x] is known, want unknown")
	}
	if got := st.GetAttr("tags").Index(cty.StringVal("y")); !got.RawEquals(cty.StringVal("known")) {
		t.Errorf("planned tags[y] = %#v", got)
	}
	// The provider saw the unknown, and the unknown id it left came back.
	if got := st.GetAttr("note"); !got.RawEquals(cty.StringVal("value unknown")) {
		t.Errorf("note = %#v, want the provider to have seen an unknown value", got)
	}
	if st.GetAttr("id").IsKnown() {
		t.Errorf("computed id on create is known, want unknown")
	}
}

func TestDefaultPlanningThroughTheProtocol(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "key": cty.StringVal("k1")})
	state := sdktest.PlanApply(t, c, "echo", config)
	if got := state.GetAttr("id"); !got.RawEquals(cty.StringVal("id-a")) {
		t.Fatalf("id after create = %#v", got)
	}

	// An update keeps computed attributes.
	update := sdk.With(config, "value", cty.StringVal("v2"))
	p := sdktest.Plan(t, c, "echo", state, update)
	if got := p.PlannedState.GetAttr("id"); !got.RawEquals(cty.StringVal("id-a")) {
		t.Errorf("planned id on update = %#v, want kept from prior", got)
	}
	if len(p.RequiresReplace) != 0 {
		t.Errorf("RequiresReplace = %#v, want none", p.RequiresReplace)
	}

	// Changing a ForceNew attribute requires replacement.
	p = sdktest.Plan(t, c, "echo", state, sdk.With(config, "key", cty.StringVal("k2")))
	if len(p.RequiresReplace) != 1 || !p.RequiresReplace[0].Equals(cty.GetAttrPath("key")) {
		t.Errorf("RequiresReplace = %#v, want [key]", p.RequiresReplace)
	}
	if p.PlannedState.GetAttr("id").IsKnown() {
		t.Errorf("planned id on replace is known, want unknown")
	}

	// A null config plans a delete.
	p = sdktest.Plan(t, c, "echo", state, cty.NullVal(testprovider.Schema.ImpliedType()))
	if !p.PlannedState.IsNull() {
		t.Errorf("planned state for a null config = %#v, want null", p.PlannedState)
	}
	if gone := sdktest.PlanApplyFrom(t, c, "echo", state, cty.NilVal); !gone.IsNull() {
		t.Errorf("state after destroy = %#v, want null", gone)
	}
}

func TestBatchPlanOf1000KeepsOrder(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	for _, typeName := range []string{"echo", "batch"} {
		const n = 1000
		reqs := make([]sdk.PlanRequest, n)
		for i := range reqs {
			reqs[i] = sdk.PlanRequest{
				Address:  fmt.Sprintf("%s.x[%d]", typeName, i),
				TypeName: typeName,
				Config:   obj(map[string]cty.Value{"name": cty.StringVal(fmt.Sprint(i))}),
			}
		}
		resps, err := c.Plan(t.Context(), reqs)
		if err != nil {
			t.Fatal(err)
		}
		if len(resps) != n {
			t.Fatalf("%s: %d responses, want %d", typeName, len(resps), n)
		}
		for i, r := range resps {
			if got := sdk.GetString(r.PlannedState, "name"); got != fmt.Sprint(i) {
				t.Fatalf("%s: response %d is for name %q", typeName, i, got)
			}
			if typeName == "batch" {
				if got := sdk.GetString(r.PlannedState, "note"); got != "batch of 1000" {
					t.Fatalf("batch: response %d note %q, want one PlanBatch call of 1000", i, got)
				}
			}
		}
	}
}

func TestBatchReadAndReadGone(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	state := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a")})
	gone := sdk.With(state, "value", cty.StringVal("gone"))
	resps, err := c.Read(t.Context(), []sdk.ReadRequest{
		{TypeName: "batch", State: state},
		{TypeName: "echo", State: state},
		{TypeName: "echo", State: gone},
		{TypeName: "batch", State: state},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdk.GetString(resps[0].NewState, "note"); got != "read batch of 2" {
		t.Errorf("batch read note = %q", got)
	}
	if !resps[1].NewState.RawEquals(state) {
		t.Errorf("echo read changed the state: %#v", resps[1].NewState)
	}
	if !resps[2].NewState.IsNull() {
		t.Errorf("read of a gone object = %#v, want null", resps[2].NewState)
	}
}

func TestApplyStreamsEachResultWhenItFinishes(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	gatePath := filepath.Join(t.TempDir(), "open")
	fast := obj(map[string]cty.Value{"name": cty.StringVal("fast")})
	slow := obj(map[string]cty.Value{"name": cty.StringVal("slow"), "value": cty.StringVal("wait:" + gatePath)})
	plans, err := c.Plan(t.Context(), []sdk.PlanRequest{
		{TypeName: "gate", Config: fast},
		{TypeName: "gate", Config: slow},
	})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	var results [2]*sdk.ApplyResponse
	err = c.Apply(t.Context(), []sdk.ApplyRequest{
		{Address: "gate.fast", TypeName: "gate", Config: fast, PlannedState: plans[0].PlannedState},
		{Address: "gate.slow", TypeName: "gate", Config: slow, PlannedState: plans[1].PlannedState},
	}, func(ev host.ApplyEvent) {
		if !ev.Done {
			line := fmt.Sprintf("%d: %s", ev.Index, ev.Message)
			if ev.Waiting {
				line += " (only waits)"
			}
			events = append(events, line)
			return
		}
		events = append(events, fmt.Sprintf("%d: done", ev.Index))
		results[ev.Index] = ev.Response
		// Item 0 finishing opens the gate item 1 waits on: had the results
		// come only at the end of the batch, item 1 would time out.
		if ev.Index == 0 {
			if err := os.WriteFile(gatePath, nil, 0o644); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r == nil || r.Diagnostics.HasErrors() {
			t.Fatalf("result %d: %+v (events %q)", i, r, events)
		}
	}
	// Item 1's "waiting" may come before or after item 0's result; the
	// rest is ordered. The line that says item 1 only waits from now on
	// carries the flag (sdk.ApplyRequest.Waiting); later lines do not.
	pos := map[string]int{}
	for i, ev := range events {
		pos[ev] = i
	}
	waiting := "1: waiting for " + gatePath + " (only waits)"
	want := []string{waiting, "0: done", "1: done waiting", "1: done"}
	if len(events) != len(want) {
		t.Fatalf("events = %q, want %q in some order", events, want)
	}
	for _, w := range want {
		if _, ok := pos[w]; !ok {
			t.Fatalf("events = %q, missing %q", events, w)
		}
	}
	if !(pos[waiting] < pos["1: done waiting"] && pos["0: done"] < pos["1: done waiting"] && pos["1: done waiting"] < pos["1: done"]) {
		t.Errorf("events out of order: %q", events)
	}
	if got := sdk.GetString(results[1].NewState, "id"); got != "id-slow" {
		t.Errorf("slow id = %q", got)
	}
}

func TestPanicBecomesErrorDiagnostic(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	config := obj(map[string]cty.Value{"name": cty.StringVal("a")})
	var resp *sdk.ApplyResponse
	err := c.Apply(t.Context(), []sdk.ApplyRequest{{
		Address: "panic.a", TypeName: "panic", Config: config,
		PlannedState: sdk.With(config, "id", cty.UnknownVal(cty.String)),
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	checkPanicDiag(t, resp.Diagnostics, "Apply of panic.a", "assignment to entry in nil map")
	if !resp.NewState.IsNull() {
		t.Errorf("new state after a panicking create = %#v, want null (the prior state)", resp.NewState)
	}

	// The process survived, and a panicking Plan is reported the same way.
	plans, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "panic.b", TypeName: "panic", Config: sdk.With(config, "value", cty.StringVal("plan"))}})
	if err != nil {
		t.Fatal(err)
	}
	checkPanicDiag(t, plans[0].Diagnostics, "Plan of panic.b", "plan exploded")
}

func checkPanicDiag(t *testing.T, diags sdk.Diagnostics, where, cause string) {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != sdk.Error {
		t.Fatalf("diagnostics = %#v, want one error", diags)
	}
	d := diags[0]
	if d.Summary != "Provider panicked" {
		t.Errorf("summary = %q", d.Summary)
	}
	for _, s := range []string{where, cause, "goroutine "} {
		if !strings.Contains(d.Detail, s) {
			t.Errorf("detail does not mention %q:\n%s", s, d.Detail)
		}
	}
}

// TestPanicInCodeTheSDKRunsFailsItsItemOnly: the validators and plan
// modifiers the SDK runs for a provider are the provider's code as much
// as its methods are, and so is what its Plan returns: a panic in them,
// or in the SDK over what Plan returned, is an error of the item it was
// for, and the process, and the other items of the call, carry on.
func TestPanicInCodeTheSDKRunsFailsItsItemOnly(t *testing.T) {
	t.Parallel()
	fragile := func(name, fault string) cty.Value {
		attrs := map[string]cty.Value{"name": cty.StringVal(name)}
		if fault != "" {
			attrs["fault"] = cty.StringVal(fault)
		}
		return testprovider.FragileSchema.Object(attrs)
	}
	// survived checks that the provider still answers.
	survived := func(t *testing.T, c *host.Client) {
		t.Helper()
		if _, err := c.Validate(t.Context(), []sdk.ValidateRequest{{TypeName: "fragile", Config: fragile("z", "")}}); err != nil || c.Exited() {
			t.Fatalf("the provider did not survive: %v", err)
		}
	}
	t.Run("validate", func(t *testing.T) {
		t.Parallel()
		c := sdktest.Start(t, "test")
		resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{
			{TypeName: "fragile", Config: fragile("a", "validator")},
			{TypeName: "fragile", Config: fragile("b", "")},
		})
		if err != nil {
			t.Fatal(err)
		}
		checkPanicDiag(t, resps[0].Diagnostics, `the validator testprovider.fault of "fault" of resource type "fragile"`, "validator exploded")
		if !resps[0].Diagnostics[0].Attribute.Equals(cty.GetAttrPath("fault")) {
			t.Errorf("the panic's diagnostic points at %#v, want fault", resps[0].Diagnostics[0].Attribute)
		}
		if len(resps[1].Diagnostics) > 0 {
			t.Errorf("the item beside it: %v", resps[1].Diagnostics)
		}
		survived(t, c)
	})
	for _, tc := range []struct{ fault, where, cause string }{
		{"validator", `the validator testprovider.fault of "fault" of fragile.a`, "validator exploded"},
		{"modifier", "DefaultPlan of fragile.a", "plan modifier exploded"},
		// Plan returns a string for the rule blocks: an error, whatever
		// the SDK does with it after.
		{"plan", "", ""},
	} {
		t.Run("plan, "+tc.fault, func(t *testing.T) {
			t.Parallel()
			c := sdktest.Start(t, "test")
			prior := testprovider.FragileSchema.Object(map[string]cty.Value{
				"name": cty.StringVal("a"), "id": cty.StringVal("id-a"),
				"rule": cty.ListValEmpty(testprovider.FragileSchema.Blocks["rule"].ImpliedType().ElementType()),
			})
			resps, err := c.Plan(t.Context(), []sdk.PlanRequest{
				{Address: "fragile.a", TypeName: "fragile", Config: fragile("a", tc.fault), PriorState: prior},
				{Address: "fragile.b", TypeName: "fragile", Config: fragile("b", "")},
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.where != "" {
				checkPanicDiag(t, resps[0].Diagnostics, tc.where, tc.cause)
			} else if !resps[0].Diagnostics.HasErrors() {
				t.Errorf("plan of an invalid planned state: %v, want an error", resps[0].Diagnostics)
			}
			if d := resps[1].Diagnostics; len(d) > 0 || resps[1].PlannedState.GetAttr("id").IsKnown() {
				t.Errorf("the item beside it: planned %#v, diagnostics %v", resps[1].PlannedState, d)
			}
			survived(t, c)
		})
	}
	t.Run("source", func(t *testing.T) {
		t.Parallel()
		c := sdktest.Start(t, "test")
		upper := func(in string) cty.Value {
			return cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal(in), "output": cty.NullVal(cty.String)})
		}
		resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{
			{Address: "source.upper.x", TypeName: "upper", Config: upper("panic")},
			{Address: "source.upper.y", TypeName: "upper", Config: upper("abc")},
		})
		if err != nil {
			t.Fatal(err)
		}
		checkPanicDiag(t, resps[0].Diagnostics, `the validator testprovider.fault of "input" of source.upper.x`, "validator exploded")
		if got := sdk.GetString(resps[1].State, "output"); got != "ABC" || len(resps[1].Diagnostics) > 0 {
			t.Errorf("the source beside it: output %q, diagnostics %v", got, resps[1].Diagnostics)
		}
		survived(t, c)
	})
	t.Run("configure", func(t *testing.T) {
		t.Parallel()
		c := sdktest.Start(t, "test")
		diags, err := c.Configure(t.Context(), cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("panic")}))
		if err != nil {
			t.Fatal(err)
		}
		checkPanicDiag(t, diags, `the validator testprovider.fault of "greeting" of the provider configuration`, "validator exploded")
		survived(t, c)
	})
}

// TestCreateWithAnInvalidResultKeepsTheObject: a create whose result the
// SDK refuses (its plan returned with the id still unknown, no state
// where the plan had unknown values, a value of another type) is an
// error, but the object it made is not forgotten: the new state is the
// result (or the plan) with its unknown values null, which slipway
// records, tainted, instead of creating a second object at the next
// apply. An update refused for a value of another type keeps its prior
// state (one whose result holds unknown values records it:
// TestUpdateWithUnknownValuesRecordsTheResult).
func TestCreateWithAnInvalidResultKeepsTheObject(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	apply := func(t *testing.T, prior, config cty.Value) *sdk.ApplyResponse {
		t.Helper()
		plans, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "careless.a", TypeName: "careless", Config: config, PriorState: prior}})
		if err != nil || plans[0].Diagnostics.HasErrors() {
			t.Fatalf("plan: %v %v", plans[0].Diagnostics, err)
		}
		var resp *sdk.ApplyResponse
		err = c.Apply(t.Context(), []sdk.ApplyRequest{{
			Address: "careless.a", TypeName: "careless", Config: config, PriorState: prior, PlannedState: plans[0].PlannedState,
		}}, func(ev host.ApplyEvent) {
			if ev.Done {
				resp = ev.Response
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !resp.Diagnostics.HasErrors() {
			t.Fatalf("diagnostics %v, want an error", resp.Diagnostics)
		}
		return resp
	}
	for _, value := range []string{"plan", "none", "string"} {
		t.Run(value, func(t *testing.T) {
			config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal(value)})
			resp := apply(t, cty.NullVal(testprovider.Schema.ImpliedType()), config)
			// The plan, id and note unknown, with them null.
			if !resp.NewState.RawEquals(config) {
				t.Errorf("new state after a create the SDK refused:\n got %#v\nwant %#v (the plan, its unknown values null)", resp.NewState, config)
			}
		})
	}
	t.Run("update", func(t *testing.T) {
		prior := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("n")})
		config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal("string")})
		if resp := apply(t, prior, config); !resp.NewState.RawEquals(prior) {
			t.Errorf("new state after an update the SDK refused = %#v, want the prior state", resp.NewState)
		}
	})
}

// TestZeroSeverityIsAnErrorOnBothSides: a diagnostic a provider makes
// without a Severity reaches slipway as an error, and the SDK takes it
// as one too: an apply that returns one and no new state keeps the
// prior state, as after any error, rather than recording the plan.
func TestZeroSeverityIsAnErrorOnBothSides(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	prior := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("n")})
	config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal("zero")})
	planned := sdk.With(prior, "value", cty.StringVal("zero"))
	var resp *sdk.ApplyResponse
	err := c.Apply(t.Context(), []sdk.ApplyRequest{{
		Address: "careless.a", TypeName: "careless", Config: config, PriorState: prior, PlannedState: planned,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.Diagnostics; len(d) != 1 || d[0].Severity != sdk.Error || d[0].Summary != "Failed quietly" {
		t.Errorf("diagnostics %#v, want the provider's, as an error", d)
	}
	if !resp.NewState.RawEquals(prior) {
		t.Errorf("new state after an apply that failed = %#v, want the prior state", resp.NewState)
	}
}

func TestProcessExitIsReportedAsCrash(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"exit", "goroutine"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			c := sdktest.Start(t, "test")
			config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal(value)})
			err := c.Apply(t.Context(), []sdk.ApplyRequest{{
				Address: "crash.a", TypeName: "crash", Config: config, PlannedState: config,
			}}, nil)
			if !errors.Is(err, host.ErrProviderCrashed) {
				t.Fatalf("err = %v, want ErrProviderCrashed", err)
			}
			t.Logf("the error reads: %v", err)
			if !strings.Contains(err.Error(), `provider "test" crashed`) {
				t.Errorf("error does not name the provider: %v", err)
			}
			wantOutput := map[string]string{"exit": "exiting on purpose", "goroutine": "panic: boom in a goroutine"}[value]
			if !strings.Contains(err.Error(), wantOutput) {
				t.Errorf("error does not show the provider's last output %q:\n%v", wantOutput, err)
			}
			if !c.Exited() {
				t.Errorf("Exited() = false after a crash")
			}
			// Later calls fail the same way instead of hanging.
			_, err = c.Plan(t.Context(), []sdk.PlanRequest{{TypeName: "echo", Config: config}})
			if !errors.Is(err, host.ErrProviderCrashed) {
				t.Errorf("call after crash: err = %v, want ErrProviderCrashed", err)
			}
		})
	}
}

func TestDiagnosticsKeepAttributePaths(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{
		TypeName: "probe", Config: obj(map[string]cty.Value{"name": cty.StringVal("diag")}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	diags := resps[0].Diagnostics
	if len(diags) != 2 {
		t.Fatalf("diagnostics = %#v, want 2", diags)
	}
	wantPath := cty.GetAttrPath("tags").Index(cty.StringVal("k")).Index(cty.NumberIntVal(3))
	if d := diags[0]; d.Severity != sdk.Error || d.Summary != "Bad tag" || d.Detail != "The tag k is bad." || !d.Attribute.Equals(wantPath) {
		t.Errorf("diagnostic 0 = %#v", d)
	}
	if d := diags[1]; d.Severity != sdk.Warning || d.Summary != "Just so you know" || d.Attribute != nil {
		t.Errorf("diagnostic 1 = %#v", d)
	}
}

func TestValidateChecksRequiredAttributes(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{
		{TypeName: "echo", Config: obj(map[string]cty.Value{"name": cty.StringVal("a")})},
		{TypeName: "echo", Config: obj(map[string]cty.Value{"name": cty.UnknownVal(cty.String)})},
		{TypeName: "echo", Config: obj(map[string]cty.Value{"value": cty.StringVal("no name")})},
		{TypeName: "echo", Config: obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("set by hand")})},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", "", "name", "id"} {
		d := resps[i].Diagnostics
		switch {
		case want == "" && len(d) != 0:
			t.Errorf("config %d: diagnostics %#v, want none", i, d)
		case want != "" && (len(d) != 1 || !d[0].Attribute.Equals(cty.GetAttrPath(want))):
			t.Errorf("config %d: diagnostics %#v, want one about %s", i, d, want)
		}
	}
}

func TestConfigureSourcesImportAndStop(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	ctx := t.Context()

	diags, err := c.Configure(ctx, cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("bad")}))
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || !diags[0].Attribute.Equals(cty.GetAttrPath("greeting")) {
		t.Errorf("configure diagnostics = %#v, want one about greeting", diags)
	}
	if diags, err = c.Configure(ctx, cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hi-")})); err != nil || len(diags) > 0 {
		t.Fatalf("configure: %v %v", diags, err)
	}
	state := sdktest.PlanApply(t, c, "echo", obj(map[string]cty.Value{"name": cty.StringVal("a")}))
	if got := sdk.GetString(state, "id"); got != "hi-id-a" {
		t.Errorf("id = %q, want the configured greeting in it", got)
	}

	srcs, err := c.ReadSources(ctx, []sdk.SourceReadRequest{{
		Address: "source.upper.x", TypeName: "upper",
		Config: cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("abc"), "output": cty.NullVal(cty.String)}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdk.GetString(srcs[0].State, "output"); got != "ABC" {
		t.Errorf("source output = %q", got)
	}

	imp, err := c.Import(ctx, sdk.ImportRequest{Address: "echo.i", TypeName: "echo", ID: "x"})
	if err != nil || imp.Diagnostics.HasErrors() {
		t.Fatalf("import: %v %v", imp.Diagnostics, err)
	}
	if got := sdk.GetString(imp.State, "id"); got != "id-x" {
		t.Errorf("imported id = %q", got)
	}
	if imp, err = c.Import(ctx, sdk.ImportRequest{TypeName: "echo", ID: "missing"}); err != nil || !imp.Diagnostics.HasErrors() {
		t.Errorf("import of a missing object: %v %v, want an error diagnostic", imp.Diagnostics, err)
	}
	if imp, err = c.Import(ctx, sdk.ImportRequest{TypeName: "upper", ID: "x"}); err == nil {
		t.Errorf("import of a source type: %v, want an error", imp)
	}

	// Stop ends an apply that would otherwise wait for 20 seconds.
	config := obj(map[string]cty.Value{"name": cty.StringVal("w"), "value": cty.StringVal("wait:" + filepath.Join(t.TempDir(), "never"))})
	var resp *sdk.ApplyResponse
	err = c.Apply(ctx, []sdk.ApplyRequest{{TypeName: "gate", Config: config, PlannedState: sdk.With(config, "id", cty.UnknownVal(cty.String))}},
		func(ev host.ApplyEvent) {
			switch {
			case ev.Done:
				resp = ev.Response
			case strings.HasPrefix(ev.Message, "waiting"):
				if err := c.Stop(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Stopped" {
		t.Errorf("diagnostics after Stop = %#v", resp.Diagnostics)
	}
}

func TestUnknownTypeIsAnError(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	_, err := c.Plan(t.Context(), []sdk.PlanRequest{{TypeName: "nope", Config: cty.EmptyObjectVal}})
	if err == nil || !strings.Contains(err.Error(), `no resource type "nope"`) {
		t.Errorf("err = %v", err)
	}
}

// A value the provider returns unchanged does not cross the wire again:
// the host hands back the value it sent, flagged Unchanged. A plan after a
// refresh does not send the refreshed state back, and one that asks for a
// refresh the provider never made is sent again whole.
func TestUnchangedValuesAndPriorFromRefresh(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	ctx := t.Context()
	state := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("kept")})

	reads, err := c.Read(ctx, []sdk.ReadRequest{
		{Address: "echo.a", TypeName: "echo", State: state},
		{Address: "batch.a", TypeName: "batch", State: state},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reads[0].Unchanged || !reads[0].NewState.RawEquals(state) {
		t.Errorf("echo read: unchanged %v, state %#v", reads[0].Unchanged, reads[0].NewState)
	}
	if reads[1].Unchanged || sdk.GetString(reads[1].NewState, "note") != "read batch of 1" {
		t.Errorf("batch read: unchanged %v, note %q", reads[1].Unchanged, sdk.GetString(reads[1].NewState, "note"))
	}

	cfg := obj(map[string]cty.Value{"name": cty.StringVal("a")})
	plan := func(addr, typeName string, prior cty.Value, fromRefresh bool) sdk.PlanResponse {
		t.Helper()
		resps, err := c.Plan(ctx, []sdk.PlanRequest{{Address: addr, TypeName: typeName, Config: cfg, PriorState: prior, PriorFromRefresh: fromRefresh}})
		if err != nil {
			t.Fatal(err)
		}
		if resps[0].Diagnostics.HasErrors() {
			t.Fatalf("%s: %v", addr, resps[0].Diagnostics)
		}
		return resps[0]
	}
	// echo plans the configuration with the prior computed values: the
	// prior state again, so nothing comes back.
	p := plan("echo.a", "echo", reads[0].NewState, true)
	if !p.Unchanged || !p.PlannedState.RawEquals(state) {
		t.Errorf("echo plan: unchanged %v, planned %#v", p.Unchanged, p.PlannedState)
	}
	// batch's plan from the refreshed state kept by the provider is the
	// same as from the state sent whole.
	kept := plan("batch.a", "batch", reads[1].NewState, true)
	sent := plan("batch.b", "batch", reads[1].NewState, false)
	if kept.Unchanged || !kept.PlannedState.RawEquals(sent.PlannedState) {
		t.Errorf("plan from the kept state %#v, from the sent state %#v", kept.PlannedState, sent.PlannedState)
	}
	if got := sdk.GetString(kept.PlannedState, "id"); got != "id-a" {
		t.Errorf("the kept prior state was not used: id %q", got)
	}
	// The provider keeps a refreshed state for one plan: asked again, the
	// host sends it whole and the plan is the same.
	again := plan("batch.a", "batch", reads[1].NewState, true)
	if !again.PlannedState.RawEquals(sent.PlannedState) {
		t.Errorf("plan after the kept state was used: %#v", again.PlannedState)
	}
}

// A Configure starts a new session (Metadata.Sessions): the states the
// last session's refresh kept are not used by a plan after it, which is
// sent the prior state whole.
func TestConfigureForgetsTheRefresh(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	ctx := t.Context()
	state := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("kept")})
	if _, err := c.Read(ctx, []sdk.ReadRequest{{Address: "batch.a", TypeName: "batch", State: state}}); err != nil {
		t.Fatal(err)
	}
	if diags, err := c.Configure(ctx, cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hi-")})); err != nil || len(diags) > 0 {
		t.Fatalf("configure: %v %v", diags, err)
	}
	// What the host holds now differs from what the refresh kept.
	sent := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-z"), "note": cty.StringVal("sent")})
	cfg := obj(map[string]cty.Value{"name": cty.StringVal("a")})
	resps, err := c.Plan(ctx, []sdk.PlanRequest{{Address: "batch.a", TypeName: "batch", Config: cfg, PriorState: sent, PriorFromRefresh: true}})
	if err != nil || resps[0].Diagnostics.HasErrors() {
		t.Fatalf("plan: %v %v", resps, err)
	}
	if got := sdk.GetString(resps[0].PlannedState, "id"); got != "id-z" {
		t.Errorf("the plan after a new Configure used the last session's refresh: id %q, want id-z", got)
	}
}

// TestApplyRunsEveryItemOfACallAtOnce: the host bounds what it sends
// (its -parallelism), so the items of one apply call all run at once,
// beyond the 16 the SDK runs of a plan batch. Each item here waits for a
// gate the test opens only once every item has started.
func TestApplyRunsEveryItemOfACallAtOnce(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	const n = 40 // above the test provider's ApplyParallelism (24) and the SDK's 16
	gatePath := filepath.Join(t.TempDir(), "open")
	cfg := obj(map[string]cty.Value{"name": cty.StringVal("item"), "value": cty.StringVal("wait:" + gatePath)})
	plans, err := c.Plan(t.Context(), []sdk.PlanRequest{{TypeName: "gate", Config: cfg}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]sdk.ApplyRequest, n)
	for i := range reqs {
		reqs[i] = sdk.ApplyRequest{Address: fmt.Sprintf("gate.g[%d]", i), TypeName: "gate", Config: cfg, PlannedState: plans[0].PlannedState}
	}
	started, failed := 0, 0
	err = c.Apply(t.Context(), reqs, func(ev host.ApplyEvent) {
		if ev.Waiting {
			if started++; started == n {
				if err := os.WriteFile(gatePath, nil, 0o644); err != nil {
					t.Error(err)
				}
			}
		}
		if ev.Done && (ev.Response == nil || ev.Response.Diagnostics.HasErrors()) {
			failed++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if started != n || failed != 0 {
		t.Errorf("%d of %d items started at once, %d failed", started, n, failed)
	}
}

// A type that can tell from its private state alone that an instance is
// unchanged (sdk.ResourceWithElidedState) is refreshed and planned
// without its state crossing the wire; an instance it cannot tell about
// is sent again with its state and read and planned in full, and so is
// a batch whose elided read panics or answers for too few.
func TestElidedState(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	ctx := t.Context()
	state := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("recorded")})
	privates := []string{"plan", "read", "", "other"}
	var reqs []sdk.ReadRequest
	for i, p := range privates {
		reqs = append(reqs, sdk.ReadRequest{Address: fmt.Sprintf("elided.e[%d]", i), TypeName: "elided", State: state, Private: []byte(p)})
	}
	// An interrupted operation is always read in full.
	reqs = append(reqs, sdk.ReadRequest{Address: "elided.interrupted", TypeName: "elided", State: state, Private: []byte("plan"), InterruptedOperation: "op-1"})
	reads, err := c.Read(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reads {
		if r.Diagnostics.HasErrors() {
			t.Fatalf("%s: %v", reqs[i].Address, r.Diagnostics)
		}
		elidedSame := i < 2
		if r.Unchanged != elidedSame {
			t.Errorf("%s (private %q): unchanged %v, want %v", reqs[i].Address, reqs[i].Private, r.Unchanged, elidedSame)
		}
		wantNote := "read in full"
		if elidedSame {
			wantNote = "recorded"
		}
		if got := sdk.GetString(r.NewState, "note"); got != wantNote {
			t.Errorf("%s: note %q, want %q", reqs[i].Address, got, wantNote)
		}
		if string(r.Private) != string(reqs[i].Private) {
			t.Errorf("%s: private %q, want it kept", reqs[i].Address, r.Private)
		}
	}

	plan := func(addr, name string, prior cty.Value, private string) sdk.PlanResponse {
		t.Helper()
		cfg := obj(map[string]cty.Value{"name": cty.StringVal(name)})
		resps, err := c.Plan(ctx, []sdk.PlanRequest{{Address: addr, TypeName: "elided", Config: cfg, PriorState: prior, PriorPrivate: []byte(private), PriorFromRefresh: true}})
		if err != nil {
			t.Fatal(err)
		}
		if resps[0].Diagnostics.HasErrors() {
			t.Fatalf("%s: %v", addr, resps[0].Diagnostics)
		}
		return resps[0]
	}
	// Found unchanged from private state alone: the prior state stands.
	p := plan("elided.e[0]", "a", reads[0].NewState, "plan")
	if !p.Unchanged || !p.PlannedState.RawEquals(state) || string(p.PlannedPrivate) != "plan" {
		t.Errorf("elided plan: unchanged %v, planned %#v, private %q", p.Unchanged, p.PlannedState, p.PlannedPrivate)
	}
	// The elided read found it unchanged, but its plan cannot tell: the
	// host sends the prior state, and it is planned in full.
	p = plan("elided.e[1]", "a", reads[1].NewState, "read")
	if p.Unchanged || sdk.GetString(p.PlannedState, "note") != "planned in full" || sdk.GetString(p.PlannedState, "id") != "id-a" {
		t.Errorf("plan the elided plan could not tell: unchanged %v, planned %#v", p.Unchanged, p.PlannedState)
	}
	// A plan that changes something is planned in full, from the prior
	// state sent again.
	reads2, err := c.Read(ctx, reqs[:1])
	if err != nil || !reads2[0].Unchanged {
		t.Fatalf("second elided read: %v %+v", err, reads2)
	}
	p = plan("elided.e[0]", "b", reads2[0].NewState, "plan")
	if p.Unchanged || sdk.GetString(p.PlannedState, "name") != "b" || sdk.GetString(p.PlannedState, "note") != "planned in full" {
		t.Errorf("changed plan: unchanged %v, planned %#v", p.Unchanged, p.PlannedState)
	}
	// A panic in the elided read, or an answer for fewer instances, has
	// the whole batch read in full.
	for _, fault := range []string{"panic", "short"} {
		faulty, err := c.Read(ctx, []sdk.ReadRequest{reqs[0], {Address: "elided.p", TypeName: "elided", State: state, Private: []byte(fault)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range faulty {
			if r.Unchanged || r.Diagnostics.HasErrors() || sdk.GetString(r.NewState, "note") != "read in full" {
				t.Errorf("read after %q: unchanged %v, %v, state %#v", fault, r.Unchanged, r.Diagnostics, r.NewState)
			}
		}
	}
	// A type that does not elide is sent its state as before.
	batch, err := c.Read(ctx, []sdk.ReadRequest{{Address: "batch.a", TypeName: "batch", State: state, Private: []byte("plan")}})
	if err != nil || batch[0].Unchanged || sdk.GetString(batch[0].NewState, "note") != "read batch of 1" {
		t.Errorf("batch read: %v %+v", err, batch)
	}
}

// TestElidedPlanWithoutRefresh: in a plan with the refresh off, an
// instance of a type with elided state goes without its prior state as
// recorded; the provider plans it from configuration and private state
// alone when nothing changed, and otherwise the host sends the prior
// state and it is planned in full. A type without elided state, an
// instance without private state and one whose prior is not as recorded
// are sent whole.
func TestElidedPlanWithoutRefresh(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	recorded := obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("recorded")})
	req := func(addr, typ, name, private string, asRecorded bool) sdk.PlanRequest {
		return sdk.PlanRequest{
			Address: addr, TypeName: typ, Config: obj(map[string]cty.Value{"name": cty.StringVal(name)}),
			PriorState: recorded, PriorPrivate: []byte(private), PriorAsRecorded: asRecorded,
		}
	}
	reqs := []sdk.PlanRequest{
		req("elided.same", "elided", "a", "plan", true),
		req("elided.cannot_tell", "elided", "a", "read", true),
		req("elided.changed", "elided", "b", "plan", true),
		req("elided.no_private", "elided", "a", "", true),
		req("elided.refreshed", "elided", "a", "plan", false),
		req("batch.a", "batch", "a", "plan", true),
	}
	resps, err := c.Plan(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		unchanged bool
		note      string
	}{
		// Planned by PlanElided: the recorded state stands, untouched.
		"elided.same": {true, "recorded"},
		// PlanElided cannot tell, or the configuration changed: planned
		// in full from the prior state sent again.
		"elided.cannot_tell": {false, "planned in full"},
		"elided.changed":     {false, "planned in full"},
		// Sent whole from the start.
		"elided.no_private": {false, "planned in full"},
		"elided.refreshed":  {false, "planned in full"},
		"batch.a":           {false, "batch of 1"},
	}
	for i, r := range resps {
		addr := reqs[i].Address
		if r.Diagnostics.HasErrors() {
			t.Fatalf("%s: %v", addr, r.Diagnostics)
		}
		w := want[addr]
		if r.Unchanged != w.unchanged || sdk.GetString(r.PlannedState, "note") != w.note {
			t.Errorf("%s: unchanged %v, note %q; want %v, %q", addr, r.Unchanged, sdk.GetString(r.PlannedState, "note"), w.unchanged, w.note)
		}
		if sdk.GetString(r.PlannedState, "id") != "id-a" {
			t.Errorf("%s: planned %#v lost the prior state's id", addr, r.PlannedState)
		}
		if w.unchanged && (!r.PlannedState.RawEquals(recorded) || string(r.PlannedPrivate) != "plan") {
			t.Errorf("%s: planned %#v, private %q; want the recorded ones", addr, r.PlannedState, r.PlannedPrivate)
		}
	}
}

// TestStatus: a type with StatusBatch is asked about all its instances of
// a call at once, a type with Status about each; a type with neither is
// Unknown, and a panic is an error of the instances it was asked about,
// not of the others.
func TestStatus(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	state := func(name string) cty.Value {
		return obj(map[string]cty.Value{"name": cty.StringVal(name), "id": cty.StringVal("id-" + name)})
	}
	reqs := []sdk.StatusRequest{
		{Address: "batch.a", TypeName: "batch", State: state("a")},
		{Address: "probe.p", TypeName: "probe", State: state("p")},
		{Address: "batch.b", TypeName: "batch", State: state("b")},
		{Address: "echo.e", TypeName: "echo", State: state("e")},
		{Address: "panic.x", TypeName: "panic", State: state("x")},
		{Address: "elided.c", TypeName: "elided", State: state("c")},
	}
	resps, err := c.Status(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ health, message, diag string }{
		{sdk.Progressing, "a in a batch of 2", ""},
		{sdk.Healthy, "status of p", ""},
		{sdk.Progressing, "b in a batch of 2", ""},
		{sdk.Unknown, "", ""},
		{sdk.Unknown, "", "status exploded"},
		{sdk.Progressing, "c in a batch of 1", ""},
	}
	for i, r := range resps {
		w := want[i]
		if r.Health != w.health || r.Message != w.message {
			t.Errorf("%s: %s %q, want %s %q", reqs[i].Address, r.Health, r.Message, w.health, w.message)
		}
		if got := fmt.Sprint(r.Diagnostics); w.diag == "" && r.Diagnostics.HasErrors() || w.diag != "" && !strings.Contains(got, w.diag) {
			t.Errorf("%s: diagnostics %s, want %q", reqs[i].Address, got, w.diag)
		}
	}
	if o := resps[0].Objects; len(o) != 1 || o[0].ID != "v1 ConfigMap ns/a" || o[0].Health != sdk.Progressing || o[0].Message != "waiting" {
		t.Errorf("batch.a objects %+v", o)
	}

	// A panic in StatusBatch fails the instances of its batch only.
	resps, err = c.Status(t.Context(), []sdk.StatusRequest{
		{Address: "batch.a", TypeName: "batch", State: state("a")},
		{Address: "batch.panic", TypeName: "batch", State: state("panic")},
		{Address: "probe.p", TypeName: "probe", State: state("p")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range resps[:2] {
		if !strings.Contains(fmt.Sprint(r.Diagnostics), "status exploded") {
			t.Errorf("batch item %d after a panic: %s %q, diagnostics %v", i, r.Health, r.Message, r.Diagnostics)
		}
	}
	if resps[2].Diagnostics.HasErrors() || resps[2].Message != "status of p" {
		t.Errorf("probe.p beside a panicking batch: %+v", resps[2])
	}
}
