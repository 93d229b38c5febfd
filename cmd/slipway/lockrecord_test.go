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

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// A lock file that holds no valid record never crashes slipway. Free, it
// is a stale lock that plan takes over; held by a live process, plan
// exits 1 (never 2, which -detailed-exitcode reads as "changes") saying
// the file holds no valid record.
func TestBadLockRecord(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"empty":          "",
		"truncated JSON": `{"id":"6f1c0b2e-0c1d","operation":"apply","who":"ana@bu`,
		"random bytes":   "\x8f\x00\xe2\x13garbage\xff\n\x01",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := workdir(t, map[string]string{"main.slip.hcl": `output "x" { value = 1 }` + "\n"})
			path := filepath.Join(dir, state.DefaultLocalPath)
			write := func() {
				t.Helper()
				if err := os.WriteFile(path+".lock", []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			// Free: a stale lock, taken over; what it held is reported
			// unless it was empty, as every unlock leaves it.
			write()
			out, err := slipway(dir, "plan", "-detailed-exitcode").CombinedOutput()
			if exitCode(err) != 2 {
				t.Errorf("plan over a free lock file holding %q: exit %d, want 2 (changes)\n%s", content, exitCode(err), out)
			}
			if reported := strings.Contains(string(out), "holds no valid record"); reported != (content != "") {
				t.Errorf("plan over a free lock file holding %q reported it: %v, want %v\n%s", content, reported, content != "", out)
			}

			// This test process holds the lock; the record it wrote is
			// replaced with content.
			b := local.New(path)
			id, err := b.Lock(context.Background(), state.NewLockInfo("apply"))
			if err != nil {
				t.Fatal(err)
			}
			defer b.Unlock(context.Background(), id)
			write()
			for _, args := range [][]string{{"plan"}, {"plan", "-detailed-exitcode"}, {"apply", "-auto-approve"}} {
				out, err := slipway(dir, args...).CombinedOutput()
				if exitCode(err) != 1 {
					t.Errorf("%s while the lock is held with a record %q: exit %d, want 1\n%s", strings.Join(args, " "), content, exitCode(err), out)
				}
				for _, want := range []string{"holds no valid record", "no lock ID to force-unlock"} {
					if !strings.Contains(string(out), want) {
						t.Errorf("%s: output lacks %q:\n%s", strings.Join(args, " "), want, out)
					}
				}
				if strings.Contains(string(out), "panic") {
					t.Errorf("%s panicked:\n%s", strings.Join(args, " "), out)
				}
			}
			out, err = slipway(dir, "force-unlock", "-force", "some-id").CombinedOutput()
			if exitCode(err) != 1 || !strings.Contains(string(out), "holds no valid record") {
				t.Errorf("force-unlock of a held lock without a record: exit %d, want 1 saying so\n%s", exitCode(err), out)
			}
		})
	}
}
