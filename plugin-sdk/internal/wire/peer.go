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

package wire

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"slipway.dev/slipway/plugin-sdk/peercred"
)

// PeerEnv names the environment variable by which the host asks a
// provider it started to admit one process only, the host itself, whose
// process ID is its value; the host admits the provider's process only.
// Both learn who is at the other end of the Unix socket between them from
// the kernel (peercred) instead of go-plugin's automatic mutual TLS, which
// makes a P-521 key and certificate on both sides at each start and
// checks them in the handshake: about a quarter of the CPU of a plan of
// one app. The host asks it of providers it knows understand it (those
// built into slipway); any other provider gets AutoMTLS.
const PeerEnv = "SLIPWAY_PLUGIN_PEER"

// peerCreds are gRPC transport credentials that admit a connection only
// over a Unix socket whose other end is the process want returns.
type peerCreds struct {
	// want is the process allowed at the other end; a negative value
	// admits none, with why as the reason.
	want func() (int, string)
	// other names the other end in messages: "the host", "the provider".
	other string
}

// PeerAuthInfo is what a connection admitted by its peer's process
// carries.
type PeerAuthInfo struct {
	credentials.CommonAuthInfo
	PID int
}

// AuthType is peercred.
func (PeerAuthInfo) AuthType() string { return "peercred" }

// PeerClient admits, on the host's side, a provider whose process is
// pid() once it has started (pid() is 0 before). A process given the ID
// of a provider that has exited is admitted only if it is the user's own,
// which could read the provider's certificates as well.
func PeerClient(pid func() int) credentials.TransportCredentials {
	return peerCreds{other: "the provider", want: func() (int, string) {
		if p := pid(); p > 0 {
			return p, ""
		}
		return -1, "the provider has not started"
	}}
}

// PeerServer is NewGRPCServer for a provider whose host asked, with
// PeerEnv's value host, to admit it alone: it admits the process host
// names while that is the provider's parent, parent() (os.Getppid), at
// each connection, and nothing otherwise. A host that is gone is no
// longer the parent, so a process given its ID later is not admitted.
func PeerServer(host string, parent func() int) func([]grpc.ServerOption) *grpc.Server {
	creds := peerCreds{other: "the host", want: peerWant(host, parent)}
	return func(opts []grpc.ServerOption) *grpc.Server {
		// Last, so that it stands whatever go-plugin put before it.
		return NewGRPCServer(append(opts, grpc.Creds(creds)))
	}
}

// peerWant is the process a provider admits: the one PeerEnv's value
// host names, when it is the provider's parent.
func peerWant(host string, parent func() int) func() (int, string) {
	return func() (int, string) {
		pid, err := strconv.Atoi(host)
		switch {
		case err != nil || pid <= 0:
			return -1, fmt.Sprintf("%s=%q names no process", PeerEnv, host)
		}
		if ppid := parent(); pid != ppid {
			return -1, fmt.Sprintf("%s names process %d, but the provider's parent is process %d (the host that started it is gone, or another process set it)", PeerEnv, pid, ppid)
		}
		return pid, ""
	}
}

// admit checks the process at the other end of conn.
func (c peerCreds) admit(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	want, why := c.want()
	if want < 0 {
		return nil, nil, fmt.Errorf("refused a connection: %s", why)
	}
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return nil, nil, fmt.Errorf("refused a connection over %s: only the other end of a Unix socket can be told", conn.LocalAddr().Network())
	}
	pid, err := peercred.PID(uc)
	if err != nil {
		return nil, nil, fmt.Errorf("refused a connection: who is at its other end cannot be told: %w", err)
	}
	if pid != want {
		return nil, nil, fmt.Errorf("refused a connection from process %d: only %s (process %d) may connect", pid, c.other, want)
	}
	// Both ends run as one user: a process of another user is refused
	// even if it was given the ID of one that is gone.
	uid, err := peercred.UID(uc)
	if err != nil {
		return nil, nil, fmt.Errorf("refused a connection: whose process is at its other end cannot be told: %w", err)
	}
	if uid != os.Getuid() {
		return nil, nil, fmt.Errorf("refused a connection from process %d of user %d: only %s, a process of user %d, may connect", pid, uid, c.other, os.Getuid())
	}
	// The kernel carries a Unix socket's bytes between the two processes
	// alone.
	return conn, PeerAuthInfo{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}, PID: pid}, nil
}

func (c peerCreds) ClientHandshake(_ context.Context, _ string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return c.admit(conn)
}

func (c peerCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return c.admit(conn)
}

func (peerCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "peercred"}
}

func (c peerCreds) Clone() credentials.TransportCredentials { return c }

// OverrideServerName is a no-op: no name is checked.
func (peerCreds) OverrideServerName(string) error { return nil }
