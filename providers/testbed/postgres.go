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

package testbed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// howToGetPostgres is what an error says when PostgreSQL is missing.
const howToGetPostgres = `The testbed's PostgreSQL is Debian's postgresql package (initdb and
postgres under /usr/lib/postgresql/VERSION/bin). Install it with:
    make deps        (or: apt-get update && apt-get install -y postgresql)`

// PostgresUser is the superuser of a testbed PostgreSQL. It logs in
// without a password (trust authentication), over TCP on 127.0.0.1 or the
// server's Unix socket.
const PostgresUser = "slipway"

// Postgres is a real PostgreSQL server (Debian's postgresql package) of
// its own: a cluster made by initdb in a temporary directory, served on a
// free port of 127.0.0.1 and on a Unix socket in that directory. It keeps
// nothing durable (fsync is off): it exists for tests.
type Postgres struct {
	// Dir holds the cluster's data (Dir/data), its socket and its log;
	// Close removes it.
	Dir string
	// Port is the TCP port on 127.0.0.1, also the socket's number.
	Port int

	proc      *process
	closeOnce sync.Once
	closeErr  error
}

// postgresInstall serialises installing the package within one process.
var postgresInstall sync.Mutex

// StartPostgres makes a cluster with initdb and starts its server, and
// returns once it answers a query. When PostgreSQL is not installed it
// installs Debian's postgresql package first; it never skips. initdb and
// the server refuse to run as root, so as root both run as the postgres
// user that the package creates, over a directory that user owns. Stop it
// with Close.
func StartPostgres(ctx context.Context) (*Postgres, error) {
	bin, err := ensurePostgres()
	if err != nil {
		return nil, err
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "slipway-pg-")
	if err != nil {
		return nil, fmt.Errorf("postgres dir: %w", err)
	}
	p := &Postgres{Dir: dir}
	if err := p.start(ctx, bin, cred); err != nil {
		p.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return p, nil
}

func (p *Postgres) start(ctx context.Context, bin string, cred *syscall.Credential) error {
	if cred != nil {
		if err := os.Chown(p.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("give %s to the postgres user: %w", p.Dir, err)
		}
	}
	data := filepath.Join(p.Dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-A", "trust", "-U", PostgresUser, "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = p.Dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, tail(out, 20))
	}
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	p.Port = ports[0]
	// postgres itself rather than pg_ctl, which would start it as a
	// daemon: as our child it is stopped by its pid, and dies with us.
	p.proc, err = startProcessAs("postgres", filepath.Join(bin, "postgres"), p.Dir, cred,
		"-D", data,
		"-p", strconv.Itoa(p.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+p.Dir,
		"-c", "max_connections=400",
		"-F", // fsync off: the cluster outlives no test
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
	)
	if err != nil {
		return err
	}
	// Fast shutdown: SIGTERM would wait for every client to disconnect.
	p.proc.stopSignal = syscall.SIGINT
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return waitFor(ctx, []*process{p.proc}, "postgres on port "+strconv.Itoa(p.Port), func(ctx context.Context) (bool, error) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, p.ConnString("postgres"))
		if err != nil {
			return false, err
		}
		defer conn.Close(context.Background())
		var one int
		if err := conn.QueryRow(cctx, "SELECT 1").Scan(&one); err != nil {
			return false, err
		}
		return one == 1, nil
	})
}

// ConnString is a libpq keyword/value connection string for database
// db (the cluster has "postgres" and the templates) over TCP.
func (p *Postgres) ConnString(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable", p.Port, PostgresUser, db)
}

// URL is ConnString as a postgres:// URL.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", PostgresUser, p.Port, db)
}

// PID is the server's process ID, 0 once it has stopped.
func (p *Postgres) PID() int {
	if p.proc == nil || p.proc.exited() {
		return 0
	}
	return p.proc.pid()
}

// Close stops the server by its pid (a fast shutdown, which disconnects
// its clients), waits for it and removes its directory. It is safe to
// call more than once.
func (p *Postgres) Close() error {
	p.closeOnce.Do(func() {
		var errs []error
		if p.proc != nil {
			errs = append(errs, p.proc.stop())
		}
		if err := os.RemoveAll(p.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove postgres dir: %w", err))
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// postgresBinDir finds the directory that holds initdb and postgres: the
// one of the initdb on PATH, else the newest of Debian's
// /usr/lib/postgresql/VERSION/bin.
func postgresBinDir() (string, bool) {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(initdb); err == nil {
			dir := filepath.Dir(real)
			if fileExists(filepath.Join(dir, "postgres")) {
				return dir, true
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return debianVersion(dirs[i]) > debianVersion(dirs[j]) })
	for _, dir := range dirs {
		if fileExists(filepath.Join(dir, "initdb")) && fileExists(filepath.Join(dir, "postgres")) {
			return dir, true
		}
	}
	return "", false
}

// debianVersion is the major version in /usr/lib/postgresql/VERSION/bin.
func debianVersion(bin string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bin)), 64)
	return v
}

// ensurePostgres returns the directory of initdb and postgres, installing
// Debian's postgresql package when they are missing.
func ensurePostgres() (string, error) {
	postgresInstall.Lock()
	defer postgresInstall.Unlock()
	if dir, ok := postgresBinDir(); ok {
		return dir, nil
	}
	install := func() ([]byte, error) {
		cmd := exec.Command("apt-get", "install", "-y", "postgresql")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	out, err := install()
	if err != nil {
		if upd, uerr := exec.Command("apt-get", "update").CombinedOutput(); uerr != nil {
			return "", fmt.Errorf("install postgresql: apt-get update: %w\n%s\n\n%s", uerr, tail(upd, 20), howToGetPostgres)
		}
		out, err = install()
	}
	if err != nil {
		return "", fmt.Errorf("install postgresql: %w\n%s\n\n%s", err, tail(out, 20), howToGetPostgres)
	}
	dir, ok := postgresBinDir()
	if !ok {
		return "", fmt.Errorf("postgresql installed but no initdb found on PATH or in /usr/lib/postgresql/*/bin\n\n%s", howToGetPostgres)
	}
	return dir, nil
}

// postgresCredential is who initdb and the server run as: nil (ourselves)
// unless we are root, which PostgreSQL refuses; then the postgres user.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and there is no postgres user to run it as (%v); "+
			"Debian's postgresql package creates it\n\n%s", err, howToGetPostgres)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user's uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user's gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// sharedPostgres is the one PostgreSQL of a test binary, tried once.
var sharedPostgres struct {
	mu    sync.Mutex
	tried bool
	pg    *Postgres
	err   error
}

// SharedPostgres returns the one PostgreSQL of this test binary, starting
// it on first use. It never skips: when the server cannot be had, it fails
// the test with the cause and how to get it. Tests that share it should
// each work in a schema or database of their own. The test binary's
// TestMain must call Main, or StopShared after its tests, so the server
// is stopped.
func SharedPostgres(tb testing.TB) *Postgres {
	tb.Helper()
	sharedPostgres.mu.Lock()
	defer sharedPostgres.mu.Unlock()
	if !sharedPostgres.tried {
		sharedPostgres.tried = true
		ctx, cancel := context.WithTimeout(interrupted, 10*time.Minute)
		defer cancel()
		sharedPostgres.pg, sharedPostgres.err = StartPostgres(ctx)
	}
	if sharedPostgres.err != nil {
		tb.Fatalf("testbed: no PostgreSQL: %v", sharedPostgres.err)
	}
	if sharedPostgres.pg == nil {
		tb.Fatalf("testbed: the shared PostgreSQL was stopped; SharedPostgres must not be called after Main's tests have run")
	}
	return sharedPostgres.pg
}

func stopSharedPostgres() error {
	sharedPostgres.mu.Lock()
	defer sharedPostgres.mu.Unlock()
	if sharedPostgres.pg == nil {
		return nil
	}
	err := sharedPostgres.pg.Close()
	sharedPostgres.pg = nil
	return err
}
