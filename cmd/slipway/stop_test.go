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
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondInterruptStopsProviders presses Ctrl-C twice during a long
// apply. A provider that honours its calls' contexts is sent Stop, sees
// the apply's context cancelled, and stops; one that ignores both is
// killed after the grace period, and slipway says so.
func TestSecondInterruptStopsProviders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		ignore bool
	}{
		{"honours Stop", false},
		{"ignores Stop", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "testkit_sleep" "long" {
  name     = "long"
  duration = "5m"
}
`})
			markers := t.TempDir()
			cmd := slipway(dir, "apply", "-auto-approve")
			cmd.Env = append(cmd.Env, "SLIPWAY_TESTKIT_MARKERS="+markers, "SLIPWAY_STOP_GRACE=1s")
			if tc.ignore {
				cmd.Env = append(cmd.Env, "SLIPWAY_TESTKIT_IGNORE_STOP=1")
			}
			out := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(out.String(), "sleeping") {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the apply never started sleeping:\n%s", out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			// As a terminal does: SIGINT to the whole process group,
			// the providers included, which must ignore it.
			syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			for !strings.Contains(out.String(), "Interrupt received") {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no notice of the first interrupt:\n%s", out.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := os.Stat(filepath.Join(markers, "stop")); err == nil {
				t.Errorf("the first Ctrl-C of an apply sent Stop; it should let the change in flight finish")
			}
			syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			err := cmd.Wait()
			if code := exitCode(err); code != 130 {
				t.Errorf("exit code %d, want 130\n%s", code, out.String())
			}
			got := out.String()
			if b, err := os.ReadFile(filepath.Join(markers, "stop")); err != nil {
				t.Errorf("the provider never saw Stop: %v\n%s", err, got)
			} else {
				t.Logf("stop marker: %s", b)
			}
			killed := `provider "testkit" did not stop within 1s after Stop; killed`
			cancelled, cerr := os.ReadFile(filepath.Join(markers, "cancelled"))
			if tc.ignore {
				if !strings.Contains(got, killed) {
					t.Errorf("slipway did not say it killed the provider (%q):\n%s", killed, got)
				}
				return
			}
			if cerr != nil {
				t.Errorf("the apply's context was not cancelled: %v\n%s", cerr, got)
			} else {
				t.Logf("the apply's context ended: %s", cancelled)
			}
			if strings.Contains(got, "killed") {
				t.Errorf("a provider that stopped was killed:\n%s", got)
			}
		})
	}
}
