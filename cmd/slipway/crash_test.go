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
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"slipway.dev/slipway/state"
)

// TestCrashLeavesNothingUntracked kills an apply of N tickets — slipway and
// its provider together, as a machine crash would — at random points, and
// counts the tickets on disk against what state and the intent journal
// record: none may be untracked. Tickets are not idempotent (filing one
// twice makes two), so the apply after each crash must file none twice.
// SLIPWAY_CRASH_N and SLIPWAY_CRASH_KILLS set the size; make crash runs
// 5,000 tickets and 5 kills, CI a small size.
func TestCrashLeavesNothingUntracked(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many processes; run without -short")
	}
	n := envInt("SLIPWAY_CRASH_N", 300)
	kills := envInt("SLIPWAY_CRASH_KILLS", 3)

	// An uninterrupted apply: the kill points are spread over its length.
	dir := crashConfig(t, n)
	start := time.Now()
	if out, err := crashCmd(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, tail(out))
	}
	full := time.Since(start)
	if got := crashCount(t, dir); got.onDisk != n || got.untracked != 0 || got.inState != n {
		t.Fatalf("uninterrupted apply: %+v, want %d on disk and in state", got, n)
	}
	t.Logf("uninterrupted apply of %d tickets: %s", n, full.Round(time.Millisecond))

	t.Logf("%-14s %-13s %-9s %-11s %s", "killed after", "files on disk", "in state", "in journal", "untracked")
	for k := range kills {
		dir := crashConfig(t, n)
		cmd := crashCmd(dir, "apply", "-auto-approve")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		at := time.Duration(float64(full) * (0.1 + 0.8*rand.Float64()))
		time.Sleep(at)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		got := crashCount(t, dir)
		t.Logf("%-14s %-13d %-9d %-11d %d", at.Round(time.Millisecond), got.onDisk, got.inState, got.inJournal, got.untracked)
		if got.untracked != 0 {
			t.Errorf("kill %d at %s: %d tickets on disk are in neither state nor journal", k, at, got.untracked)
		}

		// The next plan reads the interrupted changes back; the apply
		// files each missing ticket once and none twice.
		if out, err := crashCmd(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
			t.Fatalf("apply after kill %d: %v\n%s", k, err, tail(out))
		}
		after := crashCount(t, dir)
		if after.onDisk != n || after.inState != n || after.untracked != 0 || after.inJournal != 0 {
			t.Errorf("after the apply that followed kill %d: %+v, want exactly %d tickets, all in state", k, after, n)
		}
		if _, err := os.Stat(filepath.Join(dir, "slipway.slipstate.journal")); !os.IsNotExist(err) {
			t.Errorf("the journal is still there after a complete apply: %v", err)
		}
	}
}

// crashConfig is a configuration of n tickets, initialised.
func crashConfig(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	src := fmt.Sprintf(`resource "file_ticket" "t" {
  count = %d
  dir   = "${path.module}/tickets"
  title = "ticket ${count.index}"
}
`, n)
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := crashCmd(dir, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return dir
}

// crashCmd is the slipway command, run in dir.
func crashCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(context.Background(), filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SLIPWAY_PROVIDER_PATH="+binDir(), "NO_COLOR=1", "HOME="+dir)
	return cmd
}

type crashCounts struct {
	onDisk, inState, inJournal, untracked int
}

// crashCount counts the tickets on disk, those state records (with the
// journal's finished changes replayed), those whose filing the journal
// holds as begun, and those in neither.
func crashCount(t *testing.T, dir string) crashCounts {
	t.Helper()
	b, err := readPlain(filepath.Join(dir, "slipway.slipstate"))
	st := state.NewState()
	if err == nil {
		if st, err = state.Decode(b); err != nil {
			t.Fatalf("the state a crash left cannot be read: %v", err)
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	entries, err := state.NewFileJournal(filepath.Join(dir, "slipway.slipstate.journal")).Entries(context.Background())
	if err != nil {
		t.Fatalf("the journal a crash left cannot be read: %v", err)
	}
	pending := state.Replay(st, entries)
	ids := map[string]bool{}
	for _, ri := range st.Resources {
		if v := ri.Value.GetAttr("id"); v.IsKnown() && !v.IsNull() {
			ids[v.AsString()] = true
		}
	}
	ops := map[string]bool{}
	for _, p := range pending {
		ops[p.ID] = true
	}
	var c crashCounts
	files, _ := filepath.Glob(filepath.Join(dir, "tickets", "*.json"))
	for _, f := range files {
		c.onDisk++
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		var tk struct {
			Operation string `json:"operation"`
		}
		data, _ := os.ReadFile(f)
		json.Unmarshal(data, &tk)
		switch {
		case ids[id]:
			c.inState++
		case ops[tk.Operation]:
			c.inJournal++
		default:
			c.untracked++
		}
	}
	return c
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// TestStateWriteFailureStopsApply fills the disk partway through an apply
// (a file size limit, as ulimit -f sets) and, separately, makes the state
// unwritable from the start. No change may start after the first failed
// write; what finished must be in the state or the fallback file slipway
// names; no change that succeeded may be reported as failed.
func TestStateWriteFailureStopsApply(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Run("full disk", func(t *testing.T) {
		dir := crashConfig(t, 400)
		// The limit is for slipway and its provider alone: the test reads
		// their output through a pipe.
		cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$0" apply -auto-approve`, filepath.Join(binDir(), "slipway"))
		cmd.Dir = dir
		cmd.Env = crashCmd(dir).Env
		out, err := cmd.CombinedOutput()
		if exitCode(err) != 1 {
			t.Fatalf("exit %d, want 1\n%s", exitCode(err), tail(out))
		}
		for _, want := range []string{"Apply stopped: state cannot be written", "file too large", "slipway state push"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, tail(out))
			}
		}
		if strings.Contains(string(out), "failed") {
			t.Errorf("a change was reported as failed:\n%s", tail(out))
		}
		got := crashCount(t, dir)
		if got.untracked != 0 || got.onDisk == 0 || got.onDisk == 400 {
			t.Errorf("after the disk filled: %+v; want some tickets, none untracked", got)
		}
		errored := filepath.Join(dir, "slipway.slipstate.errored")
		if _, err := os.Stat(errored); err != nil {
			t.Fatalf("no fallback state file: %v", err)
		}
		// Once there is room again, pushing the fallback and applying
		// files every ticket once.
		if out, err := crashCmd(dir, "state", "push", errored).CombinedOutput(); err != nil {
			t.Fatalf("state push of the fallback file: %v\n%s", err, out)
		}
		if out, err := crashCmd(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
			t.Fatalf("apply with room again: %v\n%s", err, tail(out))
		}
		if got := crashCount(t, dir); got.onDisk != 400 || got.inState != 400 {
			t.Errorf("after the apply with room again: %+v, want 400 tickets, all in state", got)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		// The configuration and its state on a read-only mount (as root,
		// in a mount namespace of the command's own); the tickets go
		// elsewhere, so that only writing state can fail. -lock=false
		// gets past the lock file, as an existing writable lock file in
		// a directory without write permission would.
		dir := crashConfig(t, 50)
		tickets := t.TempDir()
		src := fmt.Sprintf(`resource "file_ticket" "t" {
  count = 50
  dir   = %q
  title = "ticket ${count.index}"
}
`, tickets)
		if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		script := `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && cd "$1" && exec "$0" apply -auto-approve -lock=false`
		cmd := exec.Command("unshare", "-m", "sh", "-c", script, filepath.Join(binDir(), "slipway"), dir)
		cmd.Env = crashCmd(dir).Env
		out, err := cmd.CombinedOutput()
		if strings.Contains(string(out), "unshare failed") || strings.Contains(string(out), "Operation not permitted") {
			t.Fatalf("this test needs root (unshare -m and mount) to make a read-only directory:\n%s", out)
		}
		if exitCode(err) != 1 || !strings.Contains(string(out), "Apply stopped: state cannot be written") || !strings.Contains(string(out), "read-only file system") {
			t.Fatalf("exit %d, want 1 and the reason\n%s", exitCode(err), tail(out))
		}
		if strings.Contains(string(out), "Creation complete") || strings.Contains(string(out), "failed") {
			t.Errorf("a change started although its intent could not be recorded:\n%s", tail(out))
		}
		if files, _ := filepath.Glob(filepath.Join(tickets, "*.json")); len(files) != 0 {
			t.Errorf("%d tickets were filed although no intent could be recorded", len(files))
		}
	})
}
