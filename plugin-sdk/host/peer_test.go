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

package host_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"slipway.dev/slipway/plugin-sdk/host"
)

// TestPeerAdmitsTheHostAlone: a provider launched with Peer serves its
// host, in plain gRPC over the Unix socket, and refuses another process
// of the same user; without Peer it asks for the certificate of
// automatic mutual TLS, which plain gRPC has not.
func TestPeerAdmitsTheHostAlone(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, peer := range []bool{true, false} {
		cmd := exec.Command(self)
		cmd.Env = []string{"SLIPWAY_SDKTEST_PROVIDER=test"}
		c, err := host.Launch(t.Context(), host.LaunchConfig{Name: "test", Cmd: cmd, Peer: peer})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Schemas(t.Context()); err != nil {
			t.Fatalf("peer %v: %v", peer, err)
		}
		addr := host.SocketOf(c)

		// This process, the host, in plain gRPC.
		err = askHealth(t.Context(), addr)
		if peer && err != nil {
			t.Errorf("the provider refused its host: %v", err)
		}
		if !peer && err == nil {
			t.Errorf("without Peer, the provider admitted a connection without its certificate")
		}

		// Another process.
		dial := exec.Command(self)
		dial.Env = append(os.Environ(), envRole+"=dial", envDialAddr+"="+addr)
		out, err := dial.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got == "admitted" {
			t.Errorf("peer %v: the provider admitted another process than its host", peer)
		} else {
			t.Logf("peer %v: another process was refused: %s", peer, got)
		}
	}
}
