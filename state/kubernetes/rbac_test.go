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
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// documentedRole is the Role the documentation tells users to grant:
// the YAML block of kind Role in the state page.
func documentedRole(t *testing.T) *rbacv1.Role {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("..", "..", "website", "docs", "state.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(page, -1) {
		var role rbacv1.Role
		if err := yaml.UnmarshalStrict(m[1], &role); err == nil && role.Kind == "Role" {
			return &role
		}
	}
	t.Fatal("the state page has no yaml block of a Role")
	return nil
}

// TestDocumentedRoleSuffices runs the backend as a service account bound
// to the documented Role alone, with a token from the TokenRequest API:
// the in-process conformance tests, a state of several chunks, the
// journal, workspaces and their deletion all work, and the account can
// do nothing outside its namespace.
func TestDocumentedRoleSuffices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	admin := adminClient(t)
	role := documentedRole(t)
	role.Namespace = s.Namespace
	if _, err := admin.RbacV1().Roles(s.Namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "slipway"}}
	if _, err := admin.CoreV1().ServiceAccounts(s.Namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "slipway-state"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: s.Namespace}},
	}
	if _, err := admin.RbacV1().RoleBindings(s.Namespace).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expiry := int64(3600)
	tr, err := admin.CoreV1().ServiceAccounts(s.Namespace).CreateToken(ctx, sa.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc := testbed.Shared(t).Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters["testbed"] = &clientcmdapi.Cluster{Server: rc.Host, CertificateAuthorityData: rc.CAData}
	kc.AuthInfos["slipway"] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["slipway"] = &clientcmdapi.Context{Cluster: "testbed", AuthInfo: "slipway", Namespace: s.Namespace}
	kc.CurrentContext = "slipway"
	s.Kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, s.Kubeconfig); err != nil {
		t.Fatal(err)
	}

	// The account is confined to the namespace.
	as := openStore(t, s, nil)
	if _, err := as.client.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("listing Secrets of another namespace as the service account: %v, want forbidden", err)
	}

	var n atomic.Int32
	t.Run("Backend", func(t *testing.T) {
		statetest.TestBackend(t, func(t *testing.T) state.Backend {
			b, err := openStore(t, s, nil).Backend(fmt.Sprintf("rbac-%d", n.Add(1)))
			if err != nil {
				t.Fatal(err)
			}
			return b
		})
	})
	t.Run("Chunks, journal and workspaces", func(t *testing.T) {
		b, err := as.backend("big")
		if err != nil {
			t.Fatal(err)
		}
		big := statetest.Large(3 << 20)
		for i := range 2 { // the second write deletes the first's chunks
			big.Outputs["n"] = &state.Output{Value: cty.NumberIntVal(int64(i))}
			if err := b.Write(ctx, big); err != nil {
				t.Fatalf("Write of a state of several chunks: %v", err)
			}
		}
		if got, err := b.Read(ctx); err != nil || len(got.Resources) != len(big.Resources) {
			t.Fatalf("Read of a state of several chunks: %v", err)
		}
		id, err := b.Lock(ctx, state.NewLockInfo("apply"))
		if err != nil {
			t.Fatal(err)
		}
		// The holder renews its Lease.
		before := leaseVersion(b, id)
		waitFor(t, 10*testLease, "a renewal of the Lease", func() bool { return leaseVersion(b, id) != before })
		ri := fileInstance("a", "a")
		j := b.Journal()
		if err := j.Begin(ctx, state.Operation{ID: "1", Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
			t.Fatalf("journal Begin: %v", err)
		}
		if err := j.End(ctx, "1", ri.Addr, ri); err != nil {
			t.Fatalf("journal End: %v", err)
		}
		if err := j.Compact(ctx); err != nil {
			t.Fatalf("journal Compact: %v", err)
		}
		if err := b.Unlock(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := as.Workspaces(ctx); err != nil {
			t.Fatalf("Workspaces: %v", err)
		}
		if err := as.DeleteWorkspace(ctx, "big"); err != nil {
			t.Fatalf("DeleteWorkspace: %v", err)
		}
	})
}

// leaseVersion is the resourceVersion of the Lease of lock id as its
// holder last wrote it.
func leaseVersion(b *Backend, id string) string {
	b.mu.Lock()
	h := b.locks[id]
	b.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lease.ResourceVersion
}
