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

package testbed_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/providers/testbed"
)

// TestPostgres starts a server of its own, queries it over TCP and over
// its socket, and checks that Close ends the server and removes its
// directory.
func TestPostgres(t *testing.T) {
	t.Parallel()
	pg, err := testbed.StartPostgres(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	for name, conn := range map[string]string{
		"tcp":    pg.URL("postgres"),
		"socket": "host=" + pg.Dir + " port=" + strconv.Itoa(pg.Port) + " user=" + testbed.PostgresUser + " dbname=postgres",
	} {
		c, err := pgx.Connect(t.Context(), conn)
		if err != nil {
			t.Fatalf("%s: connect: %v", name, err)
		}
		var addr *string
		if err := c.QueryRow(t.Context(), "SELECT host(inet_server_addr())").Scan(&addr); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case name == "tcp" && (addr == nil || *addr != "127.0.0.1"):
			t.Errorf("over TCP the server's address is %v, want 127.0.0.1", addr)
		case name == "socket" && addr != nil:
			t.Errorf("over the socket the server's address is %v, want none", *addr)
		}
		c.Close(t.Context())
	}
	pid := pg.PID()
	if pid == 0 {
		t.Fatal("PID() = 0 while the server runs")
	}
	if _, err := os.Stat(filepath.Join(pg.Dir, "data", "PG_VERSION")); err != nil {
		t.Errorf("no cluster in %s: %v", pg.Dir, err)
	}
	if err := pg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("postgres (pid %d) still exists after Close (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(pg.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s still exists after Close (stat: %v)", pg.Dir, err)
	}
}
