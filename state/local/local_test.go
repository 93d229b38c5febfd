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

package local_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
	"slipway.dev/slipway/state/statetest"
)

// holderEnv, when set to a state path, makes the test binary a child that
// holds that state's lock; see holdLock.
const holderEnv = "SLIPWAY_TEST_LOCK_HOLDER"

func TestMain(m *testing.M) {
	if path := os.Getenv(holderEnv); path != "" {
		holdLock(path)
		return
	}
	statetest.Main(m, openLocal)
}

func openLocal(path string) (state.Backend, error) { return local.New(path), nil }

// holdLock locks the state at path, prints its lock info as JSON and holds
// the lock until stdin closes or the process is killed.
func holdLock(path string) {
	info := state.NewLockInfo("apply")
	if _, err := local.New(path).Lock(context.Background(), info); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(info)
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// startHolder starts a child process holding path's lock and returns it
// with the child's lock info once it holds the lock.
func startHolder(t *testing.T, path string) (*exec.Cmd, *state.LockInfo) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), holderEnv+"="+path)
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
	var info state.LockInfo
	if err := json.NewDecoder(stdout).Decode(&info); err != nil {
		t.Fatalf("reading the holder's lock info: %v", err)
	}
	return cmd, &info
}

func newPath(t *testing.T) string { return filepath.Join(t.TempDir(), state.DefaultLocalPath) }

func TestConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) (state.Backend, string) {
			path := newPath(t)
			return local.New(path), path
		},
		Open: openLocal,
	})
}

func TestCorruptedFile(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		corrupt func([]byte) []byte
		wantIs  error
		wantMsg string
	}{
		"flipped bit": {
			inside(func(b []byte) []byte {
				i := bytes.Index(b, []byte("hunter2")) + len("hunter")
				b[i] ^= 1
				return b
			}),
			state.ErrChecksum, "is corrupted: checksum mismatch",
		},
		"truncated document": {
			inside(func(b []byte) []byte { return b[:len(b)-10] }),
			nil, "is corrupted: invalid JSON",
		},
		"truncated file": {
			func(b []byte) []byte { return b[:len(b)-10] },
			nil, "is corrupted: its compressed data cannot be read: unexpected EOF",
		},
		"flipped bit in the compressed data": {
			func(b []byte) []byte {
				b[len(b)/2] ^= 1
				return b
			},
			nil, "is corrupted: its compressed data cannot be read",
		},
		"newer version": {
			inside(func(b []byte) []byte { return bytes.Replace(b, []byte(`"version":1`), []byte(`"version":9`), 1) }),
			state.ErrUnsupportedVersion, "is unsupported: format version 9 was written by a newer slipway",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := newPath(t)
			if err := local.New(path).Write(ctx, statetest.Sample()); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.corrupt(b), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := local.New(path).Read(ctx)
			if err == nil {
				t.Fatalf("Read of a corrupted file succeeded: %+v", s)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Read error %q does not wrap %v", err, tc.wantIs)
			}
			if want := "state file " + path + " " + tc.wantMsg; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Read error %q, want it to begin %q", err, want)
			}
		})
	}
}

// inside applies corrupt to the document a state file holds, inside its
// compression, as a person editing it would.
func inside(corrupt func([]byte) []byte) func([]byte) []byte {
	return func(stored []byte) []byte {
		zr, err := gzip.NewReader(bytes.NewReader(stored))
		if err != nil {
			panic(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			panic(err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(corrupt(plain))
		zw.Close()
		return buf.Bytes()
	}
}

func TestDeadHolderDoesNotBlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	b := local.New(path)
	child, info := startHolder(t, path)
	pid := child.Process.Pid

	waitCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err := b.Lock(waitCtx, state.NewLockInfo("plan"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.PID != pid || le.Info.ID != info.ID {
		t.Fatalf("Lock while the child holds the lock = %v, want a LockedError naming pid %d", err, pid)
	}
	if want := fmt.Sprintf("state is locked by %s (pid %d) for apply since ", info.Who, pid); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LockedError %q, want it to begin %q", err, want)
	}
	err = b.ForceUnlock(ctx, info.ID)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", pid)) || !strings.Contains(err.Error(), fmt.Sprintf("kill %d", pid)) {
		t.Errorf("ForceUnlock of a live holder's lock = %v, want a refusal naming pid %d", err, pid)
	}

	child.Process.Kill()
	child.Wait()
	if got := readHolder(t, path); got.ID != info.ID {
		t.Fatalf("lock file after the holder died names %+v, want the dead holder's info", got)
	}
	mine := state.NewLockInfo("apply")
	lockCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	id, err := b.Lock(lockCtx, mine)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	if got := readHolder(t, path); got.ID != mine.ID || got.PID != os.Getpid() || got.Path != path {
		t.Errorf("lock file names %+v, want this process's lock %s on %s", got, mine.ID, path)
	}
	if err := b.Unlock(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestForceUnlockDeadHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	child, info := startHolder(t, path)
	child.Process.Kill()
	child.Wait()

	b := local.New(path)
	if err := b.ForceUnlock(ctx, "not-"+info.ID); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("ForceUnlock with a wrong ID = %v, want a mismatch", err)
	}
	if err := b.ForceUnlock(ctx, info.ID); err != nil {
		t.Fatalf("ForceUnlock of a dead holder's lock: %v", err)
	}
	if got, err := os.ReadFile(path + ".lock"); err != nil || len(got) != 0 {
		t.Errorf("lock file after ForceUnlock = %q (%v), want it empty", got, err)
	}
	if err := b.ForceUnlock(ctx, info.ID); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Errorf("second ForceUnlock = %v, want not locked", err)
	}
}

func readHolder(t *testing.T, path string) state.LockInfo {
	t.Helper()
	b, err := os.ReadFile(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	var li state.LockInfo
	if err := json.Unmarshal(b, &li); err != nil {
		t.Fatalf("lock file %q: %v", b, err)
	}
	return li
}

func TestBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	write := func(b *local.Backend, output string) []byte {
		t.Helper()
		s := statetest.Sample()
		s.Outputs["which"] = &state.Output{Value: cty.StringVal(output)}
		if err := b.Write(ctx, s); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	backup := func() []byte {
		data, err := os.ReadFile(path + ".backup")
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	write(local.New(path), "first")
	if got := backup(); got != nil {
		t.Errorf("backup after writing a new file = %q, want none", got)
	}
	first := write(local.New(path), "first")
	if got := backup(); got != nil {
		t.Errorf("backup after a write that changed nothing = %q, want none", got)
	}
	b := local.New(path)
	write(b, "second")
	if got := backup(); !bytes.Equal(got, first) {
		t.Errorf("backup after the first change differs from the file it replaced:\n%s", got)
	}
	write(b, "third")
	if got := backup(); !bytes.Equal(got, first) {
		t.Errorf("a second Write of one Backend replaced the backup")
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n != state.DefaultLocalPath && n != state.DefaultLocalPath+".backup" {
			t.Errorf("stray file %s beside the state", n)
		}
	}
}

// gatedBackend counts Writes and holds the first until gate closes.
type gatedBackend struct {
	state.Backend
	gate   chan struct{}
	writes atomic.Int32
}

func (b *gatedBackend) Write(ctx context.Context, s *state.State) error {
	if b.writes.Add(1) == 1 {
		<-b.gate
	}
	return b.Backend.Write(ctx, s)
}

func TestRecorderCoalesces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	b := &gatedBackend{Backend: local.New(path), gate: make(chan struct{})}
	var mu sync.Mutex
	live := state.NewState()
	r := state.NewRecorder(ctx, b, func() *state.State {
		mu.Lock()
		defer mu.Unlock()
		return live.DeepCopy()
	})

	const n = 50
	var called atomic.Int32
	for i := range n {
		addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "r"}.Instance(addrs.IntKey(i))
		mu.Lock()
		live.Resources[addr.String()] = &state.ResourceInstance{Addr: addr, Type: "file", Value: cty.EmptyObjectVal}
		mu.Unlock()
		r.Record(func(err error) {
			called.Add(1)
			if err != nil {
				t.Errorf("done for %s: %v", addr, err)
				return
			}
			s, err := local.New(path).Read(ctx)
			if err != nil {
				t.Errorf("done for %s: reading the file: %v", addr, err)
				return
			}
			if s.Resources[addr.String()] == nil {
				t.Errorf("done for %s was called before the file held it", addr)
			}
		})
	}
	close(b.gate)
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := called.Load(); got != n {
		t.Errorf("%d done callbacks ran, want %d", got, n)
	}
	if w := b.writes.Load(); w < 1 || w > 2 {
		t.Errorf("%d Records cost %d writes, want 1 or 2", n, w)
	}
}

// badRecords are lock file contents that name no holder: what a holder
// that crashed while recording itself, or another program, leaves.
var badRecords = map[string]string{
	"empty":          "",
	"truncated JSON": `{"id":"6f1c0b2e-0c1d-4c7e","operation":"apply","who":"ana@bu`,
	"random bytes":   "\x8f\x00\xe2\x13garbage\xff\n\x01",
	"JSON null":      "null",
	"no ID":          `{"operation":"apply","pid":12}`,
	"wrong type":     `{"id":"x","pid":"twelve"}`,
}

// A lock file that holds no valid record is a stale lock: taken over when
// no process holds the lock, and reported, never a crash, when one does.
func TestBadLockRecord(t *testing.T) {
	t.Parallel()
	for name, content := range badRecords {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()

			// Free: Lock takes it over; force-unlock clears it.
			path := newPath(t)
			if err := os.WriteFile(path+".lock", []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			b := local.New(path)
			mine := state.NewLockInfo("apply")
			id, err := b.Lock(ctx, mine)
			if err != nil {
				t.Fatalf("Lock over a lock file holding %q: %v", content, err)
			}
			if got := readHolder(t, path); got.ID != mine.ID {
				t.Errorf("lock file names %+v, want %s", got, mine.ID)
			}
			// What was replaced is reported, unless it was nothing, as
			// every Unlock leaves it.
			if err := b.StaleRecord(); (err != nil) != (content != "") || err != nil && !errors.Is(err, local.ErrNoRecord) {
				t.Errorf("StaleRecord after taking over %q = %v", content, err)
			}
			if err := b.Unlock(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+".lock", []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			// An empty file is what every Unlock leaves: nothing to clear.
			if err := local.New(path).ForceUnlock(ctx, "any-id"); (err == nil) != (content != "") || err != nil && !strings.Contains(err.Error(), "not locked") {
				t.Errorf("ForceUnlock of a free lock file holding %q = %v, want success, or not locked when it is empty", content, err)
			}
			if got, err := os.ReadFile(path + ".lock"); err != nil || len(got) != 0 {
				t.Errorf("lock file after ForceUnlock = %q (%v), want it empty", got, err)
			}

			// Held by a live process that recorded nothing valid.
			path = newPath(t)
			child, _ := startHolder(t, path)
			if err := os.WriteFile(path+".lock", []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			waitCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err = local.New(path).Lock(waitCtx, state.NewLockInfo("plan"))
			var le *state.LockedError
			if !errors.As(err, &le) || le.Info != nil || !errors.Is(err, local.ErrNoRecord) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Lock while a holder recorded %q = %v, want a LockedError without Info that is ErrNoRecord and the deadline", content, err)
			}
			var nr *local.NoRecordError
			if !errors.As(err, &nr) || nr.Path != path+".lock" || !strings.HasPrefix(nr.Error(), "the lock file "+path+".lock holds no valid record: ") {
				t.Errorf("Lock's NoRecordError = %v, want one naming %s.lock", nr, path)
			}
			err = local.New(path).ForceUnlock(ctx, "any-id")
			if err == nil || !strings.Contains(err.Error(), "holds no valid record") || !strings.Contains(err.Error(), "running process holds the lock") {
				t.Errorf("ForceUnlock while a holder runs = %v, want a refusal saying the record is not valid", err)
			}

			// Once the holder is gone, the lock is free again.
			child.Process.Kill()
			child.Wait()
			lockCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			b = local.New(path)
			id, err = b.Lock(lockCtx, state.NewLockInfo("apply"))
			if err != nil {
				t.Fatalf("Lock after the holder died: %v", err)
			}
			if err := b.Unlock(ctx, id); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The state of 1,000 apps of 10 objects is stored compressed in at most
// 4 MB, and reads back equal.
func TestThousandAppsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	want := statetest.Apps(1000)
	if err := local.New(path).Write(ctx, want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := state.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the state of 1,000 apps: %d bytes as JSON, %d bytes stored", len(doc), st.Size())
	if st.Size() > 4<<20 {
		t.Errorf("the state of 1,000 apps is stored in %d bytes, more than 4 MiB", st.Size())
	}
	got, err := local.New(path).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := statetest.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// A state file of plain JSON, as slipway 0.1 wrote it (or a person),
// is read, and written back compressed; its backup keeps the content.
func TestPlainJSONStateFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	want := statetest.Sample()
	want.Serial = 3
	doc, err := state.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	b := local.New(path)
	got, err := b.Read(ctx)
	if err != nil {
		t.Fatalf("Read of a plain JSON state file: %v", err)
	}
	if diff := statetest.Diff(want, got); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	got.Outputs["added"] = &state.Output{Value: cty.True}
	if err := b.Write(ctx, got); err != nil {
		t.Fatal(err)
	}
	stored, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte{0x1f, 0x8b}) {
		t.Errorf("the state file written is not gzip-compressed: %q...", stored[:min(len(stored), 20)])
	}
	backup, err := local.New(path + ".backup").Read(ctx)
	if err != nil {
		t.Fatalf("reading the backup: %v", err)
	}
	if diff := statetest.Diff(want, backup); diff != "" {
		t.Errorf("backup (-want +got):\n%s", diff)
	}
}
