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
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

// TestStoreConformance runs the Store suite, WriteSerial's included.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	statetest.TestStore(t, func(t *testing.T) state.Store { return newStore(t, newWhere(t), pg.Config{}) })
}

// resealKeys are the Sealers of statetest.TestReseal, with passphrases.
func resealKeys(t *testing.T) statetest.ResealKeys {
	t.Helper()
	method := func(name string) *encryption.Method {
		p, err := encryption.NewPBKDF2("key_provider.pbkdf2."+name, encryption.PBKDF2Options{Passphrase: "passphrase-of-key-" + name, Iterations: encryption.MinIterations})
		if err != nil {
			t.Fatal(err)
		}
		return &encryption.Method{Addr: "method.aes_gcm." + name, Type: "aes_gcm", Keys: p}
	}
	a, b, c := method("a"), method("b"), method("c")
	sa, sb := encryption.NewSealer("state", a), encryption.NewSealer("state", b)
	return statetest.ResealKeys{
		A: sa, B: sb, Wrong: encryption.NewSealer("state", c),
		Encrypt: sa.AcceptingPlain(),
		Rotate:  encryption.NewSealer("state", b, a),
		Decrypt: sb.Decrypting(),
	}
}

// TestReseal moves a workspace's row and journal entries into
// encryption, onto another key and out again.
func TestReseal(t *testing.T) {
	t.Parallel()
	w := newWhere(t)
	const ws = "resealed"
	statetest.TestReseal(t, resealKeys(t), func(t *testing.T, sealer state.Sealer) state.Backend {
		return backend(t, newStore(t, w, pg.Config{Sealer: sealer}), ws)
	}, func(t *testing.T) map[string][]byte {
		c := adminConn(t, w)
		out := map[string][]byte{}
		var data, digest []byte
		if err := c.QueryRow(t.Context(), "SELECT data, content_digest FROM "+pgx.Identifier{w.Schema, "states"}.Sanitize()+" WHERE workspace = $1", ws).Scan(&data, &digest); err != nil {
			t.Fatal(err)
		}
		out["data"], out["content_digest"] = data, digest
		rows, err := c.Query(t.Context(), "SELECT seq, entry FROM "+pgx.Identifier{w.Schema, "journal"}.Sanitize()+" WHERE workspace = $1", ws)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var entry []byte
			if err := rows.Scan(&seq, &entry); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("journal entry %d", seq)] = entry
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	})
}

// A holder whose lock was taken over, and which does not know it yet,
// neither moves a state in, nor stores one again, nor compacts the
// journal: the database refuses the statement, as it refuses its Write.
func TestLostLockFencesWriteSerialResealAndCompact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		write func(*pg.Backend) error
	}{
		{"WriteSerial", func(b *pg.Backend) error {
			s := statetest.Sample()
			s.Serial = 7
			return b.WriteSerial(t.Context(), s)
		}},
		{"Reseal", func(b *pg.Backend) error { return b.Reseal(t.Context()) }},
		{"Compact", func(b *pg.Backend) error { return b.Journal().Compact(t.Context()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWhere(t)
			a := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
			if err := a.Write(t.Context(), statetest.Sample()); err != nil {
				t.Fatal(err)
			}
			if err := a.Journal().Begin(t.Context(), state.Operation{ID: "op-1", Addr: mustAddr(t, "file.x"), Action: "create"}); err != nil {
				t.Fatal(err)
			}
			mustLock(t, a, "apply")
			pg.StopHeartbeat(a)
			b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
			took, err := lockWithin(b, 5*testTTL)
			if err != nil {
				t.Fatalf("Lock after the holder's heartbeat stopped: %v", err)
			}
			before := adminSnapshot(t, w)
			if err := tc.write(a); !errors.Is(err, pg.ErrLockLost) {
				t.Errorf("%s by the holder that lost its lock = %v, want ErrLockLost", tc.name, err)
			}
			if after := adminSnapshot(t, w); after != before {
				t.Errorf("%s by the holder that lost its lock changed the rows:\nbefore %s\nafter  %s", tc.name, before, after)
			}
			if err := b.Unlock(t.Context(), took.ID); err != nil {
				t.Error(err)
			}
		})
	}
}

// adminSnapshot is the state and journal rows of w, as text.
func adminSnapshot(t *testing.T, w where) string {
	t.Helper()
	var states, journal string
	err := adminConn(t, w).QueryRow(t.Context(), fmt.Sprintf(`SELECT
	(SELECT coalesce(string_agg(workspace || ':' || serial || ':' || md5(data) || ':' || md5(content_digest), ','), '') FROM %s),
	(SELECT coalesce(string_agg(seq || ':' || md5(entry), ',' ORDER BY seq), '') FROM %s)`,
		pgx.Identifier{w.Schema, "states"}.Sanitize(), pgx.Identifier{w.Schema, "journal"}.Sanitize())).Scan(&states, &journal)
	if err != nil {
		t.Fatal(err)
	}
	s := "states " + states + "; journal " + journal
	return s
}
