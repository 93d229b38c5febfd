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

package pg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

// testTTL is the lock TTL of the tests' stores: short, so that a killed
// holder's lock expires quickly, and long enough for a heartbeat (a third
// of it) to keep up on a busy machine.
const testTTL = 3 * time.Second

func TestMain(m *testing.M) {
	statetest.Child(open)
	code := m.Run()
	closeOpened()
	if err := testbed.StopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "stop the shared PostgreSQL: %v\n", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// where is what Suite.Open is given: a database and a schema.
type where struct {
	Conn   string `json:"conn"`
	Schema string `json:"schema"`
}

// opened are the stores open opened, closed after the tests.
var opened struct {
	sync.Mutex
	stores []*pg.Store
}

func closeOpened() {
	opened.Lock()
	defer opened.Unlock()
	for _, s := range opened.stores {
		s.Close()
	}
	opened.stores = nil
}

// open is Suite.Open: a second client of the storage w names, in this
// process or a child.
func open(w string) (state.Backend, error) {
	var wh where
	if err := json.Unmarshal([]byte(w), &wh); err != nil {
		return nil, err
	}
	s, err := pg.NewStore(context.Background(), pg.Config{ConnStr: wh.Conn, SchemaName: wh.Schema, LockTTL: testTTL})
	if err != nil {
		return nil, err
	}
	opened.Lock()
	opened.stores = append(opened.stores, s)
	opened.Unlock()
	return s.Backend(state.DefaultWorkspace)
}

var schemas atomic.Int64

// newWhere names a fresh schema of the shared server.
func newWhere(t testing.TB) where {
	srv := testbed.SharedPostgres(t)
	return where{Conn: srv.URL("postgres"), Schema: fmt.Sprintf("test_%d_%d", os.Getpid(), schemas.Add(1))}
}

func (w where) String() string {
	b, _ := json.Marshal(w)
	return string(b)
}

// newStore returns a Store over w with cfg's other settings, closed when
// the test ends.
func newStore(t testing.TB, w where, cfg pg.Config) *pg.Store {
	t.Helper()
	cfg.ConnStr, cfg.SchemaName = w.Conn, w.Schema
	if cfg.LockTTL == 0 {
		cfg.LockTTL = testTTL
	}
	s, err := pg.NewStore(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func backend(t testing.TB, s *pg.Store, workspace string) *pg.Backend {
	t.Helper()
	b, err := s.Backend(workspace)
	if err != nil {
		t.Fatal(err)
	}
	return b.(*pg.Backend)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) (state.Backend, string) {
			w := newWhere(t)
			return backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace), w.String()
		},
		Open:       open,
		LockExpiry: testTTL,
	})
}

func TestConformanceSealed(t *testing.T) {
	t.Parallel()
	statetest.TestBackend(t, func(t *testing.T) state.Backend {
		return backend(t, newStore(t, newWhere(t), pg.Config{Sealer: newSealer(t, 1)}), state.DefaultWorkspace)
	})
}

func TestConformanceWorkspace(t *testing.T) {
	t.Parallel()
	statetest.TestBackend(t, func(t *testing.T) state.Backend {
		return backend(t, newStore(t, newWhere(t), pg.Config{}), "staging")
	})
}

func mustLock(t *testing.T, b state.Backend, op string) *state.LockInfo {
	t.Helper()
	info := state.NewLockInfo(op)
	if _, err := b.Lock(t.Context(), info); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	return info
}

// lockWithin locks b, giving up after d.
func lockWithin(b state.Backend, d time.Duration) (*state.LockInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	info := state.NewLockInfo("plan")
	_, err := b.Lock(ctx, info)
	return info, err
}

// Two clients of one workspace write at once, many times, without the
// lock: every write takes a serial step of its own, none is lost, none
// is repeated, and the state stored is one of the states written.
func TestCompareAndSwapWithoutLock(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	const writers, writes = 4, 25
	var mu sync.Mutex
	serials := map[uint64]string{}
	var wg sync.WaitGroup
	for i := range writers {
		// Each writer is a client of its own, as another process would be.
		b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
		wg.Go(func() {
			for n := range writes {
				s := statetest.Sample()
				who := fmt.Sprintf("writer %d, write %d", i, n)
				s.Outputs["who"] = &state.Output{Value: ctyString(who)}
				if err := b.Write(context.Background(), s); err != nil {
					t.Errorf("%s: %v", who, err)
					return
				}
				mu.Lock()
				if other, dup := serials[s.Serial]; dup {
					t.Errorf("%s and %s both got serial %d", who, other, s.Serial)
				}
				serials[s.Serial] = who
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got, err := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != writers*writes {
		t.Errorf("serial after %d writes of new content = %d, want %d", writers*writes, got.Serial, writers*writes)
	}
	for serial := uint64(1); serial <= writers*writes; serial++ {
		if _, ok := serials[serial]; !ok {
			t.Errorf("no write got serial %d", serial)
		}
	}
	if who := got.Outputs["who"].Value.AsString(); who != serials[got.Serial] {
		t.Errorf("stored state is %q's, but the last serial %d was %q's", who, got.Serial, serials[got.Serial])
	}
}

// A holder whose heartbeat stops keeps its lock for one TTL; then the next
// Lock takes it over, and the old holder can write nothing more.
func TestLockExpiresWhenHeartbeatStops(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	a := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	held := mustLock(t, a, "apply")
	if err := a.Write(t.Context(), statetest.Sample()); err != nil {
		t.Fatalf("holder's Write: %v", err)
	}
	// The heartbeat keeps the lock well past its TTL.
	time.Sleep(2 * testTTL)
	if _, err := lockWithin(b, 100*time.Millisecond); !isLocked(err, held) {
		t.Fatalf("Lock two TTLs after the holder took it, with its heartbeat running = %v, want a LockedError naming %s", err, held.ID)
	}
	pg.StopHeartbeat(a)
	stopped := time.Now()
	took, err := lockWithin(b, 5*testTTL)
	if err != nil {
		t.Fatalf("Lock after the holder's heartbeat stopped: %v", err)
	}
	t.Logf("lock taken over %s after the heartbeat stopped (TTL %s)", time.Since(stopped).Round(10*time.Millisecond), testTTL)
	s := statetest.Sample()
	s.Outputs["late"] = &state.Output{Value: ctyString("written by a holder that lost its lock")}
	err = a.Write(t.Context(), s)
	if !errors.Is(err, pg.ErrLockLost) {
		t.Fatalf("old holder's Write = %v, want ErrLockLost", err)
	}
	select {
	case <-a.Lost():
	default:
		t.Errorf("Lost() not closed after a Write found the lock lost")
	}
	if err := a.Journal().Begin(t.Context(), state.Operation{ID: "op-1", Addr: mustAddr(t, "file.x"), Action: "create"}); !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("old holder's journal Begin = %v, want ErrLockLost", err)
	}
	if err := a.Unlock(t.Context(), held.ID); !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("old holder's Unlock = %v, want ErrLockLost", err)
	}
	got, err := b.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 1 || got.Outputs["late"] != nil {
		t.Errorf("state after the old holder's refused Write has serial %d and late output %v, want serial 1 and none", got.Serial, got.Outputs["late"])
	}
	if entries, err := b.Journal().Entries(t.Context()); err != nil || len(entries) != 0 {
		t.Errorf("journal after the old holder's refused Begin = %v, %v, want empty", entries, err)
	}
	if err := b.Unlock(t.Context(), took.ID); err != nil {
		t.Errorf("new holder's Unlock: %v", err)
	}
}

// ForceUnlock breaks a live holder's lock; the holder's heartbeat finds
// out and reports it through Lost, and its next write fails.
func TestForceUnlockLiveHolder(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	a := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	held := mustLock(t, a, "apply")
	if err := b.Unlock(t.Context(), held.ID); err == nil {
		t.Errorf("Unlock of another client's lock succeeded")
	}
	if err := b.ForceUnlock(t.Context(), held.ID); err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	select {
	case <-a.Lost():
	case <-time.After(5 * testTTL):
		t.Fatalf("the holder's Lost() was not closed within %s of a force-unlock", 5*testTTL)
	}
	if err := a.Write(t.Context(), statetest.Sample()); !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("Write after the lock was force-unlocked = %v, want ErrLockLost", err)
	}
	if err := a.Unlock(t.Context(), held.ID); !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("Unlock after the lock was force-unlocked = %v, want ErrLockLost", err)
	}
	if err := b.ForceUnlock(t.Context(), held.ID); err == nil {
		t.Errorf("second ForceUnlock of a released lock succeeded")
	}
}

// A lock timeout of zero still tries once.
func TestLockWithDoneContext(t *testing.T) {
	t.Parallel()
	b := backend(t, newStore(t, newWhere(t), pg.Config{}), state.DefaultWorkspace)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	info := state.NewLockInfo("apply")
	if _, err := b.Lock(ctx, info); err != nil {
		t.Fatalf("Lock with a done context and a free lock: %v", err)
	}
	_, err := b.Lock(ctx, state.NewLockInfo("plan"))
	if !isLocked(err, info) {
		t.Errorf("second Lock with a done context = %v, want a LockedError naming %s", err, info.ID)
	}
	if err := b.Unlock(t.Context(), info.ID); err != nil {
		t.Error(err)
	}
}

func isLocked(err error, holder *state.LockInfo) bool {
	var le *state.LockedError
	return errors.As(err, &le) && le.Info != nil && le.Info.ID == holder.ID
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	s := newStore(t, w, pg.Config{})
	list := func(want ...string) {
		t.Helper()
		got, err := s.Workspaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Workspaces() = %v, want %v", got, want)
		}
	}
	list(state.DefaultWorkspace)
	for _, name := range []string{"", "Prod", "-x", "a_b", "a.b"} {
		if _, err := s.Backend(name); err == nil {
			t.Errorf("Backend(%q) succeeded, want an invalid name", name)
		}
	}
	staging := backend(t, s, "staging")
	if again := backend(t, s, "staging"); again != staging {
		t.Errorf("Backend returned two values for one workspace")
	}
	if _, err := staging.Read(ctx); err != nil {
		t.Fatal(err)
	}
	list(state.DefaultWorkspace) // reading creates nothing
	st := statetest.Sample()
	st.Outputs["where"] = &state.Output{Value: ctyString("staging")}
	if err := staging.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := backend(t, s, "prod").Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	list("default", "prod", "staging")
	if got, err := backend(t, s, state.DefaultWorkspace).Read(ctx); err != nil || !got.Empty() {
		t.Errorf("default workspace = %v, %v; want it empty: each workspace has its own state", got, err)
	}
	if err := s.DeleteWorkspace(ctx, state.DefaultWorkspace); err == nil {
		t.Errorf("DeleteWorkspace(default) succeeded")
	}
	other := backend(t, newStore(t, w, pg.Config{}), "staging")
	held := mustLock(t, other, "apply")
	err := s.DeleteWorkspace(ctx, "staging")
	if !isLocked(err, held) {
		t.Errorf("DeleteWorkspace of a locked workspace = %v, want a LockedError naming %s", err, held.ID)
	}
	if err := other.Unlock(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	if err := staging.Journal().Begin(ctx, state.Operation{ID: "op-1", Addr: mustAddr(t, "file.x"), Action: "create"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWorkspace(ctx, "staging"); err != nil {
		t.Fatalf("DeleteWorkspace: %v", err)
	}
	list("default", "prod")
	if got, err := staging.Read(ctx); err != nil || !got.Empty() {
		t.Errorf("deleted workspace reads %v, %v; want an empty state", got, err)
	}
	if entries, err := staging.Journal().Entries(ctx); err != nil || len(entries) != 0 {
		t.Errorf("deleted workspace's journal = %v, %v; want empty", entries, err)
	}
	if _, err := lockWithin(staging, time.Second); err != nil {
		t.Errorf("Lock of a deleted workspace: %v", err)
	}
	if err := s.DeleteWorkspace(ctx, "nowhere"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("DeleteWorkspace of a workspace without state = %v, want fs.ErrNotExist", err)
	}
}

// TestWriteWaitsForATakeoverInProgress: a holder's write that starts
// while another client takes its lock over (the takeover not yet
// committed) must not store anything once the takeover commits. The
// write's check of the lock saw the lock as it was when the write began,
// so without a row lock it stored its state after the new holder could
// have read the old one, and the new holder's next write undid it.
func TestWriteWaitsForATakeoverInProgress(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	a := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	if err := a.Write(t.Context(), statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	held := mustLock(t, a, "apply")
	pg.StopHeartbeat(a)

	// The takeover (as Lock makes it, once the lock expired), held open in
	// a transaction of its own.
	admin := adminConn(t, w)
	tx, err := admin.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	locks := pgx.Identifier{w.Schema, "locks"}.Sanitize()
	if tag, err := tx.Exec(t.Context(), "UPDATE "+locks+" SET id = 'taken-over', info = '{\"id\": \"taken-over\", \"operation\": \"apply\"}' WHERE workspace = $1 AND id = $2", state.DefaultWorkspace, held.ID); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("takeover: %v (%d rows)", err, tag.RowsAffected())
	}

	changed := statetest.Sample()
	changed.Outputs = nil
	done := make(chan error, 1)
	go func() { done <- a.Write(context.WithoutCancel(t.Context()), changed) }()

	// The write must wait on the takeover's row lock.
	probe := adminConn(t, w)
	waiting := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the write ended (%v) while its lock was being taken over; it must wait for the takeover and then fail", err)
		case <-time.After(20 * time.Millisecond):
		}
		var n int
		if err := probe.QueryRow(t.Context(), "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'", w.Schema).Scan(&n); err != nil {
			t.Fatal(err)
		}
		waiting = n > 0
	}
	if !waiting {
		t.Fatal("the write neither ended nor waited on the takeover")
	}
	before := adminSnapshot(t, w)
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("the write of a holder whose lock was taken over = %v, want ErrLockLost", err)
	}
	if after := adminSnapshot(t, w); after != before {
		t.Errorf("the write of a holder whose lock was taken over changed the rows:\nbefore %s\nafter  %s", before, after)
	}
}
