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

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/examples/provider-file/file"
	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/plugins"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// TestMain lets this test binary serve the file provider when the
// planner starts it as a built-in (`<binary> provider serve file`), so
// these tests run the real plugin protocol in a real child process.
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == "provider" && os.Args[2] == "serve" {
		switch os.Args[3] {
		case "file":
			sdk.Serve(file.New())
		case "kit":
			mark(kitStartedEnv, "started")
			sdk.Serve(kit{})
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fixture is a configuration directory with a planner context over it.
type fixture struct {
	dir string
	cfg *lang.Config
	st  *state.State
	set *plugins.Set
}

func newFixture(tb testing.TB, src string) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{dir: dir, st: state.NewState()}
	f.load(tb)
	f.set = &plugins.Set{Builtins: map[string]bool{"file": true, "kit": true}, Self: os.Args[0], Locks: &plugins.Locks{}}
	tb.Cleanup(f.set.Close)
	return f
}

func (f *fixture) load(tb testing.TB) {
	tb.Helper()
	cfg, diags := lang.LoadDir(f.dir)
	if diags.HasErrors() {
		tb.Fatalf("load: %s", diags.Error())
	}
	f.cfg = cfg
}

func (f *fixture) context(vars map[string]string) *Context {
	vals, _ := lang.LoadVariableValues(f.cfg, lang.VarOptions{CLIVars: varArgs(vars)})
	return &Context{Config: f.cfg, State: f.st, Variables: vals, Providers: f.set}
}

func varArgs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func (f *fixture) plan(tb testing.TB, opts PlanOpts) *plans.Plan {
	tb.Helper()
	p, diags := f.context(nil).Plan(context.Background(), opts)
	if diags.HasErrors() {
		tb.Fatalf("plan: %s", diags.Error())
	}
	return p
}

func (f *fixture) apply(tb testing.TB, p *plans.Plan) {
	tb.Helper()
	c := f.context(nil)
	c.Variables = p.Variables
	a := c.NewApplier()
	diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) })
	if diags.HasErrors() {
		tb.Fatalf("apply: %s", diags.Error())
	}
	f.st = a.Snapshot()
	f.st.Serial++
}

func actions(p *plans.Plan) map[string]string {
	out := map[string]string{}
	for _, c := range p.Changes {
		if c.Action != plans.NoOp {
			out[c.Addr.String()] = c.Action.String()
		}
	}
	return out
}

func TestPlanApplyLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "n" { default = 3 }
locals { prefix = "item" }
resource "file" "a" {
  count   = var.n
  path    = "${path.module}/out/${local.prefix}-${count.index}.txt"
  content = "v1 ${count.index}"
}
resource "kit_thing" "seed" {
  name = "seed"
}
resource "file" "index" {
  path    = "${path.module}/out/index.txt"
  content = join(",", concat([for f in file.a : f.sha256], [kit_thing.seed.id]))
}
output "paths" { value = file.a[*].path }
`)
	p := f.plan(t, PlanOpts{Refresh: true})
	want := map[string]string{"file.a[0]": "create", "file.a[1]": "create", "file.a[2]": "create", "file.index": "create", "kit_thing.seed": "create"}
	if got := actions(p); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("first plan actions = %v, want %v", got, want)
	}
	if idx := p.Change(mustAddr(t, "file.index")); idx.After.GetAttr("content").IsKnown() {
		t.Errorf("file.index content should be known after apply (it reads the id of a thing not yet created)")
	}
	f.apply(t, p)
	if b, err := os.ReadFile(filepath.Join(f.dir, "out", "item-1.txt")); err != nil || string(b) != "v1 1" {
		t.Fatalf("item-1.txt = %q, %v", b, err)
	}
	idx, _ := os.ReadFile(filepath.Join(f.dir, "out", "index.txt"))
	if strings.Count(string(idx), ",") != 3 || !strings.HasSuffix(string(idx), ",id-seed") {
		t.Errorf("index.txt = %q, want three hashes and the seed's id", idx)
	}
	if p := f.plan(t, PlanOpts{Refresh: true}); p.HasChanges() {
		t.Fatalf("second plan has changes: %v", actions(p))
	}
	if got := f.st.Outputs["paths"]; got == nil || got.Value.LengthInt() != 3 {
		t.Errorf("output paths = %#v", got)
	}

	// Drift: a file deleted by hand is created again.
	os.Remove(filepath.Join(f.dir, "out", "item-2.txt"))
	p = f.plan(t, PlanOpts{Refresh: true})
	if got := actions(p); got["file.a[2]"] != "create" || len(got) != 1 || len(p.Drift) != 1 {
		t.Fatalf("after deleting by hand: actions %v, drift %d", got, len(p.Drift))
	}
	f.apply(t, p)

	// -replace forces a replacement; -target limits the plan.
	p = f.plan(t, PlanOpts{Refresh: true, Replace: []addrsRI{mustAddr(t, "file.a[0]")}, Targets: []addrsRI{mustAddr(t, "file.a[0]")}})
	if got := actions(p); fmt.Sprint(got) != fmt.Sprint(map[string]string{"file.a[0]": "replace"}) {
		t.Fatalf("-replace with -target: %v", got)
	}

	// Shrinking count deletes the instances it no longer produces.
	os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(strings.Replace(readFile(t, f.dir), "default = 3", "default = 1", 1)), 0o644)
	f.load(t)
	p = f.plan(t, PlanOpts{Refresh: true})
	if got := actions(p); got["file.a[1]"] != "delete" || got["file.a[2]"] != "delete" || got["file.index"] != "update" {
		t.Fatalf("after count 3 -> 1: %v", got)
	}
	f.apply(t, p)
	if _, err := os.Stat(filepath.Join(f.dir, "out", "item-2.txt")); !os.IsNotExist(err) {
		t.Errorf("item-2.txt still exists after its instance was deleted")
	}

	// Destroy removes everything.
	p = f.plan(t, PlanOpts{Mode: plans.DestroyMode})
	f.apply(t, p)
	if len(f.st.Resources) != 0 {
		t.Errorf("state after destroy: %v", f.st.SortedAddrs())
	}
}

func readFile(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "main.slip.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPlanDiagnostics(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want string
	}{
		"unknown resource type": {`resource "file" "a" {
  path = "x"
  content = "y"
}
resource "fiel" "b" {
  path = "x"
  content = "y"
}`, `provider "fiel" is not installed`},
		"cycle": {`resource "file" "a" {
  path = file.b.path
  content = "y"
}
resource "file" "b" {
  path = file.a.path
  content = "y"
}`, "file.a -> file.b -> file.a"},
		"unknown count": {`resource "kit_thing" "a" {
  name = "a"
}
resource "file" "b" {
  count = length(kit_thing.a.id)
  path = "b"
  content = "y"
}`, "Invalid count argument"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.src)
			_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
			if !diags.HasErrors() || !strings.Contains(diagString(diags), tt.want) {
				t.Errorf("diagnostics %q do not mention %q", diagString(diags), tt.want)
			}
		})
	}
}

func diagString(d hcl.Diagnostics) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteString(x.Summary + ": " + x.Detail + "\n")
	}
	return b.String()
}

// kit is a provider whose resource has a computed id, unknown until
// apply, to exercise values known only after apply.
type kit struct{}

func (kit) Metadata() sdk.Metadata {
	return sdk.Metadata{Name: "kit", Version: "0.0.1", ApplyParallelism: kitApplyParallelism}
}

// kitApplyParallelism is the applies kit declares it carries at once.
const kitApplyParallelism = DefaultParallelism + 2

func (kit) Schema() sdk.Schema { return sdk.Schema{} }
func (kit) Configure(context.Context, sdk.ConfigureRequest, *sdk.ConfigureResponse) {
	mark(kitStartedEnv, "configured")
}

// kitStartedEnv names a file to which each kit process appends "started"
// when it starts and "configured" when it is configured.
const kitStartedEnv = "SLIPWAY_TEST_KIT_STARTED"

// mark appends line to the file the environment variable env names, if
// it is set.
func mark(env, line string) {
	name := os.Getenv(env)
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(line + "\n")
}
func (kit) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"kit_thing": thing{}, "kit_waiter": waiter{}, "kit_synced": synced{}, "kit_pinned": pinned{}, "kit_hook": hook{}, builtin.KubernetesApp: kitApp{}, "kit_marker": marker{}, "kit_wrong": wrong{}, "kit_slowdel": slowdel{}, "kit_flaky": flaky{}}
}
func (kit) Sources() map[string]sdk.Source {
	return map[string]sdk.Source{"kit": checkout{}, "kit_gate": gate{}}
}

type thing struct{}

// wrong is a thing whose plan changes the name of an instance named
// "bad-…", which the configuration sets: a provider bug the planner
// reports.
type wrong struct{ thing }

func (wrong) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	if name := sdk.GetString(req.Config, "name"); strings.HasPrefix(name, "bad-") {
		resp.PlannedState = sdk.With(resp.PlannedState, "name", cty.StringVal("changed"))
	}
}

func (thing) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true, ForceNew: true},
		"id":   {Type: cty.String, Computed: true},
	}}
}

func (thing) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	resp.NewState = sdk.With(req.PlannedState, "id", cty.StringVal("id-"+sdk.GetString(req.PlannedState, "name")))
}

func (thing) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}
