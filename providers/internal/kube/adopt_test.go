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
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestAdoptMarks(t *testing.T) {
	t.Parallel()
	cm := ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: "web", Name: "cfg"}
	obj := func(labels, annotations map[string]string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetLabels(labels)
		u.SetAnnotations(annotations)
		return u
	}
	tests := map[string]struct {
		from Adoption
		live *unstructured.Unstructured
		want []string
	}{
		"argo label":             {Adoption{"argocd", "web"}, obj(map[string]string{ArgoInstanceLabel: "web"}, nil), []string{"label:" + ArgoInstanceLabel}},
		"argo label of another":  {Adoption{"argocd", "web"}, obj(map[string]string{ArgoInstanceLabel: "api"}, nil), nil},
		"argo annotation":        {Adoption{"argocd", "web"}, obj(nil, map[string]string{ArgoTrackingID: "web:/ConfigMap:web/cfg"}), []string{"annotation:" + ArgoTrackingID}},
		"argo annotation, ns":    {Adoption{"argocd", "web"}, obj(nil, map[string]string{ArgoTrackingID: "team_web:/ConfigMap:web/cfg"}), []string{"annotation:" + ArgoTrackingID}},
		"argo annotation copied": {Adoption{"argocd", "web"}, obj(nil, map[string]string{ArgoTrackingID: "web:/ConfigMap:web/other"}), nil},
		"flux":                   {Adoption{"flux", "flux-system/apps"}, obj(map[string]string{FluxNameLabel: "apps", FluxNamespaceLabel: "flux-system"}, nil), []string{"label:" + FluxNameLabel, "label:" + FluxNamespaceLabel}},
		"flux other namespace":   {Adoption{"flux", "flux-system/apps"}, obj(map[string]string{FluxNameLabel: "apps", FluxNamespaceLabel: "team"}, nil), nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.from.Marks(tc.live, cm); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("marks = %v, want %v", got, tc.want)
			}
		})
	}
	// A mark the manifest sets itself stays.
	manifest := map[string]any{"metadata": map[string]any{"labels": map[string]any{ArgoInstanceLabel: "web"}}}
	if got := MarksToDrop([]string{"label:" + ArgoInstanceLabel, "annotation:" + ArgoTrackingID}, manifest); !reflect.DeepEqual(got, []string{"annotation:" + ArgoTrackingID}) {
		t.Errorf("MarksToDrop kept %v", got)
	}
	for _, bad := range []Adoption{{"argocd", ""}, {"flux", "apps"}, {"fleet", "x"}} {
		if bad.Check() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
