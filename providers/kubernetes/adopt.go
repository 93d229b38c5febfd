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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/providers/internal/kube"
)

// withSlipwayLabels is live as it will be once adopted (sync.adopt, whose
// tracking marks kube.Adoption reads): with the app's labels, which
// adoption adds and which are no change to the object.
func withSlipwayLabels(live *unstructured.Unstructured, app string) map[string]any {
	u := live.DeepCopy()
	setAppLabels(u, app)
	return u.Object
}

// setAppLabels gives u the labels by which slipway knows the objects of
// app: app.kubernetes.io/managed-by=slipway and slipway.dev/app=APP.
func setAppLabels(u *unstructured.Unstructured, app string) {
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[labelManagedBy] = managedBy
	l[labelApp] = app
	u.SetLabels(l)
}

// leftByAdopted reports whether live, an object that has a named hook's
// name and is not the app's, is the last run of that hook by the Argo CD
// Application the app adopts: it carries that Application's tracking, the
// marks by which adoption takes over the app's other objects. Argo CD's
// default delete policy, BeforeHookCreation, keeps the last run of a hook
// until the next sync, so the first sync after a migration finds it and
// deletes it, as Argo CD would have. Flux runs no hooks: nothing it left
// is a hook's run.
func leftByAdopted(a kube.Adoption, live *unstructured.Unstructured) bool {
	return a.Tool == "argocd" && len(a.Marks(live, kube.IDOf(live))) > 0
}
