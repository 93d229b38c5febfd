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

package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// hook is kit's resource with nested blocks, a nested attribute,
// validators, plan modifiers and defaults, written with Decode and Set.
type hook struct{}

type hookTarget struct {
	URL    string  `slipway:"url"`
	Secret *string `slipway:"secret"`
	Status *string `slipway:"status"`
}

type hookState struct {
	Name     string       `slipway:"name"`
	Port     *int         `slipway:"port"`
	Kind     string       `slipway:"kind"`
	Token    *string      `slipway:"token"`
	ID       string       `slipway:"id"`
	Revision int          `slipway:"revision"`
	Target   []hookTarget `slipway:"target"`
	Env      map[string]struct {
		V string `slipway:"value"`
	} `slipway:"env"`
	Limits *struct {
		Rate *int `slipway:"rate"`
	} `slipway:"limits"`
}

var hookSchema = sdk.Schema{
	Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true,
			Validators:    []sdk.Validator{sdk.StringLength(1, 10)},
			PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("the server cannot rename a hook")}},
		"port":     {Type: cty.Number, Optional: true, Validators: []sdk.Validator{sdk.Between(1, 65535)}},
		"kind":     {Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal("push"), Validators: []sdk.Validator{sdk.OneOf("push", "tag")}},
		"token":    {Type: cty.String, Optional: true, Sensitive: true},
		"id":       {Type: cty.String, Computed: true, PlanModifiers: []sdk.PlanModifier{sdk.UseStateForUnknown()}},
		"revision": {Type: cty.Number, Computed: true},
		"limits": {Optional: true, Nested: &sdk.NestedObject{Nesting: sdk.NestingSingle, Attributes: map[string]sdk.Attribute{
			"rate": {Type: cty.Number, Optional: true, Validators: []sdk.Validator{sdk.Between(1, 100)}},
		}}},
	},
	Blocks: map[string]sdk.Block{
		"target": {Nesting: sdk.NestingList, MinItems: 1, Attributes: map[string]sdk.Attribute{
			"url":    {Type: cty.String, Required: true},
			"secret": {Type: cty.String, Optional: true, Sensitive: true},
			"status": {Type: cty.String, Computed: true},
		}},
		"env": {Nesting: sdk.NestingMap, Attributes: map[string]sdk.Attribute{
			"value": {Type: cty.String, Required: true},
		}},
	},
}

func (hook) Schema() sdk.Schema { return hookSchema }

// Plan marks the revision and id unknown on every update, as a plan that
// cannot tell what the server will bump; UseStateForUnknown keeps id.
func (hook) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	if req.PriorState.IsNull() || resp.PlannedState.RawEquals(req.PriorState) {
		return
	}
	resp.PlannedState = sdk.With(sdk.With(resp.PlannedState, "revision", cty.UnknownVal(cty.Number)), "id", cty.UnknownVal(cty.String))
}

func (hook) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	var st hookState
	var prior struct {
		Revision *int `slipway:"revision"`
	}
	resp.Diagnostics = append(sdk.Decode(req.Config, &st), sdk.Decode(req.PriorState, &prior)...)
	if resp.Diagnostics.HasErrors() {
		return
	}
	st.Kind = sdk.GetString(req.PlannedState, "kind")
	st.ID = "hook-" + st.Name
	if prior.Revision != nil {
		st.Revision = *prior.Revision
	}
	st.Revision++
	ok := "ok"
	for i := range st.Target {
		st.Target[i].Status = &ok
	}
	resp.Set(st)
}

func (hook) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {}

func TestNestedBlocksEndToEnd(t *testing.T) {
	t.Parallel()
	src := `
resource "kit_hook" "ci" {
  name  = "ci"
  token = "tok-%s"
  limits = { rate = 5 }
  target {
    url = "http://a.example"
  }
  target {
    url    = "http://b.example"
    secret = "shh-%s"
  }
  env "prod" {
    value = "1"
  }
}
`
	f := newFixture(t, fmt.Sprintf(src, "one", "one"))
	p := f.plan(t, PlanOpts{Refresh: true})
	if got := actions(p); got["kit_hook.ci"] != "create" {
		t.Fatalf("actions = %v, want kit_hook.ci created", got)
	}
	var b strings.Builder
	render.Human(&b, p, render.Options{})
	out := b.String()
	for _, want := range []string{
		`kind     = "push"`, // the default, shown as the value
		"target   = [", `url    = "http://b.example"`, "secret = (sensitive value)",
		`"prod" = {`, "rate = 5",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan does not show %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"tok-one", "shh-one"} {
		if strings.Contains(out, secret) {
			t.Errorf("plan shows the sensitive %q:\n%s", secret, out)
		}
	}

	f.apply(t, p)
	ri := f.st.Resources["kit_hook.ci"]
	if ri == nil {
		t.Fatal("kit_hook.ci not in state")
	}
	if got := ri.Value.GetAttr("target").Index(cty.NumberIntVal(1)).GetAttr("status"); !got.RawEquals(cty.StringVal("ok")) {
		t.Errorf("state target[1].status = %#v, want the provider's", got)
	}
	if got := ri.Value.GetAttr("env").Index(cty.StringVal("prod")).GetAttr("value"); !got.RawEquals(cty.StringVal("1")) {
		t.Errorf("state env[prod].value = %#v", got)
	}
	if !containsPath(ri.Sensitive, cty.GetAttrPath("target").IndexInt(1).GetAttr("secret")) {
		t.Errorf("state marks %#v sensitive, want target[1].secret among them", ri.Sensitive)
	}

	// Nothing changed: the plan is empty.
	if got := actions(f.plan(t, PlanOpts{Refresh: true})); len(got) != 0 {
		t.Errorf("re-plan actions = %v, want none", got)
	}

	// An update: id keeps its value (UseStateForUnknown), revision does not.
	writeConfig(t, f, fmt.Sprintf(src, "two", "one"))
	p = f.plan(t, PlanOpts{Refresh: true})
	ch := changeOf(t, p, "kit_hook.ci")
	if ch.Action != plans.Update {
		t.Fatalf("action %s, want update", ch.Action)
	}
	if got := ch.After.GetAttr("id"); !got.RawEquals(cty.StringVal("hook-ci")) {
		t.Errorf("planned id = %#v, want the prior value kept", got)
	}
	if ch.After.GetAttr("revision").IsKnown() {
		t.Errorf("planned revision is known, want (known after apply)")
	}

	// A rename replaces it, and the plan says why.
	writeConfig(t, f, strings.Replace(fmt.Sprintf(src, "one", "one"), `name  = "ci"`, `name  = "cd"`, 1))
	p = f.plan(t, PlanOpts{Refresh: true})
	b.Reset()
	render.Human(&b, p, render.Options{})
	if want := "# forces replacement: the server cannot rename a hook"; !strings.Contains(b.String(), want) {
		t.Errorf("replacement plan does not say %q:\n%s", want, b.String())
	}
}

func TestValidatorDiagnosticPointsAtAttribute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
resource "kit_hook" "ci" {
  name = "ci"
  target {
    url = "http://a.example"
  }
  limits = {
    rate = 500
  }
}
`)
	_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
	if !diags.HasErrors() {
		t.Fatal("plan succeeded, want the validator's error")
	}
	d := diags[0]
	if d.Summary != "Value out of range" || d.Subject == nil {
		t.Fatalf("diagnostic %q at %v, want the range validator's at an attribute", d.Summary, d.Subject)
	}
	if got := filepath.Base(d.Subject.Filename); got != "main.slip.hcl" || d.Subject.Start.Line != 8 || d.Subject.Start.Column != 5 {
		t.Errorf("diagnostic at %s:%d:%d, want main.slip.hcl:8:5 (rate = 500)", got, d.Subject.Start.Line, d.Subject.Start.Column)
	}

	// validate reports it at the same place.
	vd := f.context(nil).Validate(context.Background())
	if !vd.HasErrors() || vd[0].Subject == nil || vd[0].Subject.Start.Line != 8 {
		t.Errorf("validate: %v, want the error at line 8", vd)
	}
}

func writeConfig(t *testing.T, f *fixture, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
}

func changeOf(t *testing.T, p *plans.Plan, addr string) *plans.ResourceChange {
	t.Helper()
	for _, c := range p.Changes {
		if c.Addr.String() == addr {
			return c
		}
	}
	t.Fatalf("no change for %s", addr)
	return nil
}

func containsPath(paths []cty.Path, p cty.Path) bool {
	for _, q := range paths {
		if q.Equals(p) {
			return true
		}
	}
	return false
}
