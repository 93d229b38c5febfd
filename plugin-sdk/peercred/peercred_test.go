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

//go:build linux || darwin

package peercred_test

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"slipway.dev/slipway/plugin-sdk/peercred"
)

// TestBothEndsOfASocket: each end of a Unix socket, the listening and the
// connecting one, is told this process and its user; a closed
// connection cannot be asked.
func TestBothEndsOfASocket(t *testing.T) {
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err := net.Dial("unix", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	if server == nil {
		t.Fatal("nothing accepted")
	}
	defer server.Close()
	for name, c := range map[string]net.Conn{"listening": server, "connecting": client} {
		uc := c.(*net.UnixConn)
		if pid, err := peercred.PID(uc); err != nil || pid != os.Getpid() {
			t.Errorf("%s end: PID %d, %v; want %d", name, pid, err, os.Getpid())
		}
		if uid, err := peercred.UID(uc); err != nil || uid != os.Getuid() {
			t.Errorf("%s end: UID %d, %v; want %d", name, uid, err, os.Getuid())
		}
	}
	client.Close()
	if _, err := peercred.PID(client.(*net.UnixConn)); err == nil {
		t.Error("a closed connection was told a process")
	}
}
