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

package wire

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// serveHealth serves gRPC's health service with the server newServer
// makes, on a listener of network ("unix" or "tcp"), until the test ends.
func serveHealth(t *testing.T, network string, newServer func([]grpc.ServerOption) *grpc.Server) string {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(nil)
	healthpb.RegisterHealthServer(s, health.NewServer())
	go s.Serve(l)
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

// check calls the health service at addr with creds.
func check(t *testing.T, network, addr string, creds credentials.TransportCredentials) error {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, a)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func self() int { return os.Getpid() }

// TestPeerCredsAdmitTheNamedProcessAlone: a provider serving with
// PeerServer admits the process its host named when that is its parent,
// and a host dialing with PeerClient admits the provider's process, both
// over a Unix socket; any other process, a host naming another than the
// parent, and a TCP connection are refused. (This test is both ends: its
// own process plays the host, the parent and the provider.)
func TestPeerCredsAdmitTheNamedProcessAlone(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name, network, host string
		ppid                int
		client              credentials.TransportCredentials
		refused             string // in the error; "" admits
	}{
		{"both ends check", "unix", me, os.Getpid(), PeerClient(self), ""},
		{"the server alone checks", "unix", me, os.Getpid(), insecure.NewCredentials(), ""},
		{"host not the parent", "unix", me, os.Getpid() + 1, insecure.NewCredentials(), ""},
		{"no process named", "unix", "yes", os.Getpid(), insecure.NewCredentials(), ""},
		{"client expects another provider", "unix", me, os.Getpid(), PeerClient(func() int { return os.Getpid() + 1 }), "only the provider (process " + strconv.Itoa(os.Getpid()+1) + ") may connect"},
		{"provider not started", "unix", me, os.Getpid(), PeerClient(func() int { return 0 }), "the provider has not started"},
		{"tcp", "tcp", me, os.Getpid(), PeerClient(self), "only the other end of a Unix socket can be told"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveHealth(t, tc.network, PeerServer(tc.host, func() int { return tc.ppid }))
			err := check(t, tc.network, addr, tc.client)
			serverRefuses := tc.host != me || tc.ppid != os.Getpid() || tc.network == "tcp"
			switch {
			case tc.refused != "":
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Errorf("got %v, want an error saying %q", err, tc.refused)
				}
			case serverRefuses:
				// The server closes the connection; the client sees no
				// answer.
				if err == nil {
					t.Errorf("the server admitted a connection it should refuse")
				}
			case err != nil:
				t.Errorf("refused: %v", err)
			}
		})
	}
}

// TestPeerServerSaysWhyItRefuses: the reasons a provider refuses every
// connection name what is wrong.
func TestPeerServerSaysWhyItRefuses(t *testing.T) {
	for _, tc := range []struct {
		host string
		ppid int
		want string
	}{
		{"yes", 42, `SLIPWAY_PLUGIN_PEER="yes" names no process`},
		{"0", 42, `SLIPWAY_PLUGIN_PEER="0" names no process`},
		{"41", 42, "SLIPWAY_PLUGIN_PEER names process 41, but the provider's parent is process 42"},
	} {
		creds := peerCreds{other: "the host", want: peerWant(tc.host, func() int { return tc.ppid })}
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		if _, _, err := creds.ServerHandshake(a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q, parent %d: got %v, want %q", PeerEnv, tc.host, tc.ppid, err, tc.want)
		}
	}
}

// TestPeerServerRefusesOnceItsHostIsGone: the provider asks who its
// parent is at each connection, so once the host that started it is
// gone (its parent is then init, or a subreaper), a process that was
// given the host's ID is not admitted.
func TestPeerServerRefusesOnceItsHostIsGone(t *testing.T) {
	var parent atomic.Int64
	parent.Store(int64(os.Getpid()))
	addr := serveHealth(t, "unix", PeerServer(strconv.Itoa(os.Getpid()), func() int { return int(parent.Load()) }))
	if err := check(t, "unix", addr, PeerClient(self)); err != nil {
		t.Fatalf("refused while the host is the parent: %v", err)
	}
	parent.Store(1)
	if err := check(t, "unix", addr, PeerClient(self)); err == nil {
		t.Fatal("admitted the host's process ID once the provider's parent is another")
	}
	creds := peerCreds{other: "the host", want: peerWant(strconv.Itoa(os.Getpid()), func() int { return int(parent.Load()) })}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	want := "SLIPWAY_PLUGIN_PEER names process " + strconv.Itoa(os.Getpid()) + ", but the provider's parent is process 1"
	if _, _, err := creds.ServerHandshake(a); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// TestPeerCredsRefuseAnotherUser: a process of another user is refused
// even when it is the process the provider was told to admit (as one
// given the ID of a host that is gone would be).
func TestPeerCredsRefuseAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to connect as another user")
	}
	dir := t.TempDir()
	for p := dir; p != "/" && p != "."; p = filepath.Dir(p) {
		if strings.HasPrefix(p, os.TempDir()+"/") {
			os.Chmod(p, 0o777)
		}
	}
	path := filepath.Join(dir, "s")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	os.Chmod(path, 0o777)
	// The test binary, where that user may run it.
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "client")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "WIRE_TEST_DIAL="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The provider was told to admit exactly that process.
	creds := peerCreds{other: "the host", want: func() (int, string) { return cmd.Process.Pid, "" }}
	want := "refused a connection from process " + strconv.Itoa(cmd.Process.Pid) + " of user 65534: only the host, a process of user 0, may connect"
	if _, _, err := creds.ServerHandshake(conn); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestMain(m *testing.M) {
	if path := os.Getenv("WIRE_TEST_DIAL"); path != "" {
		// A client of another user (TestPeerCredsRefuseAnotherUser): it
		// connects and waits until the other end closes.
		conn, err := net.Dial("unix", path)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		io.ReadAll(conn)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
