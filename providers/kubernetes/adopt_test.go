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
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/providers/internal/kube"
)

func TestAdoptMarks(t *testing.T) {
	t.Parallel()
	cm := kube.ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: "web", Name: "cfg"}
	obj := func(labels, annotations map[string]string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetLabels(labels)
		u.SetAnnotations(annotations)
		return u
	}
	tests := map[string]struct {
		from adoptFrom
		live *unstructured.Unstructured
		want []string
	}{
		"argo label":             {adoptFrom{"argocd", "web"}, obj(map[string]string{argoInstanceLabel: "web"}, nil), []string{"label:" + argoInstanceLabel}},
		"argo label of another":  {adoptFrom{"argocd", "web"}, obj(map[string]string{argoInstanceLabel: "api"}, nil), nil},
		"argo annotation":        {adoptFrom{"argocd", "web"}, obj(nil, map[string]string{argoTrackingID: "web:/ConfigMap:web/cfg"}), []string{"annotation:" + argoTrackingID}},
		"argo annotation, ns":    {adoptFrom{"argocd", "web"}, obj(nil, map[string]string{argoTrackingID: "team_web:/ConfigMap:web/cfg"}), []string{"annotation:" + argoTrackingID}},
		"argo annotation copied": {adoptFrom{"argocd", "web"}, obj(nil, map[string]string{argoTrackingID: "web:/ConfigMap:web/other"}), nil},
		"flux":                   {adoptFrom{"flux", "flux-system/apps"}, obj(map[string]string{fluxNameLabel: "apps", fluxNamespaceLabel: "flux-system"}, nil), []string{"label:" + fluxNameLabel, "label:" + fluxNamespaceLabel}},
		"flux other namespace":   {adoptFrom{"flux", "flux-system/apps"}, obj(map[string]string{fluxNameLabel: "apps", fluxNamespaceLabel: "team"}, nil), nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.from.marks(tc.live, cm); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("marks = %v, want %v", got, tc.want)
			}
		})
	}
	// A mark the manifest sets itself stays.
	manifest := map[string]any{"metadata": map[string]any{"labels": map[string]any{argoInstanceLabel: "web"}}}
	if got := adoptedMarks([]string{"label:" + argoInstanceLabel, "annotation:" + argoTrackingID}, manifest); !reflect.DeepEqual(got, []string{"annotation:" + argoTrackingID}) {
		t.Errorf("adoptedMarks kept %v", got)
	}
	for _, bad := range []adoptFrom{{"argocd", ""}, {"flux", "apps"}, {"fleet", "x"}} {
		if bad.check() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
