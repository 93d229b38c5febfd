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

package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"slipway.dev/slipway/cmd/slipway/internal/agent"
)

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * time.Hour: "3h", 90 * time.Minute: "1h30m", 30 * time.Minute: "30m",
		90 * time.Second: "1m30s", 10 * time.Second: "10s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestWatchSocketStopsAnAgentNoPlanCanReach: an agent whose socket was
// removed (with its directory) stops; one whose socket another agent
// replaced stops too, and leaves the other's socket in place.
func TestWatchSocketStopsAnAgentNoPlanCanReach(t *testing.T) {
	if err := agent.Supported(); err != nil {
		t.Skip(err)
	}
	watch := func(t *testing.T, path string) (net.Listener, os.FileInfo, <-chan string) {
		l, sock, err := listenAgent(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		stopped := make(chan string, 1)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go watchSocket(ctx, path, sock, 10*time.Millisecond, func(why string) { stopped <- why })
		return l, sock, stopped
	}
	wantStop := func(t *testing.T, stopped <-chan string) {
		t.Helper()
		select {
		case why := <-stopped:
			t.Log(why)
		case <-time.After(10 * time.Second):
			t.Fatal("the agent did not stop within 10 s")
		}
	}

	t.Run("kept", func(t *testing.T) {
		_, _, stopped := watch(t, filepath.Join(t.TempDir(), "agent.sock"))
		select {
		case why := <-stopped:
			t.Fatalf("an agent whose socket is in place stopped: %s", why)
		case <-time.After(200 * time.Millisecond):
		}
	})
	t.Run("removed", func(t *testing.T) {
		dir := t.TempDir()
		_, _, stopped := watch(t, filepath.Join(dir, "agent.sock"))
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		wantStop(t, stopped)
	})
	t.Run("replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "agent.sock")
		l, sock, stopped := watch(t, path)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		other, err := agent.Listen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wantStop(t, stopped)
		l.Close()
		removeSocket(path, sock)
		if c, err := net.Dial("unix", path); err != nil {
			t.Fatalf("once the replaced agent stopped, the other's socket no longer answers: %v", err)
		} else {
			c.Close()
		}
	})
}

// TestAgentSocketGoesLast: closing the agent's listener, which Serve does
// as soon as the agent is asked to stop, leaves its socket, which
// slipway agent -stop waits to see gone; removeSocket removes it once
// the agent has stopped.
func TestAgentSocketGoesLast(t *testing.T) {
	if err := agent.Supported(); err != nil {
		t.Skip(err)
	}
	path := filepath.Join(t.TempDir(), "agent.sock")
	l, sock, err := listenAgent(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("closing the listener removed the socket, before the agent stopped: %v", err)
	}
	removeSocket(path, sock)
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket of an agent that stopped is still there: %v", err)
	}
}
