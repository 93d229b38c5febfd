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

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

const migrateConfig = `
resource "file" "f" {
  path    = "out/${slipway.workspace}.txt"
  content = "${slipway.workspace}\n"
}
`

// withBackend is migrateConfig with a local backend at path.
func withBackend(path string) string {
	return "slipway {\n  backend \"local\" {\n    path = \"" + path + "\"\n  }\n}\n" + migrateConfig
}

// runIn runs slipway in dir with stdin and returns its output and exit code.
func runIn(t *testing.T, dir, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := slipway(dir, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, code := runIn(t, dir, "", args...)
	if code != 0 {
		t.Fatalf("slipway %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// storeState reads workspace ws of the local store at path, with its
// journal's entries.
func storeState(t *testing.T, path, ws string) (*state.State, []state.JournalEntry) {
	t.Helper()
	b, err := local.NewStore(path, local.Options{}).Backend(ws)
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := b.(state.Journaled).Journal().Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st, entries
}

// init -migrate-state moves every workspace's state from one local
// backend to another, keeping lineage, serial and the intent journal; it
// asks first, takes -force-copy in CI, refuses -input=false without it,
// and refuses a destination that holds another history.
func TestMigrateStateLocalToLocal(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": migrateConfig})
	mustRun(t, dir, "apply", "-auto-approve")
	mustRun(t, dir, "workspace", "new", "staging")
	mustRun(t, dir, "apply", "-auto-approve")
	// staging's journal holds a change an apply began and never ended.
	old := filepath.Join(dir, state.DefaultLocalPath)
	ob, _ := local.NewStore(old, local.Options{}).Backend("staging")
	cut := state.Operation{ID: state.NewOperationID(), Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "cut"}.Instance(addrs.NoKey), Action: "create"}
	if err := ob.(state.Journaled).Journal().Begin(context.Background(), cut); err != nil {
		t.Fatal(err)
	}
	want := map[string]*state.State{}
	for _, ws := range []string{state.DefaultWorkspace, "staging"} {
		want[ws], _ = storeState(t, old, ws)
		if want[ws].Serial == 0 || len(want[ws].Resources) != 1 {
			t.Fatalf("workspace %s before the migration: serial %d, %d resources", ws, want[ws].Serial, len(want[ws].Resources))
		}
	}

	// The configuration moves the state; every command that touches it
	// refuses until init has run.
	writeConfig(t, dir, withBackend("moved/new.slipstate"))
	moved := filepath.Join(dir, "moved", "new.slipstate")
	for _, args := range [][]string{{"plan"}, {"state", "list"}, {"workspace", "list"}, {"init"}} {
		out, code := runIn(t, dir, "", args...)
		if code != 1 || !strings.Contains(out, "Backend configuration changed") || !strings.Contains(out, "slipway init -migrate-state") {
			t.Errorf("slipway %s after the backend changed: exit %d, want 1 naming init -migrate-state\n%s", strings.Join(args, " "), code, out)
		}
	}
	out, code := runIn(t, dir, "", "init", "-migrate-state", "-input=false")
	if code != 1 || !strings.Contains(out, "-force-copy") {
		t.Errorf("init -migrate-state -input=false: exit %d, want 1 naming -force-copy\n%s", code, out)
	}
	out, code = runIn(t, dir, "no\n", "init", "-migrate-state")
	if code != 1 || !strings.Contains(out, "Do you want to copy existing state to the new backend?") || !strings.Contains(out, "migration cancelled") {
		t.Errorf("init -migrate-state answered no: exit %d, want 1 after the question\n%s", code, out)
	}
	// Only lock files: the states were checked under the lock.
	for _, p := range []string{moved, filepath.Join(dir, "moved", "new.slipstate.d", "staging", "new.slipstate")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a cancelled migration wrote %s: %v", p, err)
		}
	}
	out, code = runIn(t, dir, "yes\n", "init", "-migrate-state")
	if code != 0 {
		t.Fatalf("init -migrate-state answered yes: exit %d\n%s", code, out)
	}
	for _, w := range []string{"staging (lineage " + want["staging"].Lineage, "1 intent journal entry", "Copied the state of 2 workspaces"} {
		if !strings.Contains(out, w) {
			t.Errorf("init -migrate-state's output lacks %q:\n%s", w, out)
		}
	}
	for ws, w := range want {
		got, entries := storeState(t, moved, ws)
		if got.Lineage != w.Lineage || got.Serial != w.Serial || len(got.Resources) != 1 {
			t.Errorf("workspace %s moved as lineage %s serial %d with %d resources, want lineage %s serial %d with 1", ws, got.Lineage, got.Serial, len(got.Resources), w.Lineage, w.Serial)
		}
		if wantEntries := map[string]int{"staging": 1}[ws]; len(entries) != wantEntries {
			t.Errorf("workspace %s moved with %d journal entries, want %d", ws, len(entries), wantEntries)
		}
	}
	// The new backend is the one in use, in every workspace.
	if out := mustRun(t, dir, "workspace", "list"); out != "  default\n* staging\n" {
		t.Errorf("workspace list after the migration:\n%s", out)
	}
	if out, code := runIn(t, dir, "", "state", "list"); code != 0 || !strings.Contains(out, "file.f") || !strings.Contains(out, "file.cut") {
		t.Errorf("state list in staging after the migration (exit %d) lacks the resource or the interrupted change:\n%s", code, out)
	}
	mustRun(t, dir, "workspace", "select", "default")
	if out := mustRun(t, dir, "plan"); !strings.Contains(out, "No changes.") {
		t.Errorf("plan in default after the migration:\n%s", out)
	}
	// A state pulled from one backend pushes into another as it is.
	pulled := mustRun(t, dir, "state", "pull")
	if st, err := state.Decode([]byte(pulled)); err != nil || st.Serial != want[state.DefaultWorkspace].Serial {
		t.Errorf("state pull after the migration: serial %v (%v), want %d", st, err, want[state.DefaultWorkspace].Serial)
	}

	// A destination holding another lineage is refused, naming both, and
	// nothing is copied; -force-copy copies without asking once it is
	// out of the way.
	other := filepath.Join(dir, "other.slipstate")
	if err := os.WriteFile(other, []byte(pulled), 0o600); err != nil {
		t.Fatal(err)
	}
	ob2, _ := local.NewStore(other, local.Options{}).Backend(state.DefaultWorkspace)
	foreign := want[state.DefaultWorkspace].DeepCopy()
	foreign.Lineage = "foreign-lineage"
	if err := ob2.Write(context.Background(), foreign); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, dir, withBackend("other.slipstate"))
	out, code = runIn(t, dir, "", "init", "-force-copy")
	if code != 1 || !strings.Contains(out, "foreign-lineage") || !strings.Contains(out, want[state.DefaultWorkspace].Lineage) || !strings.Contains(out, "another lineage") {
		t.Errorf("init -force-copy onto another lineage: exit %d, want 1 naming both lineages\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.slipstate.d", "staging", "other.slipstate")); !os.IsNotExist(err) {
		t.Errorf("a refused migration copied staging: %v", err)
	}
	if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}
	out, code = runIn(t, dir, "", "init", "-force-copy")
	if code != 0 || strings.Contains(out, "Do you want") {
		t.Fatalf("init -force-copy: exit %d, want 0 without a question\n%s", code, out)
	}
	if got, _ := storeState(t, other, "staging"); got.Lineage != want["staging"].Lineage || got.Serial != want["staging"].Serial {
		t.Errorf("staging moved again as lineage %s serial %d, want %s %d", got.Lineage, got.Serial, want["staging"].Lineage, want["staging"].Serial)
	}

	// -reconfigure leaves the states behind.
	writeConfig(t, dir, withBackend("fresh.slipstate"))
	if out := mustRun(t, dir, "init", "-reconfigure"); !strings.Contains(out, "were not copied") {
		t.Errorf("init -reconfigure:\n%s", out)
	}
	if out := mustRun(t, dir, "workspace", "list"); out != "* default\n" {
		t.Errorf("workspace list after -reconfigure:\n%s", out)
	}
	if out := mustRun(t, dir, "plan"); !strings.Contains(out, "1 to add") {
		t.Errorf("plan after -reconfigure should start from nothing:\n%s", out)
	}
}

// The destination's lock is taken: a migration waits for it, or fails
// naming its holder.
func TestMigrateStateLocks(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": migrateConfig})
	mustRun(t, dir, "apply", "-auto-approve")
	writeConfig(t, dir, withBackend("new.slipstate"))
	b, _ := local.NewStore(filepath.Join(dir, "new.slipstate"), local.Options{}).Backend(state.DefaultWorkspace)
	id, err := b.Lock(context.Background(), state.NewLockInfo("apply"))
	if err != nil {
		t.Fatal(err)
	}
	out, code := runIn(t, dir, "", "init", "-force-copy")
	if code != 1 || !strings.Contains(out, "state is locked by") || !strings.Contains(out, "for apply") {
		t.Errorf("init -force-copy while the destination is locked: exit %d, want 1 naming the holder\n%s", code, out)
	}
	if err := b.Unlock(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "init", "-force-copy")
	if out := mustRun(t, dir, "plan"); !strings.Contains(out, "No changes.") {
		t.Errorf("plan after the migration:\n%s", out)
	}
}

// state pull | state push moves a state by hand: a newer state keeps its
// lineage and serial; an older one, another lineage or the same serial
// with other content is refused unless -force, which moves the serial on.
func TestStatePushKeepsSerial(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
variable "c" {
  type    = string
  default = "a"
}
resource "file" "f" {
  path    = "out/${slipway.workspace}.txt"
  content = var.c
}
`})
	var pulls []string
	for _, c := range []string{"a", "b", "c"} {
		mustRun(t, dir, "apply", "-auto-approve", "-var", "c="+c)
		pulls = append(pulls, mustRun(t, dir, "state", "pull"))
	}
	decode := func(s string) *state.State {
		t.Helper()
		st, err := state.Decode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	first, last := decode(pulls[0]), decode(pulls[2])
	if last.Serial <= first.Serial+1 {
		t.Fatalf("three applies made serials %d and %d", first.Serial, last.Serial)
	}
	path := func(name string) string {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(map[string]string{"first": pulls[0], "last": pulls[2]}[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Into an empty workspace: the state as it was, serial included.
	mustRun(t, dir, "workspace", "new", "copy")
	out, code := runIn(t, dir, pulls[2], "state", "push", "-")
	if code != 0 {
		t.Fatalf("state push into an empty workspace: exit %d\n%s", code, out)
	}
	ws := filepath.Join(dir, state.DefaultLocalPath)
	if got, _ := storeState(t, ws, "copy"); got.Lineage != last.Lineage || got.Serial != last.Serial {
		t.Errorf("pushed state stored as lineage %s serial %d, want %s %d", got.Lineage, got.Serial, last.Lineage, last.Serial)
	}

	// An older one is refused; -force takes it, with the next serial.
	out, code = runIn(t, dir, "", "state", "push", path("first"))
	if code != 1 || !strings.Contains(out, "is older than the current state's") {
		t.Errorf("state push of an older serial: exit %d, want 1\n%s", code, out)
	}
	mustRun(t, dir, "state", "push", "-force", path("first"))
	if got, _ := storeState(t, ws, "copy"); got.Serial != last.Serial+1 || got.Resources["file.f"] == nil || got.Resources["file.f"].Value.GetAttr("content").AsString() != "a" {
		t.Errorf("after state push -force the state has serial %d, want %d with the pushed content", got.Serial, last.Serial+1)
	}
	// What is now stored, pushed again, changes nothing.
	now := mustRun(t, dir, "state", "pull")
	out, code = runIn(t, dir, now, "state", "push", "-")
	if code != 0 {
		t.Errorf("state push of the current state: exit %d\n%s", code, out)
	}
	if got, _ := storeState(t, ws, "copy"); got.Serial != last.Serial+1 {
		t.Errorf("pushing the current state moved the serial to %d", got.Serial)
	}
}
