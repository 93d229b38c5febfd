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

package sdk_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// TestServeExitsWhenItsParentDies starts the test provider under a shell
// that stands for slipway, without the parent-death signal slipway's host
// sets on Linux, SIGKILLs the shell, and checks that Serve notices and
// exits within two seconds.
func TestServeExitsWhenItsParentDies(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent := exec.Command("/bin/sh", "-c", `"$0" & echo $!; wait`, self)
	parent.Env = append(os.Environ(), "SLIPWAY_SDKTEST_PROVIDER=test", wire.Handshake.MagicCookieKey+"="+wire.Handshake.MagicCookieValue)
	parent.Stderr = os.Stderr
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	defer parent.Process.Kill()
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(20 * time.Second):
			t.Fatal("nothing printed in 20s")
			return ""
		}
	}
	pid, err := strconv.Atoi(next())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() && running(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if hs := next(); !strings.Contains(hs, "|grpc") {
		t.Fatalf("the provider printed %q, not its handshake", hs)
	}

	start := time.Now()
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for running(pid) {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("the provider (pid %d) still runs 2s after its parent was killed", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("the provider (pid %d) exited %v after its parent was killed", pid, time.Since(start).Round(time.Millisecond))
}

// running reports whether a process runs; a zombie does not.
func running(pid int) bool {
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
