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
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// marker is a resource whose refresh leaves a trace: it creates the file
// at path and adds a line to path.reads.
type marker struct{}

func (marker) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"path":  {Type: cty.String, Required: true},
		"after": {Type: cty.String, Optional: true},
	}}
}

func (marker) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
}

func (marker) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	path := sdk.GetString(req.State, "path")
	f, err := os.OpenFile(path+".reads", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		f.WriteString(req.Address + "\n")
		err = f.Close()
	}
	if err == nil {
		err = os.WriteFile(path, nil, 0o644)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot leave the marker", err.Error())
	}
	resp.NewState = req.State
}

// gate is a source whose read waits, up to gateWait, for the file
// wait_for (when set), and writes to the file result whether it came.
type gate struct{}

const gateWait = 20 * time.Second

func (gate) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"wait_for": {Type: cty.String, Optional: true},
		"result":   {Type: cty.String, Required: true},
		"seen":     {Type: cty.Bool, Computed: true},
	}}
}

func (gate) Read(_ context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	seen := false
	if path := sdk.GetString(req.Config, "wait_for"); path != "" {
		for end := time.Now().Add(gateWait); !seen && time.Now().Before(end); {
			if _, err := os.Stat(path); err == nil {
				seen = true
			} else {
				time.Sleep(10 * time.Millisecond)
			}
		}
		os.WriteFile(sdk.GetString(req.Config, "result"), []byte(map[bool]string{true: "seen", false: "not seen"}[seen]), 0o644)
	}
	resp.State = sdk.With(req.Config, "seen", cty.BoolVal(seen))
}

// TestRefreshBeginsWhenItsProviderIsConfigured: an instance in state is
// refreshed once its provider is configured, not once the walk reaches
// its block. The block here depends on a source whose read waits for the
// trace of that refresh: a refresh made when the block's node runs would
// come only after the read gave up. Each instance is read once, and one
// that -target leaves out is not read.
func TestRefreshBeginsWhenItsProviderIsConfigured(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "wait" { default = false }
source "kit_gate" "g" {
  wait_for = var.wait ? "${path.module}/marker" : ""
  result   = "${path.module}/result"
}
resource "kit_marker" "m" {
  path  = "${path.module}/marker"
  after = source.kit_gate.g.result
}
resource "kit_thing" "other" {
  name = "other"
}
`)
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	marker := filepath.Join(f.dir, "marker")
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the first apply refreshed the marker, which did not exist yet")
	}

	plan := func(opts PlanOpts, wait string) {
		t.Helper()
		c := f.context(map[string]string{"wait": wait})
		if _, diags := c.Plan(context.Background(), opts); diags.HasErrors() {
			t.Fatalf("plan: %s", diags.Error())
		}
	}
	other := addrs.ResourceInstance{Resource: addrs.Resource{Kind: addrs.Managed, Type: "kit_thing", Name: "other"}}
	plan(PlanOpts{Refresh: true, Targets: []addrs.ResourceInstance{other}}, "false")
	if b, err := os.ReadFile(marker + ".reads"); err == nil {
		t.Fatalf("a plan that -target leaves the marker out of read it: %q", b)
	}

	start := time.Now()
	plan(PlanOpts{Refresh: true}, "true")
	if got := fileText(t, f.dir, "result"); got != "seen" {
		t.Fatalf("the source's read ended with the marker %s after %s: the marker's refresh began only when its block was reached", got, time.Since(start).Round(time.Millisecond))
	}
	if got := strings.Split(strings.TrimSpace(fileText(t, f.dir, "marker.reads")), "\n"); len(got) != 1 || got[0] != "kit_marker.m" {
		t.Errorf("refreshes = %q, want one of kit_marker.m", got)
	}

	os.Remove(marker)
	os.Remove(marker + ".reads")
	plan(PlanOpts{Refresh: false}, "false")
	if _, err := os.Stat(marker + ".reads"); err == nil {
		t.Error("a plan with -refresh=false refreshed the marker")
	}
}

// fileText is the text of file name in dir.
func fileText(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAppsRefreshWhenTheirProviderIsConfigured: an app, planned as the
// resource it is lowered to, is refreshed early too (kind.EngineRefreshed).
// The app depends on a source whose read waits for the mark its refresh
// leaves in its directory.
func TestAppsRefreshWhenTheirProviderIsConfigured(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "cache" { type = string }
variable "wait" { default = false }
source "kit" "gitops" {
  revision  = "r1"
  cache_dir = var.cache
}
source "kit_gate" "g" {
  wait_for = var.wait ? "${var.cache}/r1/refreshed" : ""
  result   = "${path.module}/result"
}
app "web" {
  source { repo = source.kit.gitops }
  destination {
    namespace = source.kit_gate.g.seen ? "web" : "web"
    provider  = kit
  }
}
`)
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "r1"), 0o755); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"cache": cache, "wait": "false"}
	c := f.context(vars)
	p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	a := c.NewApplier()
	if diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) }); diags.HasErrors() {
		t.Fatalf("apply: %s", diags.Error())
	}
	f.st = a.Snapshot()
	os.Remove(filepath.Join(cache, "r1", "refreshed"))

	vars["wait"] = "true"
	start := time.Now()
	if _, diags := f.context(vars).Plan(context.Background(), PlanOpts{Refresh: true}); diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	if got := fileText(t, f.dir, "result"); got != "seen" {
		t.Fatalf("the source's read ended with the app's mark %s after %s: the app's refresh began only when its block was reached", got, time.Since(start).Round(time.Millisecond))
	}
}
