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
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sharedStartTimeout bounds building the binaries (minutes, on a fresh
// machine) plus starting the cluster (seconds).
const sharedStartTimeout = 30 * time.Minute

// shared is the one cluster of a test binary. It is tried once: a second
// attempt after a failed build would only fail again, slower.
var shared struct {
	mu      sync.Mutex
	tried   bool
	cluster *Cluster
	err     error
}

// interrupted ends a shared start in progress when Main gets a signal, so
// the handler need not wait minutes for a build to finish.
var interrupted, interrupt = context.WithCancel(context.Background())

// howToGet is what a test failure says when there is no cluster.
const howToGet = `The testbed builds etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok from Go modules on first use and caches them outside
the repository. To build them ahead of a test run (a few minutes, once per
machine), run:
    make testbed        (or: go run ./cmd/slipway-testbed build)
This needs the go command on PATH, access to the Go module proxy, and a few
GB of free disk; set SLIPWAY_TESTBED_CACHE to choose where they go.`

// Main runs a test binary's tests and stops any shared cluster and
// PostgreSQL afterwards.
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { testbed.Main(m) }
//
// An interrupt or SIGTERM also stops them before the binary exits.
func Main(m *testing.M) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "testbed: %v: stopping the shared cluster\n", sig)
		interrupt()
		stopShared()
		os.Exit(1)
	}()
	code := m.Run()
	signal.Stop(sigs)
	close(sigs)
	if err := stopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "testbed: stop shared cluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// StopShared stops the shared cluster and the shared PostgreSQL, those
// that were started. Main calls it; a TestMain that cannot use Main (it
// wraps m.Run itself) calls it after its tests have run.
func StopShared() error { return stopShared() }

func stopShared() error {
	return errors.Join(stopSharedCluster(), stopSharedPostgres())
}

func stopSharedCluster() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster == nil {
		return nil
	}
	err := shared.cluster.Stop()
	shared.cluster = nil
	return err
}

// Shared returns the one cluster of this test binary, starting it (and
// building the binaries) on first use. It never skips: when the cluster
// cannot be had, it fails the test with the cause and how to fix it. Tests
// that share it must not assume an empty cluster; each should work in its
// own namespace. The test binary's TestMain must call Main so the cluster
// is stopped.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.tried {
		shared.tried = true
		ctx, cancel := context.WithTimeout(interrupted, sharedStartTimeout)
		defer cancel()
		shared.cluster, shared.err = startShared(ctx)
	}
	if shared.err != nil {
		tb.Fatalf("testbed: no cluster: %v\n\n%s", shared.err, howToGet)
	}
	if shared.cluster == nil {
		tb.Fatalf("testbed: the shared cluster was stopped; Shared must not be called after Main's tests have run")
	}
	return shared.cluster
}

func startShared(ctx context.Context) (*Cluster, error) {
	b, err := EnsureBinaries(ctx, os.Stderr)
	if err != nil {
		return nil, err
	}
	return StartCluster(ctx, b, ClusterOptions{Log: os.Stderr})
}
