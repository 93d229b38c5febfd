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
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/planfile"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// checkout is a source that resolves a revision to a directory of its
// cache, as the git source checks a commit out: the directory (and the
// cache it lies in) only make sense on the machine that read it.
type checkout struct{}

var checkoutSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
	"revision":  {Type: cty.String, Required: true},
	"cache_dir": {Type: cty.String, Required: true, Local: true},
	"dir":       {Type: cty.String, Computed: true, Local: true},
}}

func (checkout) Schema() sdk.Schema { return checkoutSchema }

func (checkout) Read(_ context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	dir := filepath.Join(sdk.GetString(req.Config, "cache_dir"), sdk.GetString(req.Config, "revision"))
	resp.State = sdk.With(req.Config, "dir", cty.StringVal(dir))
}

// synced syncs the file manifest.txt of a local directory, as an app
// syncs its manifests: what it holds (content) is the change; where it
// was read from (dir) is Local.
type synced struct{}

func (synced) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"dir":     {Type: cty.String, Required: true, Local: true},
		"content": {Type: cty.String, Computed: true},
	}}
}

func (synced) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	if resp.PlannedState.IsNull() || !sdk.IsKnown(req.Config, "dir") {
		return
	}
	b, err := os.ReadFile(filepath.Join(sdk.GetString(req.Config, "dir"), "manifest.txt"))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the manifest", err.Error())
		return
	}
	resp.PlannedState = sdk.With(resp.PlannedState, "content", cty.StringVal(string(b)))
}

// Apply reads the manifest again from the directory of this run's
// configuration: one that only exists on another machine fails.
func (synced) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
	if req.PlannedState.IsNull() {
		return
	}
	dir := sdk.GetString(req.Config, "dir")
	if planned := sdk.GetString(req.PlannedState, "dir"); planned != dir {
		resp.Diagnostics.AddError("Wrong directory", "planned "+planned+", applying "+dir)
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.txt"))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the manifest", err.Error())
		return
	}
	resp.NewState = sdk.With(req.PlannedState, "content", cty.StringVal(string(b)))
}

func (synced) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

// TestLocalAttributes plans on machine B what was applied on machine A:
// the cache paths differ, nothing else does, so nothing changes; B's
// paths are what B's apply uses, and no view shows either.
func TestLocalAttributes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "cache" { type = string }
source "kit" "repo" {
  revision  = "r1"
  cache_dir = var.cache
}
resource "kit_synced" "app" {
  dir = source.kit.repo.dir
}
`)
	machineA, machineB := t.TempDir(), t.TempDir()
	put := func(cache, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(cache, "r1"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cache, "r1", "manifest.txt"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(cache string) *plans.Plan {
		t.Helper()
		p, diags := f.context(map[string]string{"cache": cache}).Plan(context.Background(), PlanOpts{Refresh: true})
		if diags.HasErrors() {
			t.Fatalf("plan with the cache in %s: %s", cache, diags.Error())
		}
		return p
	}
	views := func(p *plans.Plan) string {
		var b bytes.Buffer
		render.Human(&b, p, render.Options{})
		render.Markdown(&b, p)
		return b.String()
	}
	dirOf := func(v cty.Value) string { return sdk.GetString(v, "dir") }

	put(machineA, "v1")
	f.apply(t, plan(machineA))

	// Machine A is gone; B has a fresh cache of the same revision.
	if err := os.RemoveAll(machineA); err != nil {
		t.Fatal(err)
	}
	put(machineB, "v1")
	p := plan(machineB)
	if p.HasChanges() {
		t.Fatalf("plan on machine B has changes: %v", actions(p))
	}
	wantB := filepath.Join(machineB, "r1")
	for _, addr := range []string{"source.kit.repo", "kit_synced.app"} {
		ch := p.Change(mustAddr(t, addr))
		if ch.Action != plans.NoOp {
			t.Errorf("%s: action %s, want no-op (only Local attributes differ)", addr, ch.Action)
		}
		if got := dirOf(ch.After); got != wantB {
			t.Errorf("%s: planned dir %q, want this machine's %q", addr, got, wantB)
		}
		if !slices.Contains(ch.Local, "dir") {
			t.Errorf("%s: Local = %v, want dir in it", addr, ch.Local)
		}
	}
	if out := views(p); strings.Contains(out, machineA) || strings.Contains(out, machineB) {
		t.Errorf("the views show a machine's path:\n%s", out)
	}
	// The JSON plan keeps the values, and says which are Local.
	doc, err := render.JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				After           map[string]any `json:"after"`
				LocalAttributes []string       `json:"local_attributes"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	for _, rc := range parsed.ResourceChanges {
		if !slices.Contains(rc.Change.LocalAttributes, "dir") || rc.Change.After["dir"] != wantB {
			t.Errorf("JSON plan, %s: after.dir %v, local_attributes %v; want this machine's dir, marked local", rc.Address, rc.Change.After["dir"], rc.Change.LocalAttributes)
		}
	}
	if len(parsed.ResourceChanges) != 2 {
		t.Errorf("the JSON plan has %d resource changes, want 2:\n%s", len(parsed.ResourceChanges), doc)
	}
	// State keeps what the last apply recorded: a difference in Local
	// values alone is no reason to write it.
	if got := dirOf(f.st.Resources["kit_synced.app"].Value); got != filepath.Join(machineA, "r1") {
		t.Errorf("state dir = %q, want machine A's until an apply changes something", got)
	}

	// A real change on B: exactly the content changes, and the apply reads
	// B's directory (A's no longer exists).
	put(machineB, "v2")
	p = plan(machineB)
	if got := actions(p); len(got) != 1 || got["kit_synced.app"] != "update" {
		t.Fatalf("after changing the manifest: %v, want only kit_synced.app updated", got)
	}
	out := views(p)
	if strings.Contains(out, machineA) || strings.Contains(out, machineB) || !strings.Contains(out, `"v1" -> "v2"`) {
		t.Errorf("the views should show the content change and no path:\n%s", out)
	}
	f.apply(t, p)
	if got := f.st.Resources["kit_synced.app"].Value; dirOf(got) != wantB || sdk.GetString(got, "content") != "v2" {
		t.Errorf("state after apply on B = %#v, want B's dir and content v2", got)
	}

	// A saved plan made on B and applied on B.
	put(machineB, "v3")
	path := filepath.Join(t.TempDir(), "plan.bin")
	if err := planfile.Write(path, plan(machineB)); err != nil {
		t.Fatal(err)
	}
	saved, err := planfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if ch := saved.Change(mustAddr(t, "kit_synced.app")); !slices.Equal(ch.Local, []string{"dir"}) {
		t.Errorf("saved plan: Local = %v, want [dir]", ch.Local)
	}
	f.apply(t, saved)
	if got := sdk.GetString(f.st.Resources["kit_synced.app"].Value, "content"); got != "v3" {
		t.Errorf("content after the saved plan = %q, want v3", got)
	}
	if p := plan(machineB); p.HasChanges() {
		t.Errorf("plan after the saved plan has changes: %v", actions(p))
	}
}

func TestSameButLocal(t *testing.T) {
	t.Parallel()
	s := checkoutSchema
	obj := func(rev, cache, dir string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"revision": cty.StringVal(rev), "cache_dir": cty.StringVal(cache), "dir": cty.StringVal(dir)})
	}
	tests := map[string]struct {
		a, b cty.Value
		want bool
	}{
		"equal":              {obj("r1", "/a", "/a/r1"), obj("r1", "/a", "/a/r1"), true},
		"only local differs": {obj("r1", "/a", "/a/r1"), obj("r1", "/b", "/b/r1"), true},
		"revision differs":   {obj("r1", "/a", "/a/r1"), obj("r2", "/a", "/a/r2"), false},
		"new":                {cty.NullVal(s.ImpliedType()), obj("r1", "/a", "/a/r1"), false},
		"local unknown":      {obj("r1", "/a", "/a/r1"), sdk.With(obj("r1", "/a", "/a/r1"), "dir", cty.UnknownVal(cty.String)), true},
		"other unknown":      {obj("r1", "/a", "/a/r1"), sdk.With(obj("r1", "/a", "/a/r1"), "revision", cty.UnknownVal(cty.String)), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := sameButLocal(s, tt.a, tt.b); got != tt.want {
				t.Errorf("sameButLocal = %v, want %v", got, tt.want)
			}
		})
	}
}
