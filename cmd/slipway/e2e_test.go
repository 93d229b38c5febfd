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
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// workdir makes a configuration directory holding files and runs init.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := slipway(dir, "init").CombinedOutput(); err != nil {
		t.Fatalf("slipway init: %v\n%s", err, out)
	}
	return dir
}

// slipway returns a command running the slipway under test in dir.
func slipway(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("slipway", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SLIPWAY_PROVIDER_PATH="+binDir(), "NO_COLOR=1", "HOME="+dir)
	// Its own process group, so a test can kill slipway and its plugins
	// together, as a terminal's SIGKILL of a job would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// readState reads what slipway records: the state file, with the
// finished changes of its intent journal replayed onto it, as every
// command reads it.
func readState(t *testing.T, dir string) *state.State {
	t.Helper()
	b := local.New(filepath.Join(dir, state.DefaultLocalPath))
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatalf("state unreadable: %v", err)
	}
	entries, err := b.Journal().Entries(context.Background())
	if err != nil {
		t.Fatalf("intent journal unreadable: %v", err)
	}
	state.Replay(st, entries)
	return st
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Two applies at once: the second fails naming the lock holder, and with
// a lock timeout it waits and then finds nothing to do. State stays valid.
func TestConcurrentApplyLock(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "testkit_sleep" "slow" {
  name     = "slow"
  duration = "3s"
}
`})
	first := slipway(dir, "apply", "-auto-approve")
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the first apply is inside the provider call (it holds the lock).
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(firstOut.String(), "sleeping") {
		if time.Now().After(deadline) {
			t.Fatalf("first apply never started applying:\n%s", firstOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput()
	if exitCode(err) != 1 {
		t.Fatalf("second apply: exit %d, want 1\n%s", exitCode(err), out)
	}
	for _, want := range []string{"state is locked by", "for apply", fmt.Sprintf("pid %d", first.Process.Pid)} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("second apply's error lacks %q:\n%s", want, out)
		}
	}
	waiter, err := slipway(dir, "apply", "-auto-approve", "-lock-timeout=60s").CombinedOutput()
	if err != nil {
		t.Fatalf("apply with -lock-timeout: %v\n%s", err, waiter)
	}
	if !bytes.Contains(waiter, []byte("No changes.")) {
		t.Errorf("apply after waiting for the lock should find no changes:\n%s", waiter)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first apply: %v\n%s", err, firstOut.String())
	}
	if st := readState(t, dir); len(st.Resources) != 1 {
		t.Errorf("state has %d resources, want 1", len(st.Resources))
	}
}

// An apply of 2,000 files killed with SIGKILL part-way: every file it
// reported finished is in state, the lock does not block the next run,
// and the next apply converges to no changes.
func TestKilledApplyLosesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs 2,000 resources")
	}
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "f" {
  count   = 2000
  path    = "out/${count.index}.txt"
  content = "file ${count.index}\n"
}
`})
	cmd, done, _, _ := applyUntil(t, dir, 300)
	// Kill slipway and its provider at once, mid-apply.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()

	st := readState(t, dir)
	for addr := range done {
		if st.Resources[addr] == nil {
			t.Errorf("%s was reported finished but is not in state", addr)
		}
	}
	if len(st.Resources) >= 2000 {
		t.Fatalf("the apply finished before it was killed (%d resources in state); the test proved nothing", len(st.Resources))
	}
	t.Logf("killed after %d reported, %d in state", len(done), len(st.Resources))

	// The dead holder's lock must not block: no -lock-timeout here.
	out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput()
	if err != nil {
		t.Fatalf("apply after the kill: %v\n%s", err, out)
	}
	out, err = slipway(dir, "plan", "-detailed-exitcode").CombinedOutput()
	if exitCode(err) != 0 || !bytes.Contains(out, []byte("No changes.")) {
		t.Fatalf("plan after recovery: exit %d, want 0 and no changes\n%s", exitCode(err), out)
	}
	if st := readState(t, dir); len(st.Resources) != 2000 {
		t.Errorf("state has %d resources after recovery, want 2000", len(st.Resources))
	}
}

// A provider that dies mid-apply: a clear error naming provider and
// resource; what finished before is in state.
func TestProviderCrashMidApply(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "before" {
  count   = 5
  path    = "out/${count.index}.txt"
  content = "x"
}
resource "testkit_crash" "boom" {
  name       = "boom"
  depends_on = [file.before]
}
`})
	out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput()
	if exitCode(err) != 1 {
		t.Fatalf("apply: exit %d, want 1\n%s", exitCode(err), out)
	}
	for _, want := range []string{`provider "testkit" crashed`, "testkit_crash.boom"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	st := readState(t, dir)
	for i := range 5 {
		if st.Resources[fmt.Sprintf("file.before[%d]", i)] == nil {
			t.Errorf("file.before[%d] finished before the crash but is not in state", i)
		}
	}
	if st.Resources["testkit_crash.boom"] != nil {
		t.Errorf("the crashed resource is in state")
	}
}

// A saved plan carries its variables (a required one need not be given
// again) and is refused once the configuration changes.
func TestSavedPlanRefusedAfterConfigChange(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
variable "v" { type = string }
resource "file" "a" {
  path    = "a.txt"
  content = var.v
}
`})
	if out, err := slipway(dir, "plan", "-out=p", "-var", "v=from-plan").CombinedOutput(); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "extra.slip.hcl"), []byte("locals {\n  x = 1\n}\n"), 0o644)
	out, err := slipway(dir, "apply", "p").CombinedOutput()
	if exitCode(err) != 1 || !bytes.Contains(out, []byte("configuration files changed")) {
		t.Fatalf("apply of a plan for other files: exit %d\n%s", exitCode(err), out)
	}
	os.Remove(filepath.Join(dir, "extra.slip.hcl"))
	if out, err := slipway(dir, "apply", "p").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "from-plan" {
		t.Errorf("a.txt = %q, want the plan's variable value", b)
	}
}

// TestSavedPlanStaleAfterKilledApply saves a plan, then lets another
// apply create some of its files and kills it before it writes a
// checkpoint: the state's serial has not moved, but its journal holds
// what the killed apply did. Applying the saved plan is refused as
// stale (it would make those changes again, and never read back the one
// the kill interrupted); the next plan and apply recover.
func TestSavedPlanStaleAfterKilledApply(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
variable "n" {
  type    = number
  default = 1
}
resource "file" "f" {
  count   = var.n
  path    = "out/${count.index}.txt"
  content = "file ${count.index}\n"
}
`})
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("first apply: %v\n%s", err, out)
	}
	serial := func() uint64 {
		t.Helper()
		st, err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Serial
	}
	before := serial()
	if out, err := slipway(dir, "plan", "-out=p", "-var", "n=300").CombinedOutput(); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	cmd := slipway(dir, "apply", "-auto-approve", "-var", "n=300")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	created := 0
	for created < 3 && sc.Scan() {
		if strings.Contains(sc.Text(), ": Creation complete") {
			created++
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	if created < 3 {
		t.Fatalf("the apply ended before it created 3 files")
	}
	if got := serial(); got != before {
		t.Fatalf("the killed apply wrote a checkpoint (serial %d -> %d) before the kill: the test proves nothing", before, got)
	}
	if st := readState(t, dir); len(st.Resources) < 3 {
		t.Fatalf("the journal holds %d instances, want the ones the killed apply created", len(st.Resources))
	}

	out, err := slipway(dir, "apply", "p").CombinedOutput()
	if exitCode(err) != 1 || !bytes.Contains(out, []byte("saved plan is stale")) || !bytes.Contains(out, []byte("journal")) {
		t.Fatalf("apply of the saved plan after a killed apply: exit %d, want 1 and stale\n%s", exitCode(err), out)
	}
	if out, err := slipway(dir, "apply", "-auto-approve", "-var", "n=300").CombinedOutput(); err != nil {
		t.Fatalf("apply after the kill: %v\n%s", err, out)
	}
	out, err = slipway(dir, "plan", "-detailed-exitcode", "-var", "n=300").CombinedOutput()
	if exitCode(err) != 0 {
		t.Fatalf("plan after recovery: exit %d, want 0\n%s", exitCode(err), out)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	if st := readState(t, dir); len(st.Resources) != 300 || len(entries) != 300 {
		t.Errorf("after recovery: %d instances in state, %d files on disk; want 300 of each", len(st.Resources), len(entries))
	}
}

// TestImportFoldsTheJournal imports an object at an address whose delete
// a killed destroy left in the journal: the import is in state for good,
// and the journal's delete is not replayed over it.
func TestImportFoldsTheJournal(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "motd" {
  path    = "motd.txt"
  content = "new\n"
}
`})
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	// What a destroy killed after deleting the file leaves: the delete
	// in the journal, the state as it was.
	b := local.New(filepath.Join(dir, state.DefaultLocalPath))
	ctx := context.Background()
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ri := st.Resources["file.motd"]
	op := state.Operation{ID: state.NewOperationID(), Addr: ri.Addr, Action: "delete", Planned: ri}
	if err := b.Journal().Begin(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := b.Journal().End(ctx, op.ID, ri.Addr, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "motd.txt"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if out, err := slipway(dir, "import", "file.motd", "motd.txt").CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := slipway(dir, "state", "list").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("file.motd")) {
		t.Fatalf("state list after the import: %v\n%s", err, out)
	}
	if got := readState(t, dir); got.Resources["file.motd"] == nil {
		t.Error("the journal's delete was replayed over the import")
	}
}

// readPlain reads a file as a person would look into it: a file slipway
// compressed (the local state and its backup) decompressed, so that what
// tests look for in files is looked for in what they hold.
func readPlain(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		return b, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

// TestStatePullSaysWhatItLeavesOut: the document state pull prints
// carries no intent journal, so a change an interrupted apply left
// unfinished is not in it; pushed into another backend, the next plan
// there would make it again. Pull says so on stderr, naming the change,
// and leaves standard output the document alone.
func TestStatePullSaysWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "a" {
  path    = "a.txt"
  content = "a\n"
}
`})
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	// What an apply killed while it created file.b leaves: its intent.
	b := local.New(filepath.Join(dir, state.DefaultLocalPath))
	ctx := context.Background()
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	planned := *st.Resources["file.a"]
	planned.Addr.Resource.Name = "b"
	op := state.Operation{ID: state.NewOperationID(), Addr: planned.Addr, Action: "create", Planned: &planned}
	if err := b.Journal().Begin(ctx, op); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := slipway(dir, "state", "pull")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("state pull: %v\n%s", err, stderr.String())
	}
	if _, err := state.Decode(stdout.Bytes()); err != nil {
		t.Errorf("standard output is not the state document: %v", err)
	}
	for _, want := range []string{"create file.b", "a state push of it into another backend loses it", "init -migrate-state"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
