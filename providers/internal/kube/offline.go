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
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
)

// ErrOffline is what a provider configured for an offline plan answers
// to every call that would need the cluster.
var ErrOffline = errors.New("the provider was configured for an offline plan (slipway plan -offline) and does not reach the cluster")

// OfflineNamespace is the namespace of the kubeconfig's context read from
// the file alone, as Connect would find it, without reaching the cluster;
// "default" when there is no kubeconfig or it names none.
func OfflineNamespace(c ClientConfig) string {
	if c.InCluster {
		return "default"
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.Kubeconfig != "" {
		rules.ExplicitPath = c.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: c.Context})
	if n, _, err := cc.Namespace(); err == nil && n != "" {
		return n
	}
	return "default"
}

// OfflineScopes tells whether a kind is namespaced without asking the
// cluster: from the objects state recorded (their IDs carry a namespace
// or none), then from Kubernetes' own kinds. A kind it cannot place is
// taken as namespaced, as custom resources mostly are, and listed by
// Guessed so that the plan can say so. It is safe for concurrent use.
type OfflineScopes struct {
	known map[schema.GroupKind]bool // namespaced?

	mu      sync.Mutex
	guessed map[string]bool
}

// NewOfflineScopes learns the scope of the kinds of the recorded objects.
func NewOfflineScopes(recorded []ObjectID) *OfflineScopes {
	s := &OfflineScopes{known: map[schema.GroupKind]bool{}, guessed: map[string]bool{}}
	for _, id := range recorded {
		s.known[schema.GroupKind{Group: id.Group, Kind: id.Kind}] = id.Namespace != ""
	}
	return s
}

// Mapping answers as a RESTMapper would, with the scope only.
func (s *OfflineScopes) Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	gk := gvk.GroupKind()
	namespaced, ok := s.known[gk]
	switch {
	case ok:
	case clusterScoped[gk]:
		namespaced = false
	case builtinGroup(gk.Group):
		namespaced = true
	default:
		namespaced = true
		s.mu.Lock()
		s.guessed[gvk.GroupVersion().String()+" "+gvk.Kind] = true
		s.mu.Unlock()
	}
	m := &meta.RESTMapping{GroupVersionKind: gvk, Scope: meta.RESTScopeRoot}
	if namespaced {
		m.Scope = meta.RESTScopeNamespace
	}
	return m, nil
}

// Guessed lists the kinds taken as namespaced for want of knowing them.
func (s *OfflineScopes) Guessed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.guessed))
	for k := range s.guessed {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// builtinGroup reports whether group is one of Kubernetes' own.
func builtinGroup(group string) bool {
	switch group {
	case "", "apps", "batch", "autoscaling", "policy":
		return true
	}
	return strings.HasSuffix(group, ".k8s.io")
}

// clusterScoped are Kubernetes' own kinds that are not namespaced; every
// other kind of a built-in group is.
var clusterScoped = map[schema.GroupKind]bool{}

func init() {
	for group, kinds := range map[string][]string{
		"":                             {"Namespace", "Node", "PersistentVolume", "ComponentStatus"},
		"rbac.authorization.k8s.io":    {"ClusterRole", "ClusterRoleBinding"},
		"apiextensions.k8s.io":         {"CustomResourceDefinition"},
		"apiregistration.k8s.io":       {"APIService"},
		"storage.k8s.io":               {"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"},
		"scheduling.k8s.io":            {"PriorityClass"},
		"node.k8s.io":                  {"RuntimeClass"},
		"networking.k8s.io":            {"IngressClass", "IPAddress", "ServiceCIDR"},
		"certificates.k8s.io":          {"CertificateSigningRequest", "ClusterTrustBundle"},
		"flowcontrol.apiserver.k8s.io": {"FlowSchema", "PriorityLevelConfiguration"},
		"resource.k8s.io":              {"DeviceClass", "ResourceSlice"},
		"storagemigration.k8s.io":      {"StorageVersionMigration"},
		"internal.apiserver.k8s.io":    {"StorageVersion"},
		"admissionregistration.k8s.io": {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
			"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"},
	} {
		for _, k := range kinds {
			clusterScoped[schema.GroupKind{Group: group, Kind: k}] = true
		}
	}
}
