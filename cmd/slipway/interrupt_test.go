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
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// applyUntil starts slipway apply -auto-approve in dir and returns once n
// instances have reported creation complete (failing the test if the
// apply ends first), with the addresses reported and the rest of its
// standard output, which the caller must read or discard.
func applyUntil(t *testing.T, dir string, n int) (*exec.Cmd, map[string]bool, io.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := slipway(dir, "apply", "-auto-approve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	sc := bufio.NewScanner(stdout)
	for len(done) < n && sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, ": Creation complete"); i > 0 {
			done[line[:i]] = true
		}
	}
	if len(done) < n {
		t.Fatalf("apply ended before %d resources finished (saw %d)\n%s", n, len(done), stderr.String())
	}
	return cmd, done, stdout, stderr
}

// TestInterruptFinishesInFlight sends Ctrl-C (SIGINT to the whole process
// group, as a terminal does) to an apply of 2,000 files once a few hundred
// have finished. slipway must say once that it is finishing what is in
// flight, start nothing new, record everything that finished, print no
// error per instance, and exit 130; the next apply does the rest.
func TestInterruptFinishesInFlight(t *testing.T) {
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
	cmd, reported, stdout, stderr := applyUntil(t, dir, 300)
	done := len(reported)
	var rest bytes.Buffer
	var wg sync.WaitGroup
	sent := time.Now()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(&rest, stdout)
	}()
	wg.Wait()
	err := cmd.Wait()
	took := time.Since(sent)
	if code := exitCode(err); code != 130 {
		t.Errorf("exit code %d, want 130\nstderr:\n%s", code, stderr.String())
	}
	out := rest.String() + stderr.String()
	if n := strings.Count(out, "Interrupt received, finishing operations in flight (press Ctrl-C again to stop now)"); n != 1 {
		t.Errorf("%d interrupt notices, want 1:\n%s", n, stderr.String())
	}
	for _, bad := range []string{"context canceled", "Error: Apply failed", "failed"} {
		if strings.Contains(out, bad) {
			t.Errorf("output after the interrupt holds %q:\n%s", bad, tail([]byte(out)))
		}
	}
	if !strings.Contains(stderr.String(), "Apply interrupted") {
		t.Errorf("no summary line after the interrupt:\n%s", stderr.String())
	}
	// Everything on disk is recorded: what was in flight finished and is
	// in state; nothing else started.
	st := readState(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "out", "*.txt"))
	if len(files) != len(st.Resources) || len(files) >= 2000 {
		t.Errorf("after the interrupt: %d files on disk, %d in state (of 2000)", len(files), len(st.Resources))
	}
	t.Logf("interrupted after %d reported; exited %s after the signal with %d files, all in state", done, took.Round(time.Millisecond), len(files))

	out2, err := slipway(dir, "apply", "-auto-approve").CombinedOutput()
	if err != nil {
		t.Fatalf("apply after the interrupt: %v\n%s", err, tail(out2))
	}
	if st := readState(t, dir); len(st.Resources) != 2000 {
		t.Errorf("after the second apply %d resources in state, want 2000", len(st.Resources))
	}
	if _, err := os.Stat(filepath.Join(dir, "slipway.slipstate.journal")); !os.IsNotExist(err) {
		t.Errorf("the journal is still there after a complete apply: %v", err)
	}
}

// TestSecondInterruptStopsNow sends Ctrl-C twice to an apply of tickets
// (which are not idempotent): slipway exits at once, state and journal
// stay readable, and the next apply files every missing ticket once.
func TestSecondInterruptStopsNow(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs 1,000 resources")
	}
	const n = 1000
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file_ticket" "t" {
  count = 1000
  dir   = "tickets"
  title = "ticket ${count.index}"
}
`})
	cmd, _, stdout, stderr := applyUntil(t, dir, 200)
	go io.Copy(io.Discard, stdout)
	sent := time.Now()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	time.Sleep(20 * time.Millisecond)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	err := cmd.Wait()
	took := time.Since(sent)
	if code := exitCode(err); code != 130 {
		t.Errorf("exit code %d, want 130\n%s", code, stderr.String())
	}
	if took > 2*time.Second {
		t.Errorf("slipway took %s to stop after the second Ctrl-C", took)
	}
	readState(t, dir) // readable, journal included
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply after the interrupt: %v\n%s", err, tail(out))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tickets", "*.json"))
	if st := readState(t, dir); len(files) != n || len(st.Resources) != n {
		t.Errorf("after the next apply: %d tickets on disk, %d in state; want %d of each, none filed twice", len(files), len(st.Resources), n)
	}
	t.Logf("stopped %s after the second Ctrl-C", took.Round(time.Millisecond))
}
