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
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// These tests hold the SDK to what a provider's results make of the next
// plan: an instance applied from a configuration plans nothing from the
// same configuration, and a result that cannot stand is refused.

// rule is an element of the rules type's set block as configured: proto
// null unless given, status null.
func rule(port int64, host, proto string) cty.Value {
	str := func(s string) cty.Value {
		if s == "" {
			return cty.NullVal(cty.String)
		}
		return cty.StringVal(s)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"port": cty.NumberIntVal(port), "host": str(host), "proto": str(proto), "status": cty.NullVal(cty.String),
	})
}

func rulesConfig(value string, rules ...cty.Value) cty.Value {
	return testprovider.RulesSchema.Object(map[string]cty.Value{
		"name": cty.StringVal("r"), "value": cty.StringVal(value), "rule": cty.SetVal(rules),
	})
}

// TestSetBlockWithComputedAttributesPlansNothingAfterApply: a set
// block's configured elements leave their computed attributes null, and
// the applied ones have them set, so the two are not equal: each is
// paired with the prior element it may have become, as Terraform pairs
// them, and keeps its computed values. Before, no element found its
// prior one, every plan after apply planned the computed values unknown,
// and the attribute that requires replacement replaced the object at
// every plan.
func TestSetBlockWithComputedAttributesPlansNothingAfterApply(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	config := rulesConfig("v1", rule(80, "", ""), rule(443, "a.example", "udp"), rule(8080, "b.example", ""))
	state := sdktest.PlanApply(t, c, "rules", config)
	for it := state.GetAttr("rule").ElementIterator(); it.Next(); {
		if _, r := it.Element(); !r.IsWhollyKnown() || r.GetAttr("status").IsNull() || r.GetAttr("proto").IsNull() {
			t.Fatalf("applied rule %#v, want status and proto set", r)
		}
	}

	p := sdktest.Plan(t, c, "rules", state, config)
	if len(p.RequiresReplace) > 0 {
		t.Errorf("plan after apply with the same configuration requires replacement of %#v", p.RequiresReplace)
	}
	if !p.Unchanged || !p.PlannedState.RawEquals(state) {
		t.Errorf("plan after apply with the same configuration:\n got %#v\nwant the state, unchanged", p.PlannedState)
	}

	// An update of another attribute keeps every rule's computed values.
	p = sdktest.Plan(t, c, "rules", state, sdk.With(config, "value", cty.StringVal("v2")))
	if len(p.RequiresReplace) > 0 || !p.PlannedState.GetAttr("rule").RawEquals(state.GetAttr("rule")) {
		t.Errorf("update of value: replace %#v, rules planned\n %#v\nwant no replacement and the rules as applied %#v", p.RequiresReplace, p.PlannedState.GetAttr("rule"), state.GetAttr("rule"))
	}

	// A rule of another port or host, or one more rule, is a rule the
	// object did not have: its port (and the host it sets) is new,
	// which replaces the object.
	for name, tt := range map[string]struct {
		config cty.Value
		want   []string
	}{
		"port":  {rulesConfig("v1", rule(81, "", ""), rule(443, "a.example", "udp"), rule(8080, "b.example", "")), []string{"port"}},
		"host":  {rulesConfig("v1", rule(80, "", ""), rule(443, "a.example", "udp"), rule(8080, "c.example", "")), []string{"host", "port"}},
		"added": {rulesConfig("v1", rule(80, "", ""), rule(443, "a.example", "udp"), rule(8080, "b.example", ""), rule(22, "", "")), []string{"port"}},
	} {
		p = sdktest.Plan(t, c, "rules", state, tt.config)
		var got []string
		for _, rp := range p.RequiresReplace {
			var step cty.GetAttrStep
			ok := len(rp) == 2 && rp[:1].Equals(cty.GetAttrPath("rule"))
			if ok {
				step, ok = rp[1].(cty.GetAttrStep)
			}
			if !ok {
				t.Errorf("%s: requires replacement of %#v, want an attribute of rule", name, rp)
				continue
			}
			got = append(got, step.Name)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: requires replacement of rule's %q, want %q", name, got, tt.want)
		}
	}
}

// TestProposedNewStatePairsSetElements: a configured element takes its
// computed values from the prior element it may have become; an
// optional and computed attribute the configuration sets is not taken
// from prior, and an element equal to a prior one pairs with it first.
func TestProposedNewStatePairsSetElements(t *testing.T) {
	t.Parallel()
	s := testprovider.RulesSchema
	applied := func(port int64, proto string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"port": cty.NumberIntVal(port), "host": cty.NullVal(cty.String), "proto": cty.StringVal(proto), "status": cty.StringVal("open"),
		})
	}
	prior := sdk.With(rulesConfig("v1", applied(80, "tcp"), applied(443, "udp")), "id", cty.StringVal("rules-r"))
	config := rulesConfig("v1", rule(80, "", ""), rule(443, "", "tcp"), rule(443, "", "udp"))
	got := sdk.ProposedNewState(s, prior, config).GetAttr("rule")
	want := cty.SetVal([]cty.Value{
		applied(80, "tcp"),
		applied(443, "udp"),
		rule(443, "", "tcp"),
	})
	if !got.RawEquals(want) {
		t.Errorf("proposed rules\n got %#v\nwant %#v", got, want)
	}

	// Without computed-only attributes, a configured element may equal
	// a prior one: it is that one's partner, and the element that
	// leaves kind to the provider is a new one (planned unknown), not
	// a second copy of it.
	labels := sdk.Schema{Attributes: map[string]sdk.Attribute{"id": {Type: cty.String, Computed: true}}, Blocks: map[string]sdk.Block{
		"label": {Nesting: sdk.NestingSet, Attributes: map[string]sdk.Attribute{
			"text": {Type: cty.String, Required: true},
			"kind": {Type: cty.String, Optional: true, Computed: true},
		}},
	}}
	label := func(kind cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"text": cty.StringVal("a"), "kind": kind})
	}
	obj := func(id cty.Value, ls ...cty.Value) cty.Value {
		return labels.Object(map[string]cty.Value{"id": id, "label": cty.SetVal(ls)})
	}
	prior = obj(cty.StringVal("x"), label(cty.StringVal("k")))
	config = obj(cty.NullVal(cty.String), label(cty.NullVal(cty.String)), label(cty.StringVal("k")))
	var resp sdk.PlanResponse
	sdk.DefaultPlan(labels, sdk.PlanRequest{Config: config, PriorState: prior}, &resp)
	want = obj(cty.StringVal("x"), label(cty.UnknownVal(cty.String)), label(cty.StringVal("k")))
	if !resp.PlannedState.RawEquals(want) || len(resp.RequiresReplace) > 0 {
		t.Errorf("planned labels\n got %#v\nwant %#v", resp.PlannedState, want)
	}
}

// TestNullNestedBlockInASingleBlockIsConformed: a state set from a
// struct whose nested list of blocks is a nil slice has the schema's
// type exactly, with that list null; the SDK makes it empty, as
// configuration decodes it, so the next plan changes nothing. Before, a
// value of the schema's type was conformed only when a top-level block
// was null, the null list was recorded, and every plan after planned an
// update to an empty one.
func TestNullNestedBlockInASingleBlockIsConformed(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	config := testprovider.NestedSchema.Object(map[string]cty.Value{
		"name": cty.StringVal("n"),
		"tls": cty.ObjectVal(map[string]cty.Value{
			"verify": cty.True,
			"ca":     cty.ListValEmpty(cty.Object(map[string]cty.Type{"pem": cty.String})),
		}),
	})
	state := sdktest.PlanApply(t, c, "nested", config)
	if ca := state.GetAttr("tls").GetAttr("ca"); ca.IsNull() || ca.LengthInt() != 0 {
		t.Errorf("tls.ca after apply = %#v, want an empty list", ca)
	}
	if p := sdktest.Plan(t, c, "nested", state, config); !p.Unchanged || len(p.RequiresReplace) > 0 {
		t.Errorf("plan after apply with the same configuration:\n got %#v\nwant the state, unchanged:\n     %#v", p.PlannedState, state)
	}
}

// TestUnknownValuesAfterReadOrImportAreRefused: a refresh or an import
// reads what exists, so a state with unknown values is a provider's bug,
// an error of its item: a refresh keeps the prior state (and private
// state), an import imports nothing. Before, both went to slipway as
// they were.
func TestUnknownValuesAfterReadOrImportAreRefused(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	prior := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal("unknown"), "id": cty.StringVal("id-a"), "note": cty.StringVal("n")})
	fine := sdk.With(prior, "value", cty.StringVal("v"))
	resps, err := c.Read(t.Context(), []sdk.ReadRequest{
		{Address: "careless.a", TypeName: "careless", State: prior, Private: []byte("prior")},
		{Address: "careless.b", TypeName: "careless", State: fine},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkInvalid(t, "read", resps[0].Diagnostics, "Provider produced an invalid refreshed state", "careless.a")
	if !resps[0].NewState.RawEquals(prior) || string(resps[0].Private) != "prior" {
		t.Errorf("read with unknown values: state %#v, private %q; want the prior ones", resps[0].NewState, resps[0].Private)
	}
	if len(resps[1].Diagnostics) > 0 || !resps[1].NewState.RawEquals(fine) {
		t.Errorf("the other item of the read: %v, %#v; want it read as it is", resps[1].Diagnostics, resps[1].NewState)
	}

	imp, err := c.Import(t.Context(), sdk.ImportRequest{Address: "careless.i", TypeName: "careless", ID: "unknown"})
	if err != nil {
		t.Fatal(err)
	}
	checkInvalid(t, "import", imp.Diagnostics, "Provider produced an invalid imported state", "careless.i")
	if !imp.State.IsNull() {
		t.Errorf("import with unknown values: state %#v, want null (nothing imported)", imp.State)
	}
	if imp, err = c.Import(t.Context(), sdk.ImportRequest{Address: "careless.j", TypeName: "careless", ID: "j"}); err != nil || imp.Diagnostics.HasErrors() || !imp.State.IsWhollyKnown() {
		t.Errorf("import of a known state: %v %v", imp.Diagnostics, err)
	}
}

func checkInvalid(t *testing.T, what string, diags sdk.Diagnostics, summary, addr string) {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != sdk.Error || diags[0].Summary != summary || !strings.Contains(diags[0].Detail, addr) {
		t.Errorf("%s with unknown values: diagnostics %#v, want one error %q naming %s", what, diags, summary, addr)
	}
}

// TestUpdateWithUnknownValuesRecordsTheResult: an update whose result
// holds unknown values made its change, so the prior state no longer
// describes the object: as Terraform does, its new state is the result
// with those values null, with an error, and the next plan shows what
// still differs from the configuration (an update, not a replacement:
// slipway taints failed creates only). Before, the prior state was kept,
// as if nothing had changed.
func TestUpdateWithUnknownValuesRecordsTheResult(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	prior := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal("v1"), "id": cty.StringVal("id-a"), "note": cty.StringVal("n1")})
	config := obj(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.StringVal("partial"), "note": cty.StringVal("n2")})
	plan := sdktest.Plan(t, c, "careless", prior, config)
	var resp *sdk.ApplyResponse
	err := c.Apply(t.Context(), []sdk.ApplyRequest{{
		Address: "careless.a", TypeName: "careless", Config: config, PriorState: prior, PlannedState: plan.PlannedState,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := resp.Diagnostics; len(d) != 1 || d[0].Summary != "Provider produced an invalid new state" || !strings.Contains(d[0].Detail, "recorded with those values null") {
		t.Errorf("diagnostics %#v, want the invalid new state, recorded", d)
	}
	want := sdk.With(plan.PlannedState, "note", cty.NullVal(cty.String))
	if !resp.NewState.RawEquals(want) {
		t.Fatalf("new state after an update with unknown values:\n got %#v\nwant %#v (the result, its unknown values null)", resp.NewState, want)
	}

	next := sdktest.Plan(t, c, "careless", resp.NewState, config)
	if next.Unchanged || len(next.RequiresReplace) > 0 {
		t.Errorf("next plan: unchanged %v, replace %#v; want an update", next.Unchanged, next.RequiresReplace)
	}
	if !next.PlannedState.RawEquals(plan.PlannedState) {
		t.Errorf("next plan\n got %#v\nwant %#v (note back to the configuration's)", next.PlannedState, plan.PlannedState)
	}
}
