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

package builtin

import (
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// The annotations that keep an object of an app in place when the app is
// destroyed: Helm's resource policy, which Helm's uninstall and Argo CD
// honour, and Argo CD's sync option Delete=false.
const (
	HelmResourcePolicy = "helm.sh/resource-policy"
	ArgoSyncOptions    = "argocd.argoproj.io/sync-options"
)

// ResourcePolicyKeep reports whether a helm.sh/resource-policy value is
// keep, as Helm reads it (trimmed, in any case).
func ResourcePolicyKeep(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "keep") }

// KeptOnDestroy says why the destroy of an app of resource type typ
// (KubernetesApp or HelmRelease) leaves in place an object with these
// annotations, or "" when it deletes it: helm.sh/resource-policy: keep
// for both (Helm's uninstall keeps such objects; so does the kubernetes
// provider, as Argo CD does), and Delete=false among Argo CD's sync
// options for a kubernetes_app (Helm's uninstall knows no such option).
func KeptOnDestroy(typ string, annotations map[string]string) string {
	if ResourcePolicyKeep(annotations[HelmResourcePolicy]) {
		return HelmResourcePolicy + ": keep"
	}
	if typ != KubernetesApp {
		return ""
	}
	for _, o := range strings.Split(annotations[ArgoSyncOptions], ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(o), "=")
		if b, err := strconv.ParseBool(strings.TrimSpace(val)); name == "Delete" && err == nil && !b {
			return ArgoSyncOptions + ": Delete=false"
		}
	}
	return ""
}

// KeptOnDestroyValue is KeptOnDestroy of the annotations of v, an object
// as an app's state records it (metadata.annotations, when recorded).
func KeptOnDestroyValue(typ string, v cty.Value) string {
	ann := map[string]string{}
	if v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType() && v.Type().HasAttribute("metadata") {
		md := v.GetAttr("metadata")
		if md.IsKnown() && !md.IsNull() && md.Type().IsObjectType() && md.Type().HasAttribute("annotations") {
			a, _ := md.GetAttr("annotations").UnmarkDeep()
			if a.IsWhollyKnown() && !a.IsNull() && (a.Type().IsObjectType() || a.Type().IsMapType()) {
				for k, e := range a.AsValueMap() {
					if !e.IsNull() && e.Type() == cty.String {
						ann[k] = e.AsString()
					}
				}
			}
		}
	}
	return KeptOnDestroy(typ, ann)
}

// NamespaceOfID is the namespace an object of an app is in, and whether
// the object is itself a Namespace (then name is the namespace it is),
// from an object ID as the kubernetes provider writes it: "APIVERSION
// KIND NAMESPACE/NAME" ("v1 Namespace /db", "v1 PersistentVolumeClaim
// db/data"). A destroy that leaves an object in place leaves its
// Namespace too: deleting the Namespace would delete the object with it.
func NamespaceOfID(id string) (namespace string, isNamespace bool, name string) {
	f := strings.Fields(id)
	if len(f) != 3 {
		return "", false, ""
	}
	namespace, name, _ = strings.Cut(f[2], "/")
	return namespace, f[0] == "v1" && f[1] == "Namespace", name
}

// UnversionedID is an object's identity whatever the version of its API:
// its group, kind, namespace and name, from an object ID as the
// kubernetes provider writes it. The provider takes a manifest moved to
// another version of its API for the object it was (an HPA from
// autoscaling/v2beta2 to autoscaling/v2), and so must a plan.
func UnversionedID(id string) string {
	f := strings.Fields(id)
	if len(f) != 3 {
		return id
	}
	group, _, ok := strings.Cut(f[0], "/")
	if !ok {
		group = "" // the core group: apiVersion v1
	}
	return group + " " + f[1] + " " + f[2]
}
