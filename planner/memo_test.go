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
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

// recallKind takes over app blocks: each instance's value is its
// value attribute, evaluated, or recalled from an earlier plan
// (kind.Host.Recall). Its change says which, and whether the value is
// sensitive.
type recallKind struct{ toyKind }

func (recallKind) Kind() addrs.Kind { return addrs.App }

func (recallKind) Plan(_ context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := h.Expand(rc)
	for _, in := range insts {
		v, recalled, keep := h.Recall(rc, in, "value")
		if !recalled {
			ectx, d := h.EvalContext(rc, in)
			diags = append(diags, d...)
			attrs, d := rc.Config.JustAttributes()
			diags = append(diags, d...)
			val, d := attrs["value"].Expr.Value(ectx)
			diags = append(diags, d...)
			keep(val)
			v = val
		}
		val := v.(cty.Value)
		plain, marks := val.Unmark()
		after := cty.ObjectVal(map[string]cty.Value{
			"value": plain, "recalled": cty.BoolVal(recalled), "sensitive": cty.BoolVal(len(marks) > 0),
		})
		h.AddChange(&plans.ResourceChange{Addr: in.Addr, Type: "toy", Action: plans.Run, Before: cty.NullVal(after.Type()), After: after})
	}
	return diags
}

// TestRecallFindsOnlyWhatWasReadAlike plans with one memo, as slipway
// agent does, through changes of what the blocks read: an instance is
// recalled only when the text of its file, the values it refers to and
// its each.* are those of an earlier plan, never when it calls a
// function, and with its marks.
func TestRecallFindsOnlyWhatWasReadAlike(t *testing.T) {
	t.Parallel()
	const src = `
variable "greeting" { default = "hello" }
variable "secret" {
  default   = "s3"
  sensitive = true
}
locals {
  people = { a = "ann", b = %q }
}
app "hi" {
  for_each = local.people
  value    = "${var.greeting} ${each.value}"
}
app "fn" {
  value = upper(var.greeting)
}
app "secret" {
  value = var.secret
}
`
	f := newFixture(t, fmt.Sprintf(src, "bob"))
	memo := NewEvalMemo()
	plan := func(vars map[string]string, m *EvalMemo) map[string]string {
		t.Helper()
		c := f.context(vars)
		c.Kinds = []kind.Kind{recallKind{}}
		for _, k := range DefaultKinds {
			if k.Kind() != addrs.App {
				c.Kinds = append(c.Kinds, k)
			}
		}
		c.Memo = m
		p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
		if diags.HasErrors() {
			t.Fatalf("plan: %s", diags.Error())
		}
		out := map[string]string{}
		for _, ch := range p.Changes {
			if ch.Type != "toy" {
				continue
			}
			a := ch.After
			how := "evaluated"
			if a.GetAttr("recalled").True() {
				how = "recalled"
			}
			if a.GetAttr("sensitive").True() {
				how += ", sensitive"
			}
			out[ch.Addr.String()] = a.GetAttr("value").AsString() + " (" + how + ")"
		}
		return out
	}
	step := func(name string, vars map[string]string, m *EvalMemo, want map[string]string) {
		t.Helper()
		if diff := cmp.Diff(want, plan(vars, m)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}

	step("the first plan", nil, memo, map[string]string{
		`app.hi["a"]`: "hello ann (evaluated)", `app.hi["b"]`: "hello bob (evaluated)",
		"app.fn": "HELLO (evaluated)", "app.secret": "s3 (evaluated, sensitive)",
	})
	step("the same again", nil, memo, map[string]string{
		`app.hi["a"]`: "hello ann (recalled)", `app.hi["b"]`: "hello bob (recalled)",
		"app.fn": "HELLO (evaluated)", "app.secret": "s3 (recalled, sensitive)",
	})
	step("another greeting", map[string]string{"greeting": "hey"}, memo, map[string]string{
		`app.hi["a"]`: "hey ann (evaluated)", `app.hi["b"]`: "hey bob (evaluated)",
		"app.fn": "HEY (evaluated)", "app.secret": "s3 (recalled, sensitive)",
	})
	step("that greeting again", map[string]string{"greeting": "hey"}, memo, map[string]string{
		`app.hi["a"]`: "hey ann (recalled)", `app.hi["b"]`: "hey bob (recalled)",
		"app.fn": "HEY (evaluated)", "app.secret": "s3 (recalled, sensitive)",
	})
	step("without a memo", nil, nil, map[string]string{
		`app.hi["a"]`: "hello ann (evaluated)", `app.hi["b"]`: "hello bob (evaluated)",
		"app.fn": "HELLO (evaluated)", "app.secret": "s3 (evaluated, sensitive)",
	})
	// The file's text changed: nothing of it is recalled.
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(fmt.Sprintf(src, "bea")), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
	step("an edited file", nil, memo, map[string]string{
		`app.hi["a"]`: "hello ann (evaluated)", `app.hi["b"]`: "hello bea (evaluated)",
		"app.fn": "HELLO (evaluated)", "app.secret": "s3 (evaluated, sensitive)",
	})
}

// TestEvalMemoKeepsTwoPlans: what the last two plans used is kept; what
// no plan asked for since the plan before is forgotten.
func TestEvalMemoKeepsTwoPlans(t *testing.T) {
	t.Parallel()
	m := NewEvalMemo()
	m.nextPlan()
	m.put("a", 1)
	m.put("b", 2)
	m.nextPlan()
	if v, ok := m.get("a"); !ok || v != 1 {
		t.Fatalf("a in the next plan: %v %v", v, ok)
	}
	m.nextPlan()
	if _, ok := m.get("b"); ok {
		t.Error("b, unused for a plan, is still kept")
	}
	if _, ok := m.get("a"); !ok {
		t.Error("a, used in the plan before, is forgotten")
	}
	if m.Len() != 1 {
		t.Errorf("Len %d, want 1", m.Len())
	}
}

// TestDigestValueTellsValuesApart: values digest alike only when they
// are equal, of the same type, with the same marks.
func TestDigestValueTellsValuesApart(t *testing.T) {
	t.Parallel()
	digest := func(v cty.Value) (string, bool) {
		h := sha256.New()
		ok := digestValue(h, v)
		return string(h.Sum(nil)), ok
	}
	values := map[string]cty.Value{
		"string 1":           cty.StringVal("1"),
		"number 1":           cty.NumberIntVal(1),
		"number 1.5":         cty.NumberFloatVal(1.5),
		"true":               cty.True,
		"null string":        cty.NullVal(cty.String),
		"null number":        cty.NullVal(cty.Number),
		"sensitive 1":        cty.StringVal("1").Mark(kind.SensitiveMark),
		"list":               cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"tuple":              cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"set":                cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"list b a":           cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}),
		"empty list string":  cty.ListValEmpty(cty.String),
		"empty list number":  cty.ListValEmpty(cty.Number),
		"object":             cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.StringVal("y")}),
		"map":                cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.StringVal("y")}),
		"object ab":          cty.ObjectVal(map[string]cty.Value{"ab": cty.StringVal("xy")}),
		"object, inner mark": cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x").Mark(kind.SensitiveMark), "b": cty.StringVal("y")}),
		"strings a, bc":      cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("bc")}),
		"strings ab, c":      cty.TupleVal([]cty.Value{cty.StringVal("ab"), cty.StringVal("c")}),
	}
	seen := map[string]string{}
	for name, v := range values {
		d, ok := digest(v)
		if !ok {
			t.Errorf("%s: not digested", name)
			continue
		}
		if other, dup := seen[d]; dup {
			t.Errorf("%s and %s digest alike", name, other)
		}
		seen[d] = name
	}
	// The same values, made again (a set in another order), digest alike.
	for name, pair := range map[string][2]cty.Value{
		"set": {cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})},
		"object": {cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.True}),
			cty.ObjectVal(map[string]cty.Value{"b": cty.True, "a": cty.NumberIntVal(1)})},
		"number": {cty.NumberIntVal(10), cty.NumberFloatVal(10)},
	} {
		a, _ := digest(pair[0])
		b, _ := digest(pair[1])
		if a != b {
			t.Errorf("%s: equal values digest differently", name)
		}
	}
	for name, v := range map[string]cty.Value{
		"unknown":        cty.UnknownVal(cty.String),
		"unknown inside": cty.ObjectVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String)}),
		"dynamic":        cty.DynamicVal,
	} {
		if _, ok := digest(v); ok {
			t.Errorf("%s: digested, as if it were known", name)
		}
	}
}
