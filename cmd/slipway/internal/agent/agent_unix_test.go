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
	"bufio"
	"context"
	"errors"
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
	os.Chmod(path, 0o777)
	cmd := asAnotherUser(t, filepath.Dir(path), "AGENT_TEST_DIAL="+path)
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

// TestAListenerOfAnotherUserIsSentNothing: a socket at the agent's path
// that a process of another user listens on (one a repository left as a
// link, or another user made) is asked nothing: the request, which holds
// the environment, is never written, Ask says why, and Listening does
// not take it for an agent.
func TestAListenerOfAnotherUserIsSentNothing(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to listen as another user")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.sock")
	cmd := asAnotherUser(t, dir, "AGENT_TEST_RECORD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "listening" {
		t.Fatalf("the listener of another user: %q", lines.Text())
	}
	if _, ok := Listening(path); ok {
		t.Error("Listening took a listener of another user for an agent")
	}
	if !lines.Scan() || lines.Text() != "received 0 bytes" {
		t.Fatalf("the listener of another user, after Listening: %s", lines.Text())
	}
	_, err = Ask(context.Background(), path, &Request{Args: []string{"plan"}, Env: []string{"SECRET=x"}}, io.Discard, io.Discard)
	if !errors.Is(err, ErrAnotherUser) || !strings.Contains(err.Error(), "a process of user 65534 listens, not of user 0") {
		t.Fatalf("Ask of a listener of another user: %v, want ErrAnotherUser saying whose", err)
	}
	if !lines.Scan() || lines.Text() != "received 0 bytes" {
		t.Fatalf("the listener of another user, after Ask: %s; want it sent nothing", lines.Text())
	}
}

// asAnotherUser is the test binary, copied into dir, to be run as user
// 65534 with env added to this process's environment (TestMain's roles),
// dir and its parents in the temporary directory opened to everyone.
func asAnotherUser(t *testing.T, dir string, env ...string) *exec.Cmd {
	t.Helper()
	for p := dir; p != "/" && p != "."; p = filepath.Dir(p) {
		if strings.HasPrefix(p, os.TempDir()+"/") {
			os.Chmod(p, 0o777)
		}
	}
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "as-another-user")
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}
