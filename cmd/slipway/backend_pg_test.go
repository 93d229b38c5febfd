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
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

// pgCountedWorkdir is a configuration of one file whose state backend
// "pg" connects as an application of its own (named after what), with
// the count of that application's connections the server has open.
func pgCountedWorkdir(t *testing.T, what string) (dir string, connections func() int) {
	t.Helper()
	srv := testbed.SharedPostgres(t)
	app := fmt.Sprintf("slipway_%s_test_%d", what, os.Getpid())
	schema := fmt.Sprintf("e2e_%d_%d", os.Getpid(), pgSchemas.Add(1))
	conf := fmt.Sprintf(`slipway {
  backend "pg" {
    conn_str    = %q
    schema_name = %q
  }
}
resource "file" "f" {
  path    = "out/f.txt"
  content = "f\n"
}
`, srv.URL("postgres")+"&application_name="+app, schema)
	dir = workdir(t, map[string]string{"main.slip.hcl": conf})
	admin, err := pgx.Connect(context.Background(), srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	return dir, func() int {
		var n int
		if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// TestAgentLeavesNoPgConnections: the agent serves many plans in one
// process; each opened a connection pool to the pg backend and never
// closed it, so an agent kept idle connections for every plan it had
// made until the server refused new clients. Once a plan is served,
// none of its connections is left open.
func TestAgentLeavesNoPgConnections(t *testing.T) {
	t.Parallel()
	dir, connections := pgCountedWorkdir(t, "agent")
	if out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	// settled is the count once the server has seen closed connections
	// go, or the count still there after a generous wait.
	settled := func() int {
		n := connections()
		for deadline := time.Now().Add(15 * time.Second); n > 0 && time.Now().Before(deadline); n = connections() {
			time.Sleep(50 * time.Millisecond)
		}
		return n
	}

	env := []string{"SLIPWAY_AGENT=auto", "CI=true", "SLIPWAY_LOG=debug"}
	ag := slipway(dir, "agent")
	ag.Env = append(ag.Env, env...)
	var agentLog bytes.Buffer
	ag.Stdout, ag.Stderr = &agentLog, &agentLog
	if err := ag.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		runEnv(t, dir, env, "agent", "-stop")
		if ag.Process != nil {
			syscall.Kill(-ag.Process.Pid, syscall.SIGKILL)
		}
		ag.Wait()
	})
	sock := filepath.Join(dir, ".slipway", "agent.sock")
	for deadline := time.Now().Add(60 * time.Second); ; {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not listen:\n%s", agentLog.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range 3 {
		out, errOut, code := runEnv(t, dir, env, "plan", "-detailed-exitcode")
		if code != 0 || !strings.Contains(errOut, "made by the agent") {
			t.Fatalf("plan %d: exit %d, want 0 and made by the agent\n%s%s", i, code, out, errOut)
		}
	}
	if n := settled(); n != 0 {
		t.Errorf("%d connections of the agent's plans are still open after they were served", n)
	}
}

// TestReconcileRoundsLeaveNothingOpen: reconcile runs round after round
// in one process. Each round opened the pg backend's connection pool and
// left it open, so a loop that ran for days held idle connections for
// every round until the server refused new clients; and a Ctrl-C between
// rounds exited 0, as if the loop had ended well. Between rounds no
// connection of the loop's is open, and a stop exits 130 and says so.
func TestReconcileRoundsLeaveNothingOpen(t *testing.T) {
	t.Parallel()
	dir, connections := pgCountedWorkdir(t, "reconcile")

	rec := slipway(dir, "reconcile", "-interval=1h")
	out, err := rec.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	rec.Stderr = &errb
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-rec.Process.Pid, syscall.SIGKILL) })
	// The first round: an apply, then the wait for the next.
	lines := make(chan string)
	go func() {
		defer close(lines)
		buf := make([]byte, 4096)
		var text string
		for {
			n, err := out.Read(buf)
			text += string(buf[:n])
			if strings.Contains(text, "Next reconcile in") {
				lines <- text
				io.Copy(io.Discard, out)
				return
			}
			if err != nil {
				lines <- text
				return
			}
		}
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(2 * time.Minute):
		t.Fatal("no round ended within 2 minutes")
	}
	if !strings.Contains(first, "Next reconcile in") || !strings.Contains(first, "Apply complete!") {
		t.Fatalf("the first round did not apply and wait:\n%s\n%s", first, errb.String())
	}
	n := connections()
	for deadline := time.Now().Add(15 * time.Second); n > 0 && time.Now().Before(deadline); n = connections() {
		time.Sleep(50 * time.Millisecond)
	}
	if n != 0 {
		t.Errorf("%d connections of the round are still open while reconcile waits for the next", n)
	}

	if err := rec.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = rec.Wait()
	if code := exitCode(err); code != 130 || !strings.Contains(errb.String(), "Reconcile interrupted between rounds") {
		t.Errorf("reconcile stopped between rounds: exit %d, want 130 and a line that says so\n%s", code, errb.String())
	}
}
