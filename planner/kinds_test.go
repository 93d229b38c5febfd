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
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

// toyKind is a block kind written only in this test, to show that a new
// kind needs a type implementing kind.Kind and one registration line,
// and no change to the engine. It takes over rollout blocks: each plans
// one run, and its value is a greeting that resources can read.
type toyKind struct{}

func (toyKind) Kind() addrs.Kind                                { return addrs.Rollout }
func (toyKind) Providers(*lang.Resource) []addrs.Provider       { return nil }
func (toyKind) Writes(*lang.Resource) []addrs.Resource          { return nil }
func (toyKind) Check(kind.Host, *lang.Resource) hcl.Diagnostics { return nil }
func (toyKind) Validate(context.Context, kind.ValidateHost, *lang.Resource) hcl.Diagnostics {
	return nil
}

func (toyKind) Plan(_ context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := h.Expand(rc)
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		v := cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hello from " + in.Addr.String())})
		h.AddChange(&plans.ResourceChange{Addr: in.Addr, Type: "toy", Action: plans.Run, Before: cty.NullVal(v.Type()), After: v})
		vals[i] = v
	}
	h.SetValues(rc, insts, vals)
	return diags
}

func (toyKind) Apply(_ context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := h.Expand(rc)
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		vals[i] = h.Change(in.Addr).After
	}
	h.SetValues(rc, insts, vals)
	return diags
}

func TestToyKindNeedsNoEngineChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
rollout "hi" {}
resource "file" "greeting" {
  path    = "${path.module}/greeting.txt"
  content = rollout.hi.greeting
}
`)
	c := f.context(nil)
	c.Kinds = append(append([]kind.Kind(nil), DefaultKinds...), toyKind{}) // the one registration line
	p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	want := map[string]string{"rollout.hi": "run", "file.greeting": "create"}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	got := p.Change(mustAddr(t, "file.greeting")).After.GetAttr("content")
	if !got.IsKnown() || got.AsString() != "hello from rollout.hi" {
		t.Errorf("file.greeting content = %#v, want the toy kind's value", got)
	}
	// The engine orders the resource after the block it reads.
	deps, _ := Dependencies(f.cfg)
	if diff := cmp.Diff([]string{"provider.file", "rollout.hi"}, deps["file.greeting"]); diff != "" {
		t.Errorf("file.greeting depends on (-want +got):\n%s", diff)
	}
}
