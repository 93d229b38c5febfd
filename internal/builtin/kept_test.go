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
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestKeptOnDestroy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ  string
		ann  map[string]string
		want string
	}{
		{KubernetesApp, map[string]string{HelmResourcePolicy: "keep"}, "helm.sh/resource-policy: keep"},
		{HelmRelease, map[string]string{HelmResourcePolicy: " Keep "}, "helm.sh/resource-policy: keep"},
		{KubernetesApp, map[string]string{HelmResourcePolicy: "delete"}, ""},
		{KubernetesApp, map[string]string{ArgoSyncOptions: "Prune=false,Delete=false"}, "argocd.argoproj.io/sync-options: Delete=false"},
		{KubernetesApp, map[string]string{ArgoSyncOptions: "Delete=0"}, "argocd.argoproj.io/sync-options: Delete=false"},
		{KubernetesApp, map[string]string{ArgoSyncOptions: "Delete=true,Prune=false"}, ""},
		// Helm's uninstall knows no sync options.
		{HelmRelease, map[string]string{ArgoSyncOptions: "Delete=false"}, ""},
		{KubernetesApp, nil, ""},
	} {
		if got := KeptOnDestroy(tc.typ, tc.ann); got != tc.want {
			t.Errorf("KeptOnDestroy(%s, %v) = %q, want %q", tc.typ, tc.ann, got, tc.want)
		}
	}
	v := cty.ObjectVal(map[string]cty.Value{"metadata": cty.ObjectVal(map[string]cty.Value{
		"annotations": cty.ObjectVal(map[string]cty.Value{HelmResourcePolicy: cty.StringVal("keep")}),
	})})
	if got := KeptOnDestroyValue(HelmRelease, v); got != "helm.sh/resource-policy: keep" {
		t.Errorf("KeptOnDestroyValue = %q", got)
	}
	if got := KeptOnDestroyValue(HelmRelease, cty.NullVal(cty.DynamicPseudoType)); got != "" {
		t.Errorf("KeptOnDestroyValue(null) = %q", got)
	}
}
