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
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

// sealer is AES-GCM under a key made from a number: enough to show what a
// backend stores once sealed, and that a wrong key is refused.
type sealer struct{ aead cipher.AEAD }

var sealMagic = []byte("test-sealed:")

func newSealer(t testing.TB, key byte) *sealer {
	t.Helper()
	block, err := aes.NewCipher(bytes.Repeat([]byte{key}, 32))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return &sealer{aead}
}

func (s *sealer) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := append(append([]byte{}, sealMagic...), nonce...)
	return s.aead.Seal(out, nonce, plain, nil), nil
}

func (s *sealer) Open(stored []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(stored, sealMagic)
	if !ok || len(rest) < s.aead.NonceSize() {
		return nil, errors.New("not sealed")
	}
	plain, err := s.aead.Open(nil, rest[:s.aead.NonceSize()], rest[s.aead.NonceSize():], nil)
	if err != nil {
		return nil, errors.New("wrong key")
	}
	return plain, nil
}

// adminConn connects to w's database as the superuser.
func adminConn(t testing.TB, w where) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), w.Conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(t.Context()) })
	return c
}

// With a Sealer, nothing of the state or the journal is stored in clear,
// and a wrong key is refused without anything being overwritten.
func TestSealed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	b := backend(t, newStore(t, w, pg.Config{Sealer: newSealer(t, 1)}), state.DefaultWorkspace)
	st := statetest.Sample()
	if err := b.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := b.Journal().Begin(ctx, state.Operation{ID: "op-1", Addr: mustAddr(t, "file.secret"), Action: "create",
		Planned: instance(t, "file.secret", "hunter2")}); err != nil {
		t.Fatal(err)
	}
	c := adminConn(t, w)
	var data, digest, entry []byte
	if err := c.QueryRow(ctx, fmt.Sprintf(`SELECT s.data, s.content_digest, j.entry FROM %s s, %s j`,
		pgx.Identifier{w.Schema, "states"}.Sanitize(), pgx.Identifier{w.Schema, "journal"}.Sanitize())).Scan(&data, &digest, &entry); err != nil {
		t.Fatal(err)
	}
	for name, stored := range map[string][]byte{"state": data, "digest": digest, "journal entry": entry} {
		if !bytes.HasPrefix(stored, sealMagic) {
			t.Errorf("stored %s is not sealed: %q…", name, stored[:min(len(stored), 20)])
		}
		for _, clear := range []string{"hunter2", "file.secret"} {
			if bytes.Contains(stored, []byte(clear)) {
				t.Errorf("stored %s holds %q in clear", name, clear)
			}
		}
	}

	wrong := backend(t, newStore(t, w, pg.Config{Sealer: newSealer(t, 2)}), state.DefaultWorkspace)
	if _, err := wrong.Read(ctx); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("Read with a wrong key = %v, want an error saying so", err)
	}
	changed := statetest.Sample()
	changed.Outputs["more"] = &state.Output{Value: ctyString("x")}
	if err := wrong.Write(ctx, changed); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("Write with a wrong key = %v, want an error saying so", err)
	}
	if _, err := wrong.Journal().Entries(ctx); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("journal Entries with a wrong key = %v, want an error saying so", err)
	}
	got, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := statetest.Diff(st, got); diff != "" {
		t.Errorf("state after refused writes (-want +got):\n%s", diff)
	}
}

// A document that is not a state is reported as corrupted, naming where
// it is.
func TestCorruptedRow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := adminConn(t, w).Exec(ctx, "UPDATE "+pgx.Identifier{w.Schema, "states"}.Sanitize()+" SET data = 'garbage'"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Read(ctx)
	var fe *state.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "is corrupted") || !strings.Contains(err.Error(), w.Schema) {
		t.Errorf("Read of a garbage row = %v, want a FileError saying it is corrupted and where", err)
	}
}

// Stores opened at once over a new schema all set it up without tripping
// over each other.
func TestConcurrentSetup(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s, err := pg.NewStore(t.Context(), pg.Config{ConnStr: w.Conn, SchemaName: w.Schema})
			if err != nil {
				t.Errorf("NewStore: %v", err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
}

func TestSkipCreation(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	_, err := pg.NewStore(t.Context(), pg.Config{ConnStr: w.Conn, SchemaName: w.Schema, SkipSchemaCreation: true})
	if err == nil || !strings.Contains(err.Error(), "skip_schema_creation") {
		t.Errorf("NewStore without the schema, skipping its creation = %v, want an error naming skip_schema_creation", err)
	}
	if _, err := adminConn(t, w).Exec(t.Context(), "CREATE SCHEMA "+pgx.Identifier{w.Schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	_, err = pg.NewStore(t.Context(), pg.Config{ConnStr: w.Conn, SchemaName: w.Schema, SkipSchemaCreation: true, SkipTableCreation: true})
	if err == nil || !strings.Contains(err.Error(), "skip_table_creation") || !strings.Contains(err.Error(), "states, locks, journal") {
		t.Errorf("NewStore without the tables, skipping their creation = %v, want an error naming them and skip_table_creation", err)
	}
	if _, err := adminConn(t, w).Exec(t.Context(), pg.TablesDDL(w.Schema)); err != nil {
		t.Fatalf("TablesDDL: %v", err)
	}
	s := newStore(t, w, pg.Config{SkipSchemaCreation: true, SkipTableCreation: true})
	if err := backend(t, s, state.DefaultWorkspace).Write(t.Context(), statetest.Sample()); err != nil {
		t.Errorf("Write into tables made from TablesDDL: %v", err)
	}
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]pg.Config{
		"short TTL":      {ConnStr: "postgres://127.0.0.1:1/x", LockTTL: 10},
		"bad conn_str":   {ConnStr: "postgres://u:sekrit@[::1"},
		"nothing listen": {ConnStr: "postgres://u:sekrit@127.0.0.1:1/x?connect_timeout=2"},
	} {
		_, err := pg.NewStore(t.Context(), cfg)
		if err == nil {
			t.Errorf("%s: NewStore succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), "sekrit") {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

// A role with only the privileges the documentation asks for (USAGE on
// the schema, SELECT, INSERT, UPDATE and DELETE on the tables) can do
// everything a backend does, once the tables exist.
func TestLeastPrivilege(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	limited, _ := limitedRole(t, w)
	s := newStore(t, limited, pg.Config{})
	for _, ws := range []string{state.DefaultWorkspace, "other"} {
		b := backend(t, s, ws)
		info := mustLock(t, b, "apply")
		if err := b.Write(ctx, statetest.Sample()); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if _, err := b.Read(ctx); err != nil {
			t.Fatalf("Read: %v", err)
		}
		j := b.Journal()
		if err := j.Begin(ctx, state.Operation{ID: "op-1", Addr: mustAddr(t, "file.x"), Action: "create"}); err != nil {
			t.Fatalf("journal Begin: %v", err)
		}
		if err := j.Resolve(ctx, "op-1"); err != nil {
			t.Fatalf("journal Resolve: %v", err)
		}
		if err := j.Compact(ctx); err != nil {
			t.Fatalf("journal Compact: %v", err)
		}
		if err := b.Unlock(ctx, info.ID); err != nil {
			t.Fatalf("Unlock: %v", err)
		}
	}
	if _, err := s.Workspaces(ctx); err != nil {
		t.Fatalf("Workspaces: %v", err)
	}
	if err := s.DeleteWorkspace(ctx, "other"); err != nil {
		t.Fatalf("DeleteWorkspace: %v", err)
	}
	// A role that may not create tables gets a clear error for a schema
	// without them.
	_, err := pg.NewStore(ctx, pg.Config{ConnStr: limited.Conn, SchemaName: w.Schema + "_none"})
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("NewStore of a new schema by a role without CREATE = %v, want permission denied", err)
	}
}

// limitedRole creates the tables in w's schema and a role with only the
// privileges the documentation asks for, and returns w for that role,
// and the role.
func limitedRole(t *testing.T, w where) (where, string) {
	t.Helper()
	newStore(t, w, pg.Config{}).Close() // the administrator creates the tables
	role := w.Schema + "_user"
	admin := adminConn(t, w)
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + pgx.Identifier{w.Schema}.Sanitize() + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + pgx.Identifier{w.Schema}.Sanitize() + " TO " + role,
	} {
		if _, err := admin.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	u, err := url.Parse(w.Conn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return where{Conn: u.String(), Schema: w.Schema}, role
}

// A holder that cannot reach the database to renew its lock for a whole
// TTL learns that it lost the lock (another process could have taken it
// over by then): Lost is closed and its writes fail with ErrLockLost.
func TestHeartbeatFailureLosesLock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newWhere(t)
	limited, role := limitedRole(t, w)
	b := backend(t, newStore(t, limited, pg.Config{}), state.DefaultWorkspace)
	held := mustLock(t, b, "apply")
	admin := adminConn(t, w)
	// The database turns the holder away: its connections are ended and
	// it may not connect again.
	for _, sql := range []string{
		"ALTER ROLE " + role + " NOLOGIN",
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'",
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	cut := time.Now()
	select {
	case <-b.Lost():
		t.Logf("the holder found its lock lost %s after the database turned it away (TTL %s)", time.Since(cut).Round(10*time.Millisecond), testTTL)
	case <-time.After(5 * testTTL):
		t.Fatalf("Lost() not closed %s after the holder could no longer renew its lock", 5*testTTL)
	}
	if _, err := admin.Exec(ctx, "ALTER ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, statetest.Sample()); !errors.Is(err, pg.ErrLockLost) {
		t.Errorf("Write after the lock was lost = %v, want ErrLockLost", err)
	}
	// Nobody took the lock over meanwhile, so Unlock still releases it.
	if err := b.Unlock(ctx, held.ID); err != nil {
		t.Errorf("Unlock: %v", err)
	}
	other := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	if _, err := lockWithin(other, time.Second); err != nil {
		t.Errorf("Lock after the holder unlocked: %v", err)
	}
}

// TestLongSchemaName: PostgreSQL cuts a name to 63 bytes. A longer schema
// name opened once and then failed at every later open (the schema of the
// whole name is not found, and the one of the cut name exists); it is
// refused from the first, and a name of 63 bytes opens again and again.
func TestLongSchemaName(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	long := w.Schema + "_" + strings.Repeat("x", 64)
	if _, err := pg.NewStore(t.Context(), pg.Config{ConnStr: w.Conn, SchemaName: long}); err == nil || !strings.Contains(err.Error(), "at most 63") {
		t.Errorf("NewStore of a %d-byte schema name = %v, want an error saying PostgreSQL keeps at most 63 bytes", len(long), err)
	}
	fits := long[:63]
	for i := range 2 {
		s, err := pg.NewStore(t.Context(), pg.Config{ConnStr: w.Conn, SchemaName: fits})
		if err != nil {
			t.Fatalf("open %d of a 63-byte schema name: %v", i+1, err)
		}
		s.Close()
	}
}
