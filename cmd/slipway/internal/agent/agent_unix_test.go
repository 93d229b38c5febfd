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

//go:build unix

package agent

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// Starting a process as another user takes syscall.Credential, which
// Windows has not; the agent does not run there (Supported).

func TestAnotherUserIsNotServed(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to connect as another user")
	}
	var served atomic.Bool
	path, _ := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		served.Store(true)
		return 0, ""
	})
	// Even with the socket and its directories open to everyone, the
	// agent answers no other user.
	for p := path; p != "/" && p != "."; p = filepath.Dir(p) {
		if strings.HasPrefix(p, os.TempDir()+"/") || p == path {
			os.Chmod(p, 0o777)
		}
	}
	// The test binary, where that user may run it.
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(filepath.Dir(path), "client")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "AGENT_TEST_DIAL="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the client as another user: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "answered 0 bytes" {
		t.Fatalf("the client of another user: %q, want no answer", got)
	}
	if served.Load() {
		t.Fatal("the agent served a client of another user")
	}
	// The agent's own user is still served.
	if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}
