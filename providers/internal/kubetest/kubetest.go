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

package kubetest

import (
	"os"
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"slipway.dev/slipway/providers/testbed"
)

// The resources the tests look at.
var (
	Deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	ConfigMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	Secrets     = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	Services    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	Namespaces  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	Jobs        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
)

// UnreachableKubeconfig writes a kubeconfig of a cluster nobody answers
// for (a closed port on loopback), and returns its path: a provider can
// be configured with it without a request.
func UnreachableKubeconfig(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Client is an admin client of a test cluster; its methods fail the test
// on an error.
type Client struct {
	// Dynamic is for the requests the methods do not cover.
	Dynamic dynamic.Interface

	t testing.TB
}

// New returns a client of cluster for the test t.
func New(t testing.TB, cluster *testbed.Cluster) *Client {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{Dynamic: dyn, t: t}
}

// Get returns the object, or nil when it does not exist; ns is empty for
// a cluster-scoped one.
func (c *Client) Get(gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	c.t.Helper()
	var ri dynamic.ResourceInterface = c.Dynamic.Resource(gvr)
	if ns != "" {
		ri = c.Dynamic.Resource(gvr).Namespace(ns)
	}
	u, err := ri.Get(c.t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		c.t.Fatalf("get %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return u
}

// CreateNamespace creates namespace ns.
func (c *Client) CreateNamespace(ns string) {
	c.t.Helper()
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	if _, err := c.Dynamic.Resource(Namespaces).Create(c.t.Context(), obj, metav1.CreateOptions{}); err != nil {
		c.t.Fatalf("create namespace %s: %v", ns, err)
	}
}
