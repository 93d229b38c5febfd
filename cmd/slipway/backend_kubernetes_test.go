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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/kubernetes"
)

// kubernetesBackendE2E runs slipway with backend "kubernetes" against the
// testbed control plane, as a new user would: two applies at once (the
// second refused naming the first, a third waiting for it), and an apply
// killed with SIGKILL whose lock frees itself within the lease duration,
// with nothing lost.
// backend switch (kubernetesStore); once that is there, enable it with
func kubernetesBackendE2E(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: needs the testbed control plane")
	}
	cluster := testbed.Shared(t)
	admin, err := clientset.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var b [4]byte
	rand.Read(b[:])
	ns := "e2e-state-" + hex.EncodeToString(b[:])
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	backend := func(suffix string) string {
		return fmt.Sprintf(`
slipway {
  backend "kubernetes" {
    config_path    = %q
    namespace      = %q
    secret_suffix  = %q
    lease_duration = "3s"
  }
}
`, cluster.Kubeconfig, ns, suffix)
	}
	readRemote := func(t *testing.T, suffix string) *state.State {
		t.Helper()
		store, err := kubernetes.NewStore(kubernetes.Config{ConfigPath: cluster.Kubeconfig, Namespace: ns, SecretSuffix: suffix})
		if err != nil {
			t.Fatal(err)
		}
		b, err := store.Backend(state.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		st, err := b.Read(ctx)
		if err != nil {
			t.Fatalf("state in the cluster unreadable: %v", err)
		}
		entries, err := b.(state.Journaled).Journal().Entries(ctx)
		if err != nil {
			t.Fatalf("intent journal in the cluster unreadable: %v", err)
		}
		state.Replay(st, entries)
		return st
	}

	t.Run("TwoAppliesAtOnce", func(t *testing.T) {
		t.Parallel()
		dir := workdir(t, map[string]string{"main.slip.hcl": backend("lock") + `
resource "testkit_sleep" "slow" {
  name     = "slow"
  duration = "3s"
}
`})
		first := slipway(dir, "apply", "-auto-approve")
		var firstOut syncBuffer
		first.Stdout, first.Stderr = &firstOut, &firstOut
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(firstOut.String(), "sleeping") {
			if time.Now().After(deadline) {
				t.Fatalf("first apply never started applying:\n%s", firstOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		out, err := slipway(dir, "apply", "-auto-approve").CombinedOutput()
		if exitCode(err) != 1 {
			t.Fatalf("second apply: exit %d, want 1\n%s", exitCode(err), out)
		}
		for _, want := range []string{"state is locked by", "for apply", fmt.Sprintf("pid %d", first.Process.Pid)} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("second apply's error lacks %q:\n%s", want, out)
			}
		}
		waiter, err := slipway(dir, "apply", "-auto-approve", "-lock-timeout=60s").CombinedOutput()
		if err != nil {
			t.Fatalf("apply with -lock-timeout: %v\n%s", err, waiter)
		}
		if !bytes.Contains(waiter, []byte("No changes.")) {
			t.Errorf("apply after waiting for the lock should find no changes:\n%s", waiter)
		}
		if err := first.Wait(); err != nil {
			t.Fatalf("first apply: %v\n%s", err, firstOut.String())
		}
		if st := readRemote(t, "lock"); len(st.Resources) != 1 {
			t.Errorf("state in the cluster has %d resources, want 1", len(st.Resources))
		}
	})

	t.Run("KilledApplyFreesTheLock", func(t *testing.T) {
		t.Parallel()
		dir := workdir(t, map[string]string{"main.slip.hcl": backend("kill") + `
resource "file" "f" {
  count   = 400
  path    = "out/${count.index}.txt"
  content = "file ${count.index}\n"
}
`})
		cmd, done, _, _ := applyUntil(t, dir, 50)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		killed := time.Now()

		st := readRemote(t, "kill")
		for addr := range done {
			if st.Resources[addr] == nil {
				t.Errorf("%s was reported finished but is not in the state in the cluster", addr)
			}
		}
		if len(st.Resources) >= 400 {
			t.Fatalf("the apply finished before it was killed; the test proved nothing")
		}
		// The dead holder's Lease runs out after 3s; no force-unlock.
		out, err := slipway(dir, "apply", "-auto-approve", "-lock-timeout=60s").CombinedOutput()
		if err != nil {
			t.Fatalf("apply after the kill: %v\n%s", err, out)
		}
		t.Logf("the next apply finished %s after the kill", time.Since(killed).Round(100*time.Millisecond))
		out, err = slipway(dir, "plan", "-detailed-exitcode").CombinedOutput()
		if exitCode(err) != 0 || !bytes.Contains(out, []byte("No changes.")) {
			t.Fatalf("plan after recovery: exit %d, want 0 and no changes\n%s", exitCode(err), out)
		}
		if st := readRemote(t, "kill"); len(st.Resources) != 400 {
			t.Errorf("state in the cluster has %d resources after recovery, want 400", len(st.Resources))
		}
		pulled, err := slipway(dir, "state", "pull").Output()
		if err != nil {
			t.Fatalf("state pull: %v", err)
		}
		if got, err := state.Decode(pulled); err != nil || len(got.Resources) != 400 {
			t.Errorf("state pull: %v", err)
		}
	})
}

// syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestKubernetesBackend(t *testing.T) { kubernetesBackendE2E(t) }
