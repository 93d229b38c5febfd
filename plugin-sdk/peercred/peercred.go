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

package peercred

import "net"

// Supported says why the other end of a socket cannot be told on this
// system, or nil when it can.
func Supported() error { return nil }

// UID returns the user of the process at the other end of conn.
func UID(conn *net.UnixConn) (int, error) { return fromPeer(conn, peerUID) }

// PID returns the process at the other end of conn: the one that
// connected, or, for the connecting side, the one that listened.
func PID(conn *net.UnixConn) (int, error) { return fromPeer(conn, peerPID) }

// fromPeer is what get reads of conn's socket about its other end.
func fromPeer(conn *net.UnixConn, get func(fd int) (int, error)) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, err
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) { v, gerr = get(int(fd)) }); err != nil {
		return 0, err
	}
	return v, gerr
}
