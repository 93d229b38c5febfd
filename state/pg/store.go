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

package pg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"slipway.dev/slipway/state"
)

// DefaultSchemaName is the schema the tables are kept in unless Config
// says otherwise.
const DefaultSchemaName = "slipway_remote_state"

// DefaultLockTTL is how long a lock outlives its last renewal unless
// Config says otherwise.
const DefaultLockTTL = 30 * time.Second

// minLockTTL keeps the heartbeat (a third of the TTL) from hammering the
// database.
const minLockTTL = time.Second

// defaultConnectTimeout bounds connecting when the connection string sets
// no connect_timeout, which for libpq means waiting as long as TCP does.
const defaultConnectTimeout = 30 * time.Second

// Config is backend "pg"'s configuration.
type Config struct {
	// ConnStr is a libpq connection string: a postgres:// URL or
	// keyword=value pairs. Empty means $PG_CONN_STR. Whatever neither
	// sets comes from libpq's environment variables (PGHOST, PGPORT,
	// PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGPASSFILE,
	// PGSERVICE, ...) and defaults, as psql does.
	ConnStr string
	// SchemaName is the schema that holds the tables. Empty means
	// $PG_SCHEMA_NAME, then DefaultSchemaName.
	SchemaName string
	// SkipSchemaCreation: the schema exists; do not try to create it.
	SkipSchemaCreation bool
	// SkipTableCreation: the tables exist; do not try to create them.
	SkipTableCreation bool
	// LockTTL is how long a lock outlives its last renewal, and so how
	// long a killed holder blocks others. Zero means DefaultLockTTL.
	LockTTL time.Duration
	// Sealer, when set, encrypts the states and journal entries stored.
	Sealer state.Sealer
}

// Store is the states of the workspaces kept in one schema. Its methods
// may be called from several goroutines. Close it when done.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	// states, locks and journal are the tables' quoted, schema-qualified
	// names.
	states, locks, journal string
	ttl                    time.Duration
	sealer                 state.Sealer
	// where names the database and schema in messages; it holds no
	// password.
	where string

	mu       sync.Mutex
	backends map[string]*Backend
}

var _ state.Store = (*Store)(nil)

// maxIdentifier is the longest name PostgreSQL keeps whole
// (NAMEDATALEN - 1 bytes); it truncates longer ones.
const maxIdentifier = 63

// NewStore connects to the database, creates the schema and the tables
// unless told not to, and checks that the tables are there.
func NewStore(ctx context.Context, cfg Config) (*Store, error) {
	connStr := cfg.ConnStr
	if connStr == "" {
		connStr = os.Getenv("PG_CONN_STR")
	}
	schema := cfg.SchemaName
	if schema == "" {
		schema = os.Getenv("PG_SCHEMA_NAME")
	}
	if schema == "" {
		schema = DefaultSchemaName
	}
	if len(schema) > maxIdentifier {
		// PostgreSQL cuts a longer name to its first 63 bytes when it
		// creates the schema, and then finds no schema of the whole name:
		// the first run works and every later one fails.
		return nil, fmt.Errorf("pg backend: schema name %q is %d bytes long; PostgreSQL keeps at most %d", schema, len(schema), maxIdentifier)
	}
	ttl := cfg.LockTTL
	switch {
	case ttl == 0:
		ttl = DefaultLockTTL
	case ttl < minLockTTL:
		return nil, fmt.Errorf("pg backend: lock TTL %s is too short; use at least %s", ttl, minLockTTL)
	}
	pc, err := pgxpool.ParseConfig(connStr)
	if err != nil {
		return nil, fmt.Errorf("pg backend: %w", err)
	}
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	s := &Store{
		schema:   schema,
		states:   pgx.Identifier{schema, "states"}.Sanitize(),
		locks:    pgx.Identifier{schema, "locks"}.Sanitize(),
		journal:  pgx.Identifier{schema, "journal"}.Sanitize(),
		ttl:      ttl,
		sealer:   cfg.Sealer,
		where:    fmt.Sprintf("postgres://%s@%s:%d/%s, schema %s", pc.ConnConfig.User, pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database, schema),
		backends: map[string]*Backend{},
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("pg backend: %w", err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("pg backend: connecting to %s: %w", s.where, err)
	}
	if err := s.setup(ctx, cfg); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the Store's connections. Locks still held through its
// Backends stop being renewed, and expire after the TTL.
func (s *Store) Close() {
	s.mu.Lock()
	for _, b := range s.backends {
		b.stopHeartbeat()
	}
	s.mu.Unlock()
	s.pool.Close()
}

// tables is the definition of each table, by name, for the schema %[1]s.
// The state document is gzip-compressed (and maybe sealed) already, so
// TOAST is told not to compress it again.
var tables = []struct{ name, ddl string }{
	{"states", `CREATE TABLE %[1]s.states (
	workspace      text PRIMARY KEY,
	serial         bigint NOT NULL,
	lineage        text NOT NULL,
	content_digest bytea NOT NULL,
	data           bytea NOT NULL,
	updated_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE %[1]s.states ALTER COLUMN data SET STORAGE EXTERNAL`},
	{"locks", `CREATE TABLE %[1]s.locks (
	workspace  text PRIMARY KEY,
	id         text NOT NULL,
	info       jsonb NOT NULL,
	expires_at timestamptz NOT NULL
)`},
	{"journal", `CREATE TABLE %[1]s.journal (
	workspace text NOT NULL,
	seq       bigint GENERATED ALWAYS AS IDENTITY,
	entry     bytea NOT NULL,
	PRIMARY KEY (workspace, seq)
)`},
}

// TablesDDL is the SQL that creates the tables in schema, for a database
// administrator who creates them by hand (SkipTableCreation).
func TablesDDL(schema string) string {
	var b strings.Builder
	for _, t := range tables {
		fmt.Fprintf(&b, t.ddl+";\n", pgx.Identifier{schema}.Sanitize())
	}
	return b.String()
}

// setup creates what is missing, under a transaction-scoped advisory lock
// so that two first runs do not race to create the same table (which
// PostgreSQL reports as a duplicate key, IF NOT EXISTS or not). It
// creates only what is missing, so a role without CREATE privileges
// works against a schema prepared for it.
func (s *Store) setup(ctx context.Context, cfg Config) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if !cfg.SkipSchemaCreation || !cfg.SkipTableCreation {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('slipway state schema ' || $1))`, s.schema); err != nil {
				return err
			}
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if cfg.SkipSchemaCreation {
				return fmt.Errorf("schema %q does not exist, and skip_schema_creation is set: create it (CREATE SCHEMA %s) or unset skip_schema_creation",
					s.schema, pgx.Identifier{s.schema}.Sanitize())
			}
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return fmt.Errorf("creating schema %q: %w", s.schema, err)
			}
		}
		have := map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, s.schema)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			have[n] = true
		}
		var missing []string
		for _, t := range tables {
			if have[t.name] {
				continue
			}
			if cfg.SkipTableCreation {
				missing = append(missing, t.name)
				continue
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf(t.ddl, pgx.Identifier{s.schema}.Sanitize())); err != nil {
				return fmt.Errorf("creating table %s.%s: %w", s.schema, t.name, err)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("table(s) %s missing from schema %q, and skip_table_creation is set: "+
				"create them (the documentation of backend \"pg\" has the SQL) or unset skip_table_creation",
				strings.Join(missing, ", "), s.schema)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pg backend: setting up %s: %w", s.where, err)
	}
	return nil
}

// Workspaces lists the workspaces that have a state.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT workspace FROM "+s.states)
	if err != nil {
		return nil, fmt.Errorf("listing workspaces in %s: %w", s.where, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing workspaces in %s: %w", s.where, err)
	}
	hasDefault := false
	for _, n := range names {
		hasDefault = hasDefault || n == state.DefaultWorkspace
	}
	if !hasDefault {
		names = append(names, state.DefaultWorkspace)
	}
	sort.Strings(names)
	return names, nil
}

// Backend returns workspace name's Backend; every call for one name
// returns the same one.
func (s *Store) Backend(name string) (state.Backend, error) {
	return s.backend(name)
}

func (s *Store) backend(name string) (*Backend, error) {
	if err := state.ValidWorkspaceName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.backends[name]
	if b == nil {
		b = &Backend{store: s, workspace: name}
		s.backends[name] = b
	}
	return b, nil
}

// DeleteWorkspace removes workspace name's state, journal and lock, in
// one transaction that first takes the workspace's lock, so it refuses a
// lock that is held and no Lock can slip in while it deletes. A
// workspace with neither state nor journal is an error that wraps
// fs.ErrNotExist.
func (s *Store) DeleteWorkspace(ctx context.Context, name string) error {
	if name == state.DefaultWorkspace {
		return fmt.Errorf("the %q workspace cannot be deleted", state.DefaultWorkspace)
	}
	if err := state.ValidWorkspaceName(name); err != nil {
		return err
	}
	info := state.NewLockInfo("workspace delete")
	var holder *state.LockInfo
	var deleted int64 // rows of state and journal
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		got, h, err := s.tryLock(ctx, tx, name, info)
		if err != nil {
			return err
		}
		if !got {
			holder = h
			return errHeld
		}
		tag, err := tx.Exec(ctx, "DELETE FROM "+s.states+" WHERE workspace = $1", name)
		if err != nil {
			return err
		}
		deleted = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, "DELETE FROM "+s.journal+" WHERE workspace = $1", name); err != nil {
			return err
		}
		deleted += tag.RowsAffected()
		_, err = tx.Exec(ctx, "DELETE FROM "+s.locks+" WHERE workspace = $1", name)
		return err
	})
	switch {
	case errors.Is(err, errHeld):
		return fmt.Errorf("deleting workspace %q: %w; it can be deleted once the lock is released", name, &state.LockedError{Info: holder})
	case err != nil:
		return fmt.Errorf("deleting workspace %q in %s: %w", name, s.where, err)
	case deleted == 0:
		return fmt.Errorf("deleting workspace %q: %w: it has no state in %s", name, fs.ErrNotExist, s.where)
	}
	return nil
}
