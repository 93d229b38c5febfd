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

package encryption_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state/encryption"
)

// TestMain stops the testbed's control plane, if a test started it.
func TestMain(m *testing.M) { testbed.Main(m) }

// keySecret makes a namespace holding Secret "state-key" whose key "key"
// is key, on the testbed's real control plane.
func keySecret(t *testing.T, key []byte) (*testbed.Cluster, string) {
	t.Helper()
	c := testbed.Shared(t)
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := "enc-" + strings.ToLower(rand.Text()[:10])
	ctx := t.Context()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "state-key"}, Data: map[string][]byte{"key": key, "short": []byte("too short")}}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, sec, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return c, ns
}

func randomKey() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

func TestKubernetesSecret(t *testing.T) {
	t.Parallel()
	key := randomKey()
	c, ns := keySecret(t, key)
	newSealer := func(o encryption.KubernetesSecretOptions) *encryption.Sealer {
		return encryption.NewSealer("state", aesMethod("main", encryption.NewKubernetesSecret("key_provider.kubernetes_secret.k", o)))
	}
	opts := encryption.KubernetesSecretOptions{Namespace: ns, Name: "state-key", Key: "key", Kubeconfig: c.Kubeconfig, Context: testbed.ContextName}
	sealed := seal(t, newSealer(opts), plainText)
	if strings.Contains(string(sealed), "hush") {
		t.Fatal("the sealed document holds the plain text")
	}
	if !strings.Contains(string(sealed), fmt.Sprintf(`"secret":"%s/state-key"`, ns)) {
		t.Errorf("the header does not say which Secret: %q", sealed[:200])
	}
	// Another process reads the Secret again and opens it.
	if got, err := newSealer(opts).Open(sealed); err != nil || string(got) != plainText {
		t.Fatalf("Open = %q, %v", got, err)
	}

	// Another key is refused as a wrong key.
	_, other := keySecret(t, randomKey())
	wrong := opts
	wrong.Namespace = other
	if _, err := newSealer(wrong).Open(sealed); !errors.Is(err, encryption.ErrWrongKey) {
		t.Errorf("another Secret's key: %v, want ErrWrongKey", err)
	}

	for name, tt := range map[string]struct {
		change func(*encryption.KubernetesSecretOptions)
		want   string
	}{
		"missing secret":  {func(o *encryption.KubernetesSecretOptions) { o.Name = "nope" }, "does not exist; create it, for example with kubectl create secret generic nope"},
		"missing key":     {func(o *encryption.KubernetesSecretOptions) { o.Key = "nope" }, `has no key "nope"`},
		"short key":       {func(o *encryption.KubernetesSecretOptions) { o.Key = "short" }, "needs at least 32 random bytes"},
		"unknown context": {func(o *encryption.KubernetesSecretOptions) { o.Context = "nope" }, `context "nope"`},
	} {
		o := opts
		tt.change(&o)
		_, err := newSealer(o).Seal([]byte(plainText))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tt.want)
		}
	}
}

// TestKubernetesSecretKubeconfig finds the cluster as kubectl does: from
// KUBECONFIG, its current context, and that context's namespace when the
// block names none.
func TestKubernetesSecretKubeconfig(t *testing.T) {
	key := randomKey()
	c, ns := keySecret(t, key)
	// The same kubeconfig, its context's namespace set, found through
	// KUBECONFIG (with a missing file before it, as kubectl allows).
	cfg, err := clientcmd.LoadFromFile(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contexts[cfg.CurrentContext].Namespace = ns
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := clientcmd.WriteToFile(*cfg, kubeconfig); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing")+string(os.PathListSeparator)+kubeconfig)
	p := encryption.NewKubernetesSecret("key_provider.kubernetes_secret.k", encryption.KubernetesSecretOptions{Name: "state-key", Key: "key"})
	s := encryption.NewSealer("state", aesMethod("main", p))
	sealed := seal(t, s, plainText)
	if got, err := s.Open(sealed); err != nil || string(got) != plainText {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if !strings.Contains(string(sealed), ns+"/state-key") {
		t.Errorf("the namespace did not come from the context: %q", sealed[:200])
	}
}
