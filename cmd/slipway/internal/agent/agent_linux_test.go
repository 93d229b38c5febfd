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
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// TestAUserOfAnotherNamespaceIsNotServed: a process of the agent's own
// user ID in another user namespace (a rootless container, whose root
// maps to the user) is not served: it sees another machine, and would
// be sent this one's environment.
func TestAUserOfAnotherNamespaceIsNotServed(t *testing.T) {
	var served atomic.Bool
	path, _ := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		served.Store(true)
		return 0, ""
	})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "AGENT_TEST_DIAL="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("a client in a user namespace of its own (user namespaces must be allowed): %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "answered 0 bytes" {
		t.Fatalf("the client of another user namespace: %q, want no answer", got)
	}
	if served.Load() {
		t.Fatal("the agent served a client of another user namespace")
	}
	if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}
