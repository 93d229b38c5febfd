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

package plugins

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBuiltinsAreAskedToAdmitSlipwayAlone: a built-in provider (this
// build, serving it) is started with the request to admit slipway's
// process alone (SLIPWAY_PLUGIN_PEER naming it) and no certificate; a
// third-party provider, which may not understand the request, gets
// go-plugin's certificate (PLUGIN_CLIENT_CERT) and no request, whatever
// of the two slipway's own environment holds.
func TestBuiltinsAreAskedToAdmitSlipwayAlone(t *testing.T) {
	searchEnv(t)
	t.Setenv("SLIPWAY_PLUGIN_PEER", "1")
	t.Setenv("PLUGIN_CLIENT_CERT", "left over")
	dir := t.TempDir()
	// Each writes the environment it was started with, and exits before
	// the handshake.
	exe := func(name string) string {
		return writeExe(t, filepath.Join(dir, name), "#!/bin/sh\nenv > "+filepath.Join(dir, name+".env")+"\nexit 1\n")
	}
	self, third := exe("self"), exe("slipway-provider-file")
	s := &Set{
		Builtins: map[string]bool{"git": true},
		Self:     self,
		Search:   &SearchPath{Dirs: []string{dir}},
		Locks:    &Locks{Providers: map[string]*Lock{"file": {Name: "file", Version: "0.1.0", Hashes: []string{hashOf(t, third)}}}},
	}
	for _, tc := range []struct {
		name, env, peer string
		cert            bool
	}{
		{"git", self + ".env", strconv.Itoa(os.Getpid()), false},
		{"file", third + ".env", "", true},
	} {
		if _, err := s.Get(context.Background(), "provider."+tc.name, tc.name); err == nil {
			t.Fatalf("provider %q started, though it exits before the handshake", tc.name)
		}
		b, err := os.ReadFile(tc.env)
		if err != nil {
			t.Fatalf("provider %q: %v", tc.name, err)
		}
		var peer []string
		cert := false
		for _, kv := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(kv, "SLIPWAY_PLUGIN_PEER="); ok {
				peer = append(peer, v)
			}
			if v, ok := strings.CutPrefix(kv, "PLUGIN_CLIENT_CERT="); ok {
				if v == "left over" {
					t.Errorf("provider %q was started with slipway's PLUGIN_CLIENT_CERT", tc.name)
				}
				cert = true
			}
		}
		if want := tc.peer; (want == "" && len(peer) != 0) || (want != "" && (len(peer) != 1 || peer[0] != want)) {
			t.Errorf("provider %q: SLIPWAY_PLUGIN_PEER %q, want %q", tc.name, peer, want)
		}
		if cert != tc.cert {
			t.Errorf("provider %q: PLUGIN_CLIENT_CERT set %v, want %v", tc.name, cert, tc.cert)
		}
	}
}
