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

	"slipway.dev/slipway/planner/plans"
)

func TestLifecycleAndScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "v" { default = "1" }
resource "file" "pinned" {
  path    = "${path.module}/pinned.txt"
  content = "v${var.v}"
  lifecycle { ignore_changes = all }
}
resource "file" "source" {
  path    = "${path.module}/source.txt"
  content = "v${var.v}"
}
resource "file" "follower" {
  path    = "${path.module}/follower.txt"
  content = "constant"
  lifecycle { replace_triggered_by = [file.source] }
}
resource "file" "many" {
  count   = 3
  path    = "${path.module}/many-${count.index}.txt"
  content = "v${var.v}"
}
`)
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	set := func(v string) {
		src, _ := os.ReadFile(filepath.Join(f.dir, "main.slip.hcl"))
		os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(replaceOnce(string(src), `default = "1"`, fmt.Sprintf("default = %q", v))), 0o644)
		f.load(t)
	}
	set("2")

	p := f.plan(t, PlanOpts{Refresh: true})
	got := actions(p)
	want := map[string]string{"file.source": "update", "file.follower": "replace", "file.many[0]": "update", "file.many[1]": "update", "file.many[2]": "update"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("actions = %v, want %v (ignore_changes = all keeps file.pinned)", got, want)
	}
	if c := p.Change(mustAddr(t, "file.follower")); c.Reason != plans.ReasonReplaceTriggered {
		t.Errorf("file.follower reason = %q, want %q", c.Reason, plans.ReasonReplaceTriggered)
	}

	// -exclude of one instance keeps the others of its block.
	p = f.plan(t, PlanOpts{Refresh: true, Excludes: []addrsRI{mustAddr(t, "file.many[1]")}})
	got = actions(p)
	if got["file.many[1]"] != "" || got["file.many[0]"] != "update" || got["file.many[2]"] != "update" {
		t.Errorf("-exclude file.many[1]: actions = %v", got)
	}

	// A destroy plan honours -exclude.
	p = f.plan(t, PlanOpts{Mode: plans.DestroyMode, Excludes: []addrsRI{mustAddr(t, "file.many")}})
	for _, c := range p.Changes {
		if c.Addr.Resource.Name == "many" {
			t.Errorf("destroy -exclude file.many still deletes %s", c.Addr)
		}
	}
	if len(p.Changes) != 3 {
		t.Errorf("destroy -exclude file.many: %d changes, want 3", len(p.Changes))
	}
}

func replaceOnce(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }

// TestIgnoreChangesNamesAreChecked: a name in ignore_changes that is not
// an argument of the resource (a typo, or an attribute the provider
// computes) is an error at its place, in validate and in plan, as in
// Terraform: it would ignore nothing, and the next apply would undo the
// change it was written to keep.
func TestIgnoreChangesNamesAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
resource "file" "a" {
  path    = "${path.module}/a.txt"
  content = "a"
  lifecycle { ignore_changes = [contnet, sha256, mode] }
}
`)
	_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
	var got []string
	for _, d := range diags {
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		got = append(got, fmt.Sprintf("%s: %s (line %d)", d.Summary, d.Detail, line))
	}
	want := []string{
		`Unsupported attribute in ignore_changes: file.a has no argument "contnet" to ignore changes of. Did you mean "content"? (line 5)`,
		`Unsupported attribute in ignore_changes: "sha256" of file.a is set by its provider, not by the configuration: it has no changes to ignore. (line 5)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	vd := f.context(nil).Validate(context.Background())
	if len(vd) != 2 || !vd.HasErrors() {
		t.Errorf("validate: %v; want the same two errors", vd)
	}
}

// TestReplaceTriggeredByInstanceAndAttribute: as in Terraform, an entry
// that names an instance (file.cfg[count.index]) replaces only the
// instance whose counterpart changed, and one that names an attribute
// only when that attribute changes.
func TestReplaceTriggeredByInstanceAndAttribute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "v" { default = "1" }
resource "file" "cfg" {
  count   = 2
  path    = "${path.module}/cfg-${count.index}.txt"
  content = count.index == 0 ? "v${var.v}" : "fixed"
}
resource "file" "per" {
  count   = 2
  path    = "${path.module}/per-${count.index}.txt"
  content = "p"
  lifecycle { replace_triggered_by = [file.cfg[count.index]] }
}
resource "file" "other" {
  path    = "${path.module}/other.txt"
  content = "o"
  lifecycle { replace_triggered_by = [file.cfg[1].content] }
}
resource "file" "mode" {
  path    = "${path.module}/mode.txt"
  content = "m"
  lifecycle { replace_triggered_by = [file.cfg[0].mode] }
}
resource "file" "content" {
  path    = "${path.module}/content.txt"
  content = "c"
  lifecycle { replace_triggered_by = [file.cfg[0].content] }
}
`)
	f.apply(t, f.plan(t, PlanOpts{Refresh: true}))
	src, _ := os.ReadFile(filepath.Join(f.dir, "main.slip.hcl"))
	os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(replaceOnce(string(src), `default = "1"`, `default = "2"`)), 0o644)
	f.load(t)
	p := f.plan(t, PlanOpts{Refresh: true})
	got := actions(p)
	want := map[string]string{"file.cfg[0]": "update", "file.per[0]": "replace", "file.content": "replace"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("actions = %v, want %v", got, want)
	}
	if c := p.Change(mustAddr(t, "file.per[0]")); c == nil || c.ReasonDetail != "file.cfg[0] changes (lifecycle.replace_triggered_by)" {
		t.Errorf("file.per[0]: %+v", c)
	}
	if c := p.Change(mustAddr(t, "file.content")); c == nil || c.ReasonDetail != "file.cfg[0].content changes (lifecycle.replace_triggered_by)" {
		t.Errorf("file.content: %+v", c)
	}
}
