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

package statetest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// Suite describes a backend to Run.
type Suite struct {
	// New returns a Backend over fresh, empty storage, and a string that
	// names that storage for Open.
	New func(t *testing.T) (state.Backend, string)
	// Open opens the storage that New named, as a second, independent
	// client would. Run calls it in this process and in child processes
	// (the test binary run again; see Main), so it may depend only on its
	// argument and the environment.
	Open func(where string) (state.Backend, error)
	// LockExpiry is how long a lock outlives a holder that was killed: 0
	// for a lock that dies with its process, a lease's duration otherwise.
	LockExpiry time.Duration
	// LargeState is the size of the state the Large test writes, 20 MB
	// when zero.
	LargeState int
}

// childEnv, set in a child process's environment, says what the child is
// to do; childWhere says which storage.
const (
	childEnv   = "SLIPWAY_STATETEST_CHILD"
	childWhere = "SLIPWAY_STATETEST_WHERE"
)

// Main runs a test binary that calls Run. Call it from TestMain with the
// Suite's Open: in a child process Run started it does the child's part
// and exits, and otherwise it runs the tests.
func Main(m *testing.M, open func(where string) (state.Backend, error)) {
	Child(open)
	os.Exit(m.Run())
}

// Child does the part of a child process that Run started, and exits,
// when this process is one; otherwise it returns at once. Main calls it
// first. A TestMain that must clean up after m.Run (stop a server its
// tests shared) calls Child, then m.Run, instead of Main.
func Child(open func(where string) (state.Backend, error)) {
	if what := os.Getenv(childEnv); what != "" {
		os.Exit(child(what, os.Getenv(childWhere), open))
	}
}

// childResult is what a child prints on its stdout, as one JSON line.
type childResult struct {
	Locked bool            `json:"locked"`
	Info   *state.LockInfo `json:"info,omitempty"`
	Error  string          `json:"error,omitempty"`
	Holder *state.LockInfo `json:"holder,omitempty"`
}

// child takes the lock of the storage at where and says whether it got it.
// "hold" waits for the lock as long as it takes; "race" gives up after a
// second. Once it holds the lock the child keeps it until its stdin
// closes, or it is killed.
func child(what, where string, open func(string) (state.Backend, error)) int {
	out := json.NewEncoder(os.Stdout)
	b, err := open(where)
	if err != nil {
		out.Encode(childResult{Error: err.Error()})
		return 1
	}
	ctx := context.Background()
	if what == "race" {
		// Both racers are released at once by their parent closing
		// nothing but writing a line to each.
		bufio.NewReader(os.Stdin).ReadString('\n')
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second)
		defer cancel()
	}
	info := state.NewLockInfo("apply")
	if _, err := b.Lock(ctx, info); err != nil {
		r := childResult{Error: err.Error()}
		var le *state.LockedError
		if errors.As(err, &le) {
			r.Holder = le.Info
		}
		out.Encode(r)
		return 0
	}
	out.Encode(childResult{Locked: true, Info: info})
	io.Copy(io.Discard, os.Stdin)
	if err := b.Unlock(context.Background(), info.ID); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// proc is a child process of the suite.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *json.Decoder
}

func startChild(t *testing.T, what, where string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+what, childWhere+"="+where)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &proc{cmd: cmd, stdin: stdin, out: json.NewDecoder(stdout)}
}

func (p *proc) result(t *testing.T) childResult {
	t.Helper()
	var r childResult
	if err := p.out.Decode(&r); err != nil {
		t.Fatalf("reading child %d's result: %v (did the test binary's TestMain call statetest.Main?)", p.cmd.Process.Pid, err)
	}
	return r
}

// Run checks that a backend keeps the state.Backend contract: what
// TestBackend checks, and what only a shared backend must show: a lock
// freed after its holder is killed, two processes racing for the lock, a
// large state, and readers during writes. The test binary's TestMain must
// call Main.
func Run(t *testing.T, s Suite) {
	TestBackend(t, func(t *testing.T) state.Backend {
		b, _ := s.New(t)
		return b
	})
	ctx := context.Background()
	open := func(t *testing.T, where string) state.Backend {
		t.Helper()
		b, err := s.Open(where)
		if err != nil {
			t.Fatalf("Open(%q): %v", where, err)
		}
		return b
	}
	t.Run("SecondClientSees", func(t *testing.T) {
		t.Parallel()
		b, where := s.New(t)
		want := Sample()
		if err := b.Write(ctx, want); err != nil {
			t.Fatalf("Write: %v", err)
		}
		got, err := open(t, where).Read(ctx)
		if err != nil {
			t.Fatalf("Read by a second client: %v", err)
		}
		if diff := Diff(want, got); diff != "" {
			t.Errorf("second client's Read after Write (-want +got):\n%s", diff)
		}
	})
	t.Run("LockExpiresAfterKill", func(t *testing.T) {
		t.Parallel()
		b, where := s.New(t)
		holder := startChild(t, "hold", where)
		r := holder.result(t)
		if !r.Locked {
			t.Fatalf("child could not take the lock: %s", r.Error)
		}
		// While the holder runs, the lock is its own, and says so.
		err := lockWithin(b, state.NewLockInfo("plan"), 300*time.Millisecond)
		var le *state.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("Lock while a live process holds the lock = %v, want a *state.LockedError", err)
		}
		if le.Info == nil || le.Info.PID != holder.cmd.Process.Pid || le.Info.ID != r.Info.ID {
			t.Errorf("LockedError names %+v, want the holder (pid %d, ID %s)", le.Info, holder.cmd.Process.Pid, r.Info.ID)
		}
		if err := holder.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		holder.cmd.Wait()
		killed := time.Now()
		// The bound is the backend's own promise, with room for a slow
		// machine; it is not a benchmark.
		limit := 2*s.LockExpiry + 10*time.Second
		if err := lockWithin(b, state.NewLockInfo("apply"), limit); err != nil {
			t.Fatalf("Lock after the holder was killed: %v (waited up to %s; the lock should expire after %s)", err, limit, s.LockExpiry)
		}
		t.Logf("lock free %s after its holder was killed (expiry %s)", time.Since(killed).Round(10*time.Millisecond), s.LockExpiry)
	})
	t.Run("TwoProcessesRace", func(t *testing.T) {
		t.Parallel()
		_, where := s.New(t)
		a, b := startChild(t, "race", where), startChild(t, "race", where)
		// Let both children start and open the storage before the race.
		time.Sleep(500 * time.Millisecond)
		for _, p := range []*proc{a, b} {
			if _, err := io.WriteString(p.stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
		}
		ra, rb := a.result(t), b.result(t)
		if ra.Locked == rb.Locked {
			t.Fatalf("two racing processes: locked %v and %v (errors %q, %q), want exactly one to win", ra.Locked, rb.Locked, ra.Error, rb.Error)
		}
		win, lose, winner := ra, rb, a
		if rb.Locked {
			win, lose, winner = rb, ra, b
		}
		if lose.Holder == nil || lose.Holder.PID != winner.cmd.Process.Pid || lose.Holder.ID != win.Info.ID {
			t.Errorf("loser's error %q names %+v, want the winner (pid %d, ID %s)", lose.Error, lose.Holder, winner.cmd.Process.Pid, win.Info.ID)
		}
		if !strings.Contains(lose.Error, fmt.Sprintf("pid %d", winner.cmd.Process.Pid)) {
			t.Errorf("loser's error %q does not name the winner's pid %d", lose.Error, winner.cmd.Process.Pid)
		}
	})
	t.Run("Large", func(t *testing.T) {
		t.Parallel()
		size := s.LargeState
		if size == 0 {
			size = 20 << 20
		}
		b, where := s.New(t)
		want := Large(size)
		if err := b.Write(ctx, want); err != nil {
			t.Fatalf("Write of a %d-byte state: %v", size, err)
		}
		got, err := open(t, where).Read(ctx)
		if err != nil {
			t.Fatalf("Read of a %d-byte state: %v", size, err)
		}
		wantBytes, err := state.Encode(want)
		if err != nil {
			t.Fatal(err)
		}
		gotBytes, err := state.Encode(got)
		if err != nil {
			t.Fatal(err)
		}
		if len(wantBytes) < size {
			t.Fatalf("Large(%d) encodes to only %d bytes", size, len(wantBytes))
		}
		if string(wantBytes) != string(gotBytes) {
			t.Errorf("a %d-byte state read back as %d bytes that differ", len(wantBytes), len(gotBytes))
		}
	})
	t.Run("ReadDuringWrite", func(t *testing.T) {
		t.Parallel()
		b, where := s.New(t)
		// Two states of a few MB each, so a write takes long enough to
		// overlap reads, and spans several chunks where a backend
		// chunks. Each carries its own mark in every resource.
		versions := []*state.State{marked(Large(3<<20), "a"), marked(Large(3<<20), "b")}
		if err := b.Write(ctx, versions[0].DeepCopy()); err != nil {
			t.Fatal(err)
		}
		reader := open(t, where)
		var stop atomic.Bool
		var reads, torn atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for !stop.Load() {
					got, err := reader.Read(ctx)
					if err != nil {
						t.Errorf("Read during writes: %v", err)
						return
					}
					reads.Add(1)
					if m := markOf(got); m == "" {
						torn.Add(1)
					}
				}
			})
		}
		for i := range 6 {
			if err := b.Write(ctx, versions[(i+1)%2].DeepCopy()); err != nil {
				t.Errorf("Write %d: %v", i, err)
				break
			}
		}
		stop.Store(true)
		wg.Wait()
		if torn.Load() > 0 {
			t.Errorf("%d of %d reads during writes saw a state mixing two writes", torn.Load(), reads.Load())
		}
		if reads.Load() == 0 {
			t.Errorf("no read finished while 6 writes ran")
		}
		t.Logf("%d reads during 6 writes, none torn", reads.Load())
	})
}

// Large returns a state whose encoding is at least size bytes: resources
// with incompressible values, as many as it takes.
func Large(size int) *state.State {
	s := state.NewState()
	s.Lineage = "0b7c9a4e-2f1d-4e8a-9c3b-5d6e7f8a9b0c"
	const per = 64 << 10
	buf := make([]byte, per/2)
	for i := 0; i*per < size+per; i++ {
		rand.Read(buf)
		addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "large"}.Instance(addrs.IntKey(i))
		s.Resources[addr.String()] = &state.ResourceInstance{
			Addr:     addr,
			Provider: addrs.Provider{Name: "file"},
			Type:     "file",
			Value: cty.ObjectVal(map[string]cty.Value{
				"content": cty.StringVal(hex.EncodeToString(buf)),
				"mark":    cty.StringVal(""),
			}),
		}
	}
	return s
}

// marked sets every resource's mark to m.
func marked(s *state.State, m string) *state.State {
	for _, r := range s.Resources {
		vals := r.Value.AsValueMap()
		vals["mark"] = cty.StringVal(m)
		r.Value = cty.ObjectVal(vals)
	}
	s.Outputs["mark"] = &state.Output{Value: cty.StringVal(m)}
	return s
}

// markOf is the mark that every resource of s and its output share, or ""
// when they differ.
func markOf(s *state.State) string {
	o := s.Outputs["mark"]
	if o == nil {
		return ""
	}
	m := o.Value.AsString()
	for _, r := range s.Resources {
		if r.Value.GetAttr("mark").AsString() != m {
			return ""
		}
	}
	return m
}
