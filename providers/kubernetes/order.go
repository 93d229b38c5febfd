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
	"sort"

	"slipway.dev/slipway/providers/internal/kube"
)

// kindOrder is the order kinds are applied in within a sync wave, the
// order Helm installs in: what others depend on comes first (accounts,
// secrets and config before the workloads that mount them, services
// before the workloads behind them, ingresses last). Kinds not listed
// come after, alphabetically.
var kindOrder = []string{
	"PriorityClass",
	"Namespace",
	"NetworkPolicy",
	"ResourceQuota",
	"LimitRange",
	"PodSecurityPolicy",
	"PodDisruptionBudget",
	"ServiceAccount",
	"Secret",
	"SecretList",
	"ConfigMap",
	"StorageClass",
	"PersistentVolume",
	"PersistentVolumeClaim",
	"CustomResourceDefinition",
	"ClusterRole",
	"ClusterRoleList",
	"ClusterRoleBinding",
	"ClusterRoleBindingList",
	"Role",
	"RoleList",
	"RoleBinding",
	"RoleBindingList",
	"Service",
	"DaemonSet",
	"Pod",
	"ReplicationController",
	"ReplicaSet",
	"Deployment",
	"HorizontalPodAutoscaler",
	"StatefulSet",
	"Job",
	"CronJob",
	"IngressClass",
	"Ingress",
	"APIService",
	"MutatingWebhookConfiguration",
	"ValidatingWebhookConfiguration",
}

var kindRanks = func() map[string]int {
	m := make(map[string]int, len(kindOrder))
	for i, k := range kindOrder {
		m[k] = i
	}
	return m
}()

// kindRank orders kinds by kindOrder; unknown kinds rank after all.
func kindRank(kind string) int {
	if r, ok := kindRanks[kind]; ok {
		return r
	}
	return len(kindOrder)
}

func isNamespaceID(id kube.ObjectID) bool { return id.Group == "" && id.Kind == "Namespace" }

func isCRDID(id kube.ObjectID) bool {
	return id.Group == "apiextensions.k8s.io" && id.Kind == "CustomResourceDefinition"
}

// applyGroup is a set of objects applied together (in parallel); groups
// are applied one after the other.
type applyGroup struct {
	objects []*desiredObject
	crds    bool // CRDs: wait until established before the next group
}

// applyGroups orders objects for apply: every Namespace first, then every
// CRD, then the sync waves in ascending order (annotation
// slipway.dev/sync-wave, default 0); within a wave, one group per kind in
// kindOrder. Within a group objects are sorted by ID, for stable output.
func applyGroups(objs []*desiredObject) []applyGroup {
	var nss, crds, rest []*desiredObject
	for _, o := range objs {
		switch {
		case isNamespaceID(o.id):
			nss = append(nss, o)
		case isCRDID(o.id):
			crds = append(crds, o)
		default:
			rest = append(rest, o)
		}
	}
	byID := func(s []*desiredObject) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].id.String() < s[j].id.String() })
	}
	var groups []applyGroup
	if len(nss) > 0 {
		byID(nss)
		groups = append(groups, applyGroup{objects: nss})
	}
	if len(crds) > 0 {
		byID(crds)
		groups = append(groups, applyGroup{objects: crds, crds: true})
	}
	sort.SliceStable(rest, func(i, j int) bool {
		a, b := rest[i], rest[j]
		if a.wave != b.wave {
			return a.wave < b.wave
		}
		if ra, rb := kindRank(a.id.Kind), kindRank(b.id.Kind); ra != rb {
			return ra < rb
		}
		if a.id.Kind != b.id.Kind {
			return a.id.Kind < b.id.Kind
		}
		return a.id.String() < b.id.String()
	})
	for i := 0; i < len(rest); {
		j := i + 1
		for j < len(rest) && rest[j].wave == rest[i].wave && rest[j].id.Kind == rest[i].id.Kind {
			j++
		}
		groups = append(groups, applyGroup{objects: rest[i:j]})
		i = j
	}
	return groups
}

// deleteOrder orders IDs for deletion: the reverse of the apply order by
// kind; deleteObjects then takes the waves, the highest first, from the
// objects' live annotations.
func deleteOrder(ids []kube.ObjectID) []kube.ObjectID {
	out := append([]kube.ObjectID(nil), ids...)
	rank := func(id kube.ObjectID) int {
		switch {
		case isNamespaceID(id):
			return -2
		case isCRDID(id):
			return -1
		}
		return kindRank(id.Kind)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra > rb
		}
		if a.Kind != b.Kind {
			return a.Kind > b.Kind
		}
		return a.String() > b.String()
	})
	return out
}
