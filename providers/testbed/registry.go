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

package testbed

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// registryBin is where Debian's docker-registry package installs the
// distribution (v2) registry.
const registryBin = "/usr/bin/docker-registry"

// howToGetRegistry is what an error says when the registry is missing.
const howToGetRegistry = `The testbed's container registry is Debian's docker-registry package
(the distribution v2 registry). Install it with:
    apt-get update && apt-get install -y docker-registry`

// Registry is a real OCI registry (Debian's docker-registry) serving on
// 127.0.0.1 without authentication, with its storage in a directory.
type Registry struct {
	// Addr is the registry's host:port, 127.0.0.1:PORT.
	Addr string

	proc      *process
	closeOnce sync.Once
	closeErr  error
}

// registryInstall serialises installing the package within one process.
var registryInstall sync.Mutex

// StartRegistry starts a registry whose configuration, log and storage
// live in dir, and returns once GET /v2/ answers. When the registry is not
// installed it installs Debian's docker-registry package first; it never
// skips. Stop it with Close.
func StartRegistry(dir string) (*Registry, error) {
	if err := ensureRegistry(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("registry dir: %w", err)
	}
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return nil, fmt.Errorf("registry storage: %w", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	config := fmt.Sprintf(`version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  debug:
    addr: 127.0.0.1:%d
`, storage, addr, ports[1])
	configPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		return nil, fmt.Errorf("registry config: %w", err)
	}
	p, err := startProcess("docker-registry", registryBin, dir, "serve", configPath)
	if err != nil {
		return nil, err
	}
	r := &Registry{Addr: addr, proc: p}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := waitHTTP(ctx, p, "http://"+addr+"/v2/"); err != nil {
		r.Close()
		return nil, fmt.Errorf("start registry: %w", err)
	}
	return r, nil
}

// ensureRegistry installs the docker-registry package when its binary is
// missing, refreshing the package lists if the first attempt fails.
func ensureRegistry() error {
	registryInstall.Lock()
	defer registryInstall.Unlock()
	if fileExists(registryBin) {
		return nil
	}
	install := func() ([]byte, error) {
		cmd := exec.Command("apt-get", "install", "-y", "docker-registry")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	out, err := install()
	if err != nil {
		if upd, uerr := exec.Command("apt-get", "update").CombinedOutput(); uerr != nil {
			return fmt.Errorf("install docker-registry: apt-get update: %w\n%s\n\n%s", uerr, tail(upd, 20), howToGetRegistry)
		}
		out, err = install()
	}
	if err != nil {
		return fmt.Errorf("install docker-registry: %w\n%s\n\n%s", err, tail(out, 20), howToGetRegistry)
	}
	if !fileExists(registryBin) {
		return fmt.Errorf("docker-registry installed but %s is missing\n\n%s", registryBin, howToGetRegistry)
	}
	return nil
}

// Close stops the registry by its pid and waits for it. It is safe to
// call more than once.
func (r *Registry) Close() error {
	r.closeOnce.Do(func() {
		if r.proc != nil {
			r.closeErr = r.proc.stop()
		}
	})
	return r.closeErr
}
