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

package kube

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestConnection(t *testing.T) {
	t.Parallel()
	c := &Connection[*Cluster]{Provider: "kubernetes"}
	if _, err := c.Cluster(); err == nil || err.Error() != "the kubernetes provider is not configured" {
		t.Errorf("before Configure: %v, want \"the kubernetes provider is not configured\"", err)
	}
	bad := errors.New("load kubeconfig: no such file")
	c.SetCluster(nil, bad)
	if _, err := c.Cluster(); !errors.Is(err, bad) {
		t.Errorf("after a failed Configure: %v, want %v", err, bad)
	}
	cl := &Cluster{}
	c.SetCluster(cl, nil)
	if got, err := c.Cluster(); got != cl || err != nil {
		t.Errorf("after Configure: %p, %v; want %p", got, err, cl)
	}
}

// Connect reads the kubeconfig only; no server is needed.
func TestConnect(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	const kubeconfig = `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: a
  context: {cluster: c, user: u}
- name: b
  context: {cluster: c, user: u, namespace: team}
`
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		context, wantNamespace string
	}{
		"current context": {"", "default"},
		"named context":   {"b", "team"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cl, err := Connect(ClientConfig{Kubeconfig: path, Context: tc.context, QPS: 50, Burst: 100, UserAgent: "slipway-test/1"})
			if err != nil {
				t.Fatal(err)
			}
			if cl.DefaultNamespace != tc.wantNamespace {
				t.Errorf("default namespace %q, want %q", cl.DefaultNamespace, tc.wantNamespace)
			}
			if cl.Config.QPS != 50 || cl.Config.Burst != 100 || cl.Config.UserAgent != "slipway-test/1" || cl.Config.Host != "https://127.0.0.1:6443" {
				t.Errorf("REST config QPS %v, burst %d, user agent %q, host %q", cl.Config.QPS, cl.Config.Burst, cl.Config.UserAgent, cl.Config.Host)
			}
			if cl.Dynamic == nil || cl.REST == nil || cl.Discovery == nil || cl.Mapper == nil {
				t.Error("a client is missing")
			}
		})
	}
	if _, err := Connect(ClientConfig{Kubeconfig: filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("no error for a missing kubeconfig")
	}
}
