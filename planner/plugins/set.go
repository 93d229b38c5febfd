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

package plugins

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"

	"slipway.dev/slipway/plugin-sdk/host"
)

// Set starts the providers one operation needs and ends them on Close.
// It is safe for concurrent use.
type Set struct {
	// Builtins are the names the slipway binary serves itself.
	Builtins map[string]bool
	// Self is the path of the slipway executable, for built-ins.
	Self  string
	Locks *Locks
	// Stderr receives the plugins' own log lines.
	Stderr io.Writer
	// SlipwayVersion is told to providers when they start.
	SlipwayVersion string

	mu      sync.Mutex
	clients map[string]*host.Client
}

// Command returns the command that serves provider name, after checking a
// third-party binary against the lock file.
func (s *Set) Command(name string) (*exec.Cmd, error) {
	if s.Builtins[name] {
		self := s.Self
		if self == "" {
			var err error
			if self, err = os.Executable(); err != nil {
				return nil, fmt.Errorf("find the slipway executable to serve provider %q: %w", name, err)
			}
		}
		return exec.Command(self, "provider", "serve", name), nil
	}
	lock := s.Locks.Providers[name]
	if lock == nil {
		return nil, fmt.Errorf("provider %q is not installed: run \"slipway init\" to find slipway-provider-%s and pin it in %s", name, name, LockFileName)
	}
	sum, err := HashFile(lock.Path)
	if err != nil {
		return nil, fmt.Errorf("provider %q pinned in %s at %s cannot be read (%v): run \"slipway init\" again", name, LockFileName, lock.Path, err)
	}
	if !slices.Contains(lock.Hashes, sum) {
		return nil, fmt.Errorf("provider %q at %s does not match the checksum in %s (it is %s): the binary changed since \"slipway init\"; if you replaced it on purpose, run \"slipway init -upgrade\"", name, lock.Path, LockFileName, sum)
	}
	return exec.Command(lock.Path), nil
}

// Get returns the running client of the provider configuration key
// (provider.NAME or provider.NAME.ALIAS: each configuration gets its own
// process, since Configure is once per process), starting it on first use.
func (s *Set) Get(ctx context.Context, key, name string) (*host.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[key]; c != nil {
		return c, nil
	}
	cmd, err := s.Command(name)
	if err != nil {
		return nil, err
	}
	c, err := host.Launch(ctx, host.LaunchConfig{Name: name, Cmd: cmd, Stderr: s.Stderr, SlipwayVersion: s.SlipwayVersion})
	if err != nil {
		return nil, err
	}
	if s.clients == nil {
		s.clients = map[string]*host.Client{}
	}
	s.clients[key] = c
	return c, nil
}

// Close ends every started provider.
func (s *Set) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		c.Close()
	}
	s.clients = nil
}
