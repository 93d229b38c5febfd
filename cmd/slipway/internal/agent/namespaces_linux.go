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
	"fmt"
	"net"
	"os"
	"strconv"

	"slipway.dev/slipway/plugin-sdk/peercred"
)

// sameNamespaces checks that the process at the other end of conn shares
// this process's user and mount namespaces. A process of the same user
// ID in another user namespace (a rootless container, whose root maps to
// the user) or another mount namespace (a container the project's
// directory is mounted into) sees another machine: the agent must not
// hand it this machine's environment, nor plan for it. A peer this
// process cannot see (another PID namespace) is refused too.
func sameNamespaces(conn *net.UnixConn) error {
	pid, err := peercred.PID(conn)
	if err != nil {
		return err
	}
	if pid <= 0 {
		return fmt.Errorf("the process at the other end is in another PID namespace")
	}
	for _, ns := range []string{"user", "mnt"} {
		mine, err := os.Readlink("/proc/self/ns/" + ns)
		if err != nil {
			return fmt.Errorf("this process's %s namespace cannot be read: %w", ns, err)
		}
		theirs, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/" + ns)
		if err != nil {
			return fmt.Errorf("the %s namespace of process %d cannot be read: %w", ns, pid, err)
		}
		if mine != theirs {
			return fmt.Errorf("process %d is in another %s namespace (a container?)", pid, ns)
		}
	}
	return nil
}
