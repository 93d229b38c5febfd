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

package kubernetes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// TestMain lets statetest re-run this test binary as a second client that
// holds or races for a lock; testbed.Main runs the tests and stops the
// shared control plane after them.
func TestMain(m *testing.M) { statetest.MainWith(m, openSite, testbed.Main) }

// testLease is the lease of the tests' locks: short, so that the test of a
// killed holder waits seconds, not the default 30.
const testLease = 3 * time.Second

// site is the storage of one test, as it is passed to a child process.
type site struct {
	Kubeconfig string        `json:"kubeconfig"`
	Namespace  string        `json:"namespace"`
	Suffix     string        `json:"suffix"`
	Workspace  string        `json:"workspace"`
	Lease      time.Duration `json:"lease"`
}

func (s site) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s site) config() Config {
	return Config{ConfigPath: s.Kubeconfig, Namespace: s.Namespace, SecretSuffix: s.Suffix, LeaseDuration: s.Lease}
}

// openSite opens the workspace a site names, as a separate client.
func openSite(where string) (state.Backend, error) {
	var s site
	if err := json.Unmarshal([]byte(where), &s); err != nil {
		return nil, fmt.Errorf("bad site %q: %w", where, err)
	}
	store, err := NewStore(s.config())
	if err != nil {
		return nil, err
	}
	return store.Backend(s.Workspace)
}

// newSite makes a namespace for one test on the shared control plane,
// deleted after it, and returns a site in it.
func newSite(t testing.TB) site {
	t.Helper()
	cluster := testbed.Shared(t)
	admin := adminClient(t)
	var b [4]byte
	rand.Read(b[:])
	ns := "state-" + hex.EncodeToString(b[:])
	if _, err := admin.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return site{Kubeconfig: cluster.Kubeconfig, Namespace: ns, Suffix: "test", Workspace: state.DefaultWorkspace, Lease: testLease}
}

// adminClient is a client of the shared control plane with every right.
func adminClient(t testing.TB) clientset.Interface {
	t.Helper()
	c, err := clientset.NewForConfig(testbed.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openStore opens the site's Store, with wrap around its transport when
// set.
func openStore(t testing.TB, s site, wrap func(http.RoundTripper) http.RoundTripper) *Store {
	t.Helper()
	st, err := newStore(s.config(), wrap)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// openBackend opens the site's workspace.
func openBackend(t testing.TB, s site) *Backend {
	t.Helper()
	b, err := openStore(t, s, nil).backend(s.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// secrets lists the Secrets of the backend in the site's namespace, by
// role.
func secrets(t testing.TB, s site) map[string][]corev1.Secret {
	t.Helper()
	list, err := adminClient(t).CoreV1().Secrets(s.Namespace).List(context.Background(), metav1.ListOptions{LabelSelector: labelManagedBy + "=" + managedBy})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]corev1.Secret{}
	for _, sec := range list.Items {
		out[sec.Labels[labelRole]] = append(out[sec.Labels[labelRole]], sec)
	}
	return out
}

// TestConformance runs the conformance suite every backend must pass.
func TestConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, statetest.Suite{
		New: func(t *testing.T) (state.Backend, string) {
			s := newSite(t)
			return openBackend(t, s), s.String()
		},
		Open:       openSite,
		LockExpiry: testLease,
	})
}
