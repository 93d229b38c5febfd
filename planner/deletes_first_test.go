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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// slowdel is a resource that stands for a file at path: its delete
// takes a while and removes the file; its create writes the file and
// records whether it was there already (present), as a create racing a
// delete of the same object would see it.
type slowdel struct{}

func (slowdel) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"path":    {Type: cty.String, Required: true},
		"present": {Type: cty.Bool, Computed: true},
	}}
}

func (slowdel) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		time.Sleep(300 * time.Millisecond)
		os.Remove(sdk.GetString(req.PriorState, "path"))
		resp.NewState = req.PlannedState
		return
	}
	path := sdk.GetString(req.PlannedState, "path")
	_, err := os.Stat(path)
	if werr := os.WriteFile(path, []byte("x"), 0o644); werr != nil {
		resp.Diagnostics.AddError("Cannot write", werr.Error())
		return
	}
	resp.NewState = sdk.With(req.PlannedState, "present", cty.BoolVal(err == nil))
}

func (slowdel) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

// TestDroppedInstancesAreDeletedFirst: count added to a block whose
// instance exists plans a delete of the old instance and a create of the
// new one, and both stand for the same object here. The delete is done
// before the create begins: run beside it, it deleted what the create had
// just made, and state recorded an object that no longer existed.
func TestDroppedInstancesAreDeletedFirst(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "obj")
	f := newFixture(t, `
resource "kit_slowdel" "a" {
  path = "`+out+`"
}
`)
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(`
resource "kit_slowdel" "a" {
  count = 1
  path  = "`+out+`"
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	ri := f.st.Resources[`kit_slowdel.a[0]`]
	if ri == nil {
		t.Fatalf("kit_slowdel.a[0] is not in state: %v", f.st.Resources)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the object the new instance made is gone (%v), though state records it", err)
	}
	if ri.Value.GetAttr("present").True() {
		t.Error("the create began while the old instance's object was still there: the delete ran beside it")
	}
}

// TestDestroyFollowsDependsOnAddedSince: a depends_on added to a block
// with no other change plans nothing, so state keeps the instance's old
// dependencies; the destroy still deletes the dependent first, from the
// configuration, as Terraform's does.
func TestDestroyFollowsDependsOnAddedSince(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := func(dependsOn string) string {
		return `
resource "kit_slowdel" "a" {
  path = "` + filepath.Join(dir, "a") + `"
}
resource "kit_slowdel" "b" {
  path = "` + filepath.Join(dir, "b") + `"
  ` + dependsOn + `
}
`
	}
	f := newFixture(t, src(""))
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(src("depends_on = [kit_slowdel.a]")), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
	if p := f.plan(t, PlanOpts{Refresh: true}); p.HasChanges() {
		t.Fatalf("adding depends_on alone plans changes: %v", actions(p))
	}
	p := f.plan(t, PlanOpts{Refresh: true, Mode: plans.DestroyMode})
	log := &eventLog{posted: make(chan string, 2)}
	c := f.context(nil)
	c.Hooks = log
	if diags := c.Apply(context.Background(), p, c.NewApplier(), func(done func(error)) { done(nil) }); diags.HasErrors() {
		t.Fatal(diagString(diags))
	}
	events := log.list()
	if i, j := slices.Index(events, "done kit_slowdel.b"), slices.Index(events, "start kit_slowdel.a"); i < 0 || j < 0 || i > j {
		t.Errorf("destroy events %v; want kit_slowdel.b deleted before kit_slowdel.a starts", events)
	}
}

// flaky is a thing whose create fails, making nothing, when its name
// starts with "fail-".
type flaky struct{ thing }

func (flaky) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if !req.PlannedState.IsNull() && strings.HasPrefix(sdk.GetString(req.PlannedState, "name"), "fail-") {
		resp.NewState = cty.NullVal(req.PlannedState.Type())
		resp.Diagnostics.AddError("Create failed", "the name is refused")
		return
	}
	thing{}.Apply(ctx, req, resp)
}

// TestCreateBeforeDestroyThatFailsKeepsTheOld: a create_before_destroy
// replacement whose create fails, having made nothing, leaves the old
// object in state, as Terraform does: it still exists, and nothing was
// asked to delete it. State dropped it, and the object was left to no
// one.
func TestCreateBeforeDestroyThatFailsKeepsTheOld(t *testing.T) {
	t.Parallel()
	src := func(name string) string {
		return `
resource "kit_flaky" "a" {
  name = "` + name + `"
  lifecycle { create_before_destroy = true }
}
`
	}
	f := newFixture(t, src("one"))
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(src("fail-two")), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
	p := f.plan(t, PlanOpts{Refresh: true})
	if got := actions(p)["kit_flaky.a"]; got != "replace" {
		t.Fatalf("plan: %v; want kit_flaky.a replaced", actions(p))
	}
	c := f.context(nil)
	c.Variables = p.Variables
	a := c.NewApplier()
	diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) })
	if !diags.HasErrors() {
		t.Fatal("the failing create did not fail the apply")
	}
	ri := a.Snapshot().Resources["kit_flaky.a"]
	if ri == nil {
		t.Fatal("the old object is gone from state though nothing deleted it")
	}
	if got := ri.Value.GetAttr("id"); !got.RawEquals(cty.StringVal("id-one")) {
		t.Errorf("state records %#v; want the old object, id-one", ri.Value)
	}
}
