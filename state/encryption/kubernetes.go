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

package encryption

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// minSecretKey is the least key material a Secret must hold: 32 bytes,
// what `openssl rand 32` makes (its base64 form has 44).
const minSecretKey = 32

// secretTimeout bounds reading the Secret.
const secretTimeout = 30 * time.Second

// KubernetesSecret is key provider kubernetes_secret: key material read
// from one key of a Secret, with the credentials kubectl would use. The
// Secret is read once per process, when a key is first needed.
type KubernetesSecret struct {
	addr string
	o    KubernetesSecretOptions

	once     sync.Once
	material []byte
	err      error
}

// KubernetesSecretOptions are the arguments of a kubernetes_secret block.
type KubernetesSecretOptions struct {
	// Namespace holds the Secret; empty means the kubeconfig context's
	// namespace, as kubectl does.
	Namespace string
	Name      string
	Key       string
	// Context is the kubeconfig context; empty means the current one.
	Context string
	// Kubeconfig is a kubeconfig file; empty means KUBECONFIG or
	// ~/.kube/config, or the in-cluster config inside a pod.
	Kubeconfig string
}

// NewKubernetesSecret returns key provider addr
// (key_provider.kubernetes_secret.NAME).
func NewKubernetesSecret(addr string, o KubernetesSecretOptions) *KubernetesSecret {
	return &KubernetesSecret{addr: addr, o: o}
}

// Addr is key_provider.kubernetes_secret.NAME.
func (k *KubernetesSecret) Addr() string { return k.addr }

// secretParams is what the header holds: where the key was, for people
// reading it; Key does not need it.
type secretParams struct {
	Secret string `json:"secret"`
	Key    string `json:"key"`
}

// NewKey returns the Secret's material.
func (k *KubernetesSecret) NewKey() ([]byte, json.RawMessage, error) {
	material, ns, err := k.read()
	if err != nil {
		return nil, nil, err
	}
	params, err := json.Marshal(secretParams{Secret: ns + "/" + k.o.Name, Key: k.o.Key})
	return material, params, err
}

// Key returns the Secret's material, whatever params say: the Secret
// the configuration names is the one to use.
func (k *KubernetesSecret) Key(json.RawMessage) ([]byte, error) {
	material, _, err := k.read()
	return material, err
}

func (k *KubernetesSecret) read() ([]byte, string, error) {
	var ns string
	k.once.Do(func() {
		ns, k.material, k.err = k.fetch()
		k.o.Namespace = ns
	})
	return k.material, k.o.Namespace, k.err
}

func (k *KubernetesSecret) fetch() (string, []byte, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if k.o.Kubeconfig != "" {
		rules.ExplicitPath = k.o.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: k.o.Context})
	ns := k.o.Namespace
	if ns == "" {
		var err error
		if ns, _, err = cc.Namespace(); err != nil {
			return "", nil, fmt.Errorf("finding the namespace of the kubeconfig context: %w", err)
		}
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return ns, nil, fmt.Errorf("loading the kubeconfig (KUBECONFIG, ~/.kube/config or in-cluster): %w", err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return ns, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), secretTimeout)
	defer cancel()
	where := fmt.Sprintf("Secret %s/%s", ns, k.o.Name)
	sec, err := cs.CoreV1().Secrets(ns).Get(ctx, k.o.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return ns, nil, fmt.Errorf("%s does not exist; create it, for example with kubectl create secret generic %s -n %s --from-literal=%s=\"$(openssl rand -base64 32)\"", where, k.o.Name, ns, k.o.Key)
	case apierrors.IsForbidden(err):
		return ns, nil, fmt.Errorf("reading %s is forbidden to the kubeconfig's user: %w", where, err)
	case err != nil:
		return ns, nil, fmt.Errorf("reading %s: %w", where, err)
	}
	material, ok := sec.Data[k.o.Key]
	if !ok {
		return ns, nil, fmt.Errorf("%s has no key %q", where, k.o.Key)
	}
	if len(material) < minSecretKey {
		return ns, nil, fmt.Errorf("key %q of %s holds %d bytes; it needs at least %d random bytes", k.o.Key, where, len(material), minSecretKey)
	}
	return ns, material, nil
}
