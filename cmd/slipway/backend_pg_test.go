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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
)

// The tests of backend "pg" run slipway against the testbed's real
// PostgreSQL, each in a schema of its own. They need backend "pg" in the
// command's switch of backend types (command.pgStore, then the Store's
// Backend of the selected workspace); until it is there, slipway init
// refuses the configuration as "Unsupported backend type".

var pgSchemas atomic.Int64

// pgWorkdir makes a configuration directory whose state is kept by
// backend "pg" in a new schema, with body beside the slipway block, and
// runs init. It returns the directory and a client of that schema.
func pgWorkdir(t *testing.T, body string) (string, *pg.Store) {
	t.Helper()
	srv := testbed.SharedPostgres(t)
	schema := fmt.Sprintf("e2e_%d_%d", os.Getpid(), pgSchemas.Add(1))
	conf := fmt.Sprintf(`slipway {
  backend "pg" {
    conn_str    = %q
    schema_name = %q
    lock_ttl    = "3s"
  }
}
%s`, srv.URL("postgres"), schema, body)
	dir := workdir(t, map[string]string{"main.slip.hcl": conf})
	s, err := pg.NewStore(context.Background(), pg.Config{ConnStr: srv.URL("postgres"), SchemaName: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return dir, s
}

// readPgState reads what slipway recorded in s: the default workspace's
// state with its journal replayed onto it.
func readPgState(t *testing.T, s *pg.Store) *state.State {
	t.Helper()
	b, err := s.Backend(state.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatalf("state unreadable: %v", err)
	}
	entries, err := b.(state.Journaled).Journal().Entries(context.Background())
	if err != nil {
		t.Fatalf("intent journal unreadable: %v", err)
	}
	state.Replay(st, entries)
	return st
}

// Apply, plan and the state commands work against backend "pg", and no
// state is written beside the configuration.
func TestPgBackend(t *testing.T) {
	t.Parallel()
	dir, store := pgWorkdir(t, `
resource "file" "f" {
  count   = 3
  path    = "out/${count.index}.txt"
  content = "file ${count.index}\n"
}
`)
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	st := readPgState(t, store)
	if len(st.Resources) != 3 || st.Serial == 0 {
		t.Errorf("state in PostgreSQL has %d resources at serial %d, want 3 at a serial above 0", len(st.Resources), st.Serial)
	}
	if _, err := os.Stat(filepath.Join(dir, state.DefaultLocalPath)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a local state file exists beside the configuration (stat: %v)", err)
	}
	out, err := slipway(dir, "plan", "-detailed-exitcode").CombinedOutput()
	if exitCode(err) != 0 || !bytes.Contains(out, []byte("No changes.")) {
		t.Errorf("plan after apply: exit %d, want 0 and no changes\n%s", exitCode(err), out)
	}
	out, err = slipway(dir, "state", "list").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("file.f[2]")) {
		t.Errorf("state list: %v\n%s", err, out)
	}
	pulled, err := slipway(dir, "state", "pull").Output()
	if err != nil {
		t.Fatalf("state pull: %v", err)
	}
	if pulledState, err := state.Decode(pulled); err != nil || pulledState.Lineage != st.Lineage || pulledState.Serial != st.Serial {
		t.Errorf("state pull gives %v (err %v), want lineage %s serial %d", pulledState, err, st.Lineage, st.Serial)
	}
}

// An apply killed with SIGKILL while it holds the lock: another apply is
// refused naming it while it runs; after the kill its lock is free within
// the lock TTL (3s here), every file it reported finished is recorded, and
// the next apply converges. Its 2,000 files' lines overflow the pipe the
// test stops reading after the first 50, so the apply cannot finish
// before the kill however slowly the plan in between starts (with 400,
// on a busy machine, it did).
func TestPgBackendKilledHolder(t *testing.T) {
	t.Parallel()
	const files = 2000
	dir, store := pgWorkdir(t, fmt.Sprintf(`
resource "file" "f" {
  count   = %d
  path    = "out/${count.index}.txt"
  content = "file ${count.index}\n"
}
`, files))
	cmd, done, _, _ := applyUntil(t, dir, 50)
	out, err := slipway(dir, "plan").CombinedOutput()
	if exitCode(err) != 1 {
		t.Fatalf("plan while an apply holds the lock: exit %d, want 1\n%s", exitCode(err), out)
	}
	for _, want := range []string{"state is locked by", "for apply", fmt.Sprintf("pid %d", cmd.Process.Pid)} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("plan's error lacks %q:\n%s", want, out)
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	killed := time.Now()

	st := readPgState(t, store)
	for addr := range done {
		if st.Resources[addr] == nil {
			t.Errorf("%s was reported finished but is not recorded", addr)
		}
	}
	if len(st.Resources) >= files {
		t.Fatalf("the apply finished before it was killed (%d resources recorded); the test proved nothing", len(st.Resources))
	}
	out, err = slipway(dir, "apply", "-auto-approve", "-lock-timeout=60s").CombinedOutput()
	if err != nil {
		t.Fatalf("apply after the kill: %v\n%s", err, out)
	}
	t.Logf("killed after %d reported, %d recorded; the next apply got the lock and finished %s later",
		len(done), len(st.Resources), time.Since(killed).Round(100*time.Millisecond))
	out, err = slipway(dir, "plan", "-detailed-exitcode").CombinedOutput()
	if exitCode(err) != 0 || !strings.Contains(string(out), "No changes.") {
		t.Fatalf("plan after recovery: exit %d, want 0 and no changes\n%s", exitCode(err), out)
	}
	if st := readPgState(t, store); len(st.Resources) != files {
		t.Errorf("state has %d resources after recovery, want %d", len(st.Resources), files)
	}
}
