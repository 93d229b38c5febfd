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

package agent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"

	"slipway.dev/slipway/plugin-sdk/peercred"
)

// Supported says why an agent cannot run on this system (nil when it
// can): it must learn who connects to its socket.
func Supported() error {
	if peercred.Supported() != nil {
		return errors.New("slipway agent needs to check who connects to its socket, which it cannot do on " + runtime.GOOS)
	}
	return nil
}

// ownListener checks that the process listening at the other end of a
// connection a client made runs as this process's user.
func ownListener(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("not a Unix socket but %s", c.LocalAddr().Network())
	}
	uid, err := peercred.UID(uc)
	if err != nil {
		return fmt.Errorf("whose process listens cannot be told: %w", err)
	}
	if uid != os.Getuid() {
		return fmt.Errorf("a process of user %d listens, not of user %d", uid, os.Getuid())
	}
	if err := sameNamespaces(uc); err != nil {
		return fmt.Errorf("the process that listens is not of this machine's view: %w", err)
	}
	return nil
}

// sameUser checks that the process at the other end of conn runs as this
// process's user.
func sameUser(conn *net.UnixConn) error {
	uid, err := peercred.UID(conn)
	if err != nil {
		return err
	}
	if uid != os.Getuid() {
		return fmt.Errorf("a process of user %d connected; the agent serves user %d only", uid, os.Getuid())
	}
	if err := sameNamespaces(conn); err != nil {
		return fmt.Errorf("a process of user %d connected, but %w; the agent serves its own namespaces only", uid, err)
	}
	return nil
}
