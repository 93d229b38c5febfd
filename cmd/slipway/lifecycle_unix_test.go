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

//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the slipway binary with the testkit provider and end it
// as a user or a machine would: kill -9, or Ctrl-C (SIGINT to slipway
// alone). The testkit provider writes its process ID to
// SLIPWAY_TESTKIT_PIDFILE, so the tests can tell whether it survived.

const testkitConfig = `
resource "testkit_sleep" "nap" {
  name     = "nap"
  duration = "1h"
}
`

// testkitDir is a configuration that uses the testkit provider, pinned by
// slipway init.
func testkitDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(testkitConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := slipwayIn(dir, "init"); err != nil {
		t.Fatalf("slipway init: %v\n%s", err, out)
	}
	return dir
}

// startSlipway starts slipway in dir, in a process group of its own that
// the test kills at the end, whatever happened. Its standard output is
// sent, line by line, to the returned channel.
func startSlipway(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"), "SLIPWAY_PROVIDER_PATH="+binDir())
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		endGroup(cmd)
		if t.Failed() {
			t.Logf("slipway's standard error:\n%s", stderr.String())
		}
	})
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, out)
		close(lines)
	}()
	return cmd, lines
}

// waitLine waits for a line of output that contains s.
func waitLine(t *testing.T, lines <-chan string, s string) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("slipway ended without printing %q", s)
			}
			if strings.Contains(l, s) {
				return
			}
		case <-timeout:
			t.Fatalf("slipway has not printed %q after 60s", s)
		}
	}
}

// testkitPIDs waits until the testkit provider has written its process ID
// and returns every ID written.
func testkitPIDs(t *testing.T, file string) []int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(file)
		if strings.HasSuffix(string(b), "\n") {
			var pids []int
			for _, f := range strings.Fields(string(b)) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					t.Fatal(err)
				}
				pids = append(pids, pid)
			}
			return pids
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no provider wrote its process ID to %s in 60s", file)
	return nil
}

// alive reports whether a process runs. A zombie does not: an orphan's new
// parent may be slow to reap it, or never do.
func alive(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			return s[i+2] != 'Z' && s[i+2] != 'X'
		}
	} else if _, err := os.Stat("/proc/self/stat"); err == nil {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// allGoneWithin waits up to d after start for the processes to end, and
// returns how long after start the last one was gone.
func allGoneWithin(t *testing.T, pids []int, start time.Time, d time.Duration) time.Duration {
	t.Helper()
	for _, pid := range pids {
		for alive(pid) {
			if time.Since(start) > d {
				t.Fatalf("provider process %d still runs %v later", pid, time.Since(start).Round(time.Millisecond))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// TestKilledSlipwayLeavesNoProvider kills slipway with SIGKILL in the
// middle of an apply, while its provider is busy, and checks that the
// provider is gone two seconds later.
func TestKilledSlipwayLeavesNoProvider(t *testing.T) {
	t.Parallel()
	dir := testkitDir(t)
	pidFile := filepath.Join(dir, "pids")
	cmd, lines := startSlipway(t, dir, []string{"SLIPWAY_TESTKIT_PIDFILE=" + pidFile}, "apply", "-auto-approve")
	waitLine(t, lines, "sleeping 1h0m0s")
	pids := testkitPIDs(t, pidFile)
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("provider %d is not running", pid)
		}
	}

	start := time.Now()
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	gone := allGoneWithin(t, pids, start, 2*time.Second)
	t.Logf("after kill -9 of slipway (pid %d), its providers %v were gone after %v", cmd.Process.Pid, pids, gone.Round(time.Millisecond))
}

// TestInterruptWithAHungProvider sends SIGINT to slipway alone while a
// provider hangs at start, in plan and in apply (which otherwise lets
// what runs finish), and checks that slipway exits, and the provider is
// gone, within two seconds.
func TestInterruptWithAHungProvider(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			dir := testkitDir(t)
			pidFile := filepath.Join(dir, "pids")
			cmd, _ := startSlipway(t, dir, []string{"SLIPWAY_TESTKIT_PIDFILE=" + pidFile, "SLIPWAY_TESTKIT_HANG=1"}, args...)
			pids := testkitPIDs(t, pidFile)
			time.Sleep(200 * time.Millisecond) // well into the handshake wait

			start := time.Now()
			if err := syscall.Kill(cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(10 * time.Second):
				t.Fatal("slipway still runs 10s after SIGINT")
			}
			took := time.Since(start)
			if took > 2*time.Second {
				t.Errorf("slipway exited %v after SIGINT, want within 2s", took)
			}
			if err == nil {
				t.Errorf("slipway exited 0 after an interrupted %s", args[0])
			}
			gone := allGoneWithin(t, pids, start, 2*time.Second)
			t.Logf("slipway %s exited (%v) %v after SIGINT; the hung provider %v was gone after %v", args[0], err, took.Round(time.Millisecond), pids, gone.Round(time.Millisecond))
		})
	}
}
