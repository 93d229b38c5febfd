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
	"context"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// The marks by which Argo CD and Flux know their objects.
const (
	ArgoInstanceLabel  = "app.kubernetes.io/instance"     // Argo CD's label tracking (its default before 3.0)
	ArgoTrackingID     = "argocd.argoproj.io/tracking-id" // annotation tracking: "APP:GROUP/KIND:NAMESPACE/NAME"
	FluxNameLabel      = "kustomize.toolkit.fluxcd.io/name"
	FluxNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace"
)

// Adoption is whose objects an app takes over on its first sync (an
// app's sync.adopt): an object of the app that exists, is not the app's
// yet, and carries the tool's tracking for that Application or
// Kustomization is taken over in place, never recreated, and loses the
// tool's tracking marks once it is the app's.
type Adoption struct {
	Tool string // "argocd" or "flux"; "" adopts nothing
	Name string // Argo CD: the Application; Flux: "namespace/name" of the Kustomization
}

// Check reports a tool or name that cannot be adopted from.
func (a Adoption) Check() error {
	switch a.Tool {
	case "argocd":
		if a.Name == "" {
			return fmt.Errorf("name must be the Argo CD Application whose objects the app takes over")
		}
	case "flux":
		if ns, n, ok := strings.Cut(a.Name, "/"); !ok || ns == "" || n == "" {
			return fmt.Errorf("name %q must be the Flux Kustomization's namespace/name, like \"flux-system/apps\"", a.Name)
		}
	default:
		return fmt.Errorf("from %q must be \"argocd\" or \"flux\"", a.Tool)
	}
	return nil
}

// Marks returns the tracking marks of live that say it belongs to the
// adopted Application or Kustomization, as "label:KEY" and
// "annotation:KEY"; nil when it does not belong to it.
func (a Adoption) Marks(live *unstructured.Unstructured, id ObjectID) []string {
	labels, annotations := live.GetLabels(), live.GetAnnotations()
	var out []string
	switch a.Tool {
	case "argocd":
		if t, ok := annotations[ArgoTrackingID]; ok && argoTracks(t, a.Name, id) {
			out = append(out, "annotation:"+ArgoTrackingID)
		}
		if labels[ArgoInstanceLabel] == a.Name {
			out = append(out, "label:"+ArgoInstanceLabel)
		}
	case "flux":
		ns, name, _ := strings.Cut(a.Name, "/")
		if labels[FluxNameLabel] == name && labels[FluxNamespaceLabel] == ns {
			out = append(out, "label:"+FluxNameLabel, "label:"+FluxNamespaceLabel)
		}
	}
	return out
}

// Describe names the adopted Application or Kustomization and its
// tracking, for messages.
func (a Adoption) Describe() string {
	switch a.Tool {
	case "argocd":
		return fmt.Sprintf("Argo CD Application %q (label %s=%s or annotation %s)", a.Name, ArgoInstanceLabel, a.Name, ArgoTrackingID)
	case "flux":
		ns, name, _ := strings.Cut(a.Name, "/")
		return fmt.Sprintf("Flux Kustomization %q (labels %s=%s, %s=%s)", a.Name, FluxNameLabel, name, FluxNamespaceLabel, ns)
	}
	return a.Tool + " " + a.Name
}

// argoTracks reports whether an Argo CD tracking ID names app (or
// NAMESPACE_app, for Applications outside Argo CD's namespace) and this
// very object, as Argo CD checks it: a copy of another object's
// annotation does not count.
func argoTracks(tracking, app string, id ObjectID) bool {
	parts := strings.SplitN(tracking, ":", 3)
	if len(parts) != 3 {
		return false
	}
	if parts[0] != app && !strings.HasSuffix(parts[0], "_"+app) {
		return false
	}
	group, kind, _ := strings.Cut(parts[1], "/")
	ns, name, _ := strings.Cut(parts[2], "/")
	return group == id.Group && kind == id.Kind && name == id.Name && (ns == id.Namespace || ns == "")
}

// TrackingKept is the warning of a plan whose adopted objects keep a
// tracking mark of a because their manifests set it themselves (a
// chart's app.kubernetes.io/instance label): the tool still takes them
// for its own, and a cascading delete of its Application or Kustomization
// would delete them. ids are the objects' IDs, sorted.
func TrackingKept(a Adoption, ids []string) (summary, detail string) {
	return "Adopted objects keep the tracking of " + a.Describe(),
		fmt.Sprintf("The manifests themselves set the tracking mark of %s on these objects, so it stays once they are slipway's, and the tool still takes them for its own:\n  %s\nDelete the Application or Kustomization without cascading (argocd app delete NAME --cascade=false; Flux: prune: false), never with: a cascading delete, or a prune by the tool, would delete objects slipway now manages. Tracking by annotation in Argo CD (application.resourceTrackingMethod: annotation) before the migration avoids the shared label.", a.Describe(), strings.Join(ids, "\n  "))
}

// MarksToDrop is marks without those the manifest itself sets (a chart's
// app.kubernetes.io/instance label): those are the manifest's, not the
// tool's, and stay.
func MarksToDrop(marks []string, manifest map[string]any) []string {
	md, _ := manifest["metadata"].(map[string]any)
	var out []string
	for _, m := range marks {
		where, key, _ := strings.Cut(m, ":")
		set, _ := md[where+"s"].(map[string]any)
		if _, ok := set[key]; ok {
			continue
		}
		out = append(out, m)
	}
	return out
}

// adoptManager is the field manager of the patch that removes a tool's
// tracking marks: not FieldManager, whose entries of managedFields say
// what slipway applied (an update of slipway's own would make every later
// mark of the object its resourceVersion alone). The patch only removes
// fields, so the server keeps no entry of it.
const adoptManager = FieldManager + "-adopt"

// DropMarks removes the tool's tracking marks ("label:KEY",
// "annotation:KEY") from an adopted object with a merge patch, once the
// app's apply has made it the app's, and returns the object as the patch
// left it (nil when there were no marks to remove).
func (m *Mappings) DropMarks(ctx context.Context, id ObjectID, marks []string) (*unstructured.Unstructured, error) {
	if len(marks) == 0 {
		return nil, nil
	}
	labels, annotations := map[string]any{}, map[string]any{}
	for _, mk := range marks {
		where, key, _ := strings.Cut(mk, ":")
		if where == "label" {
			labels[key] = nil
		} else {
			annotations[key] = nil
		}
	}
	md := map[string]any{}
	if len(labels) > 0 {
		md["labels"] = labels
	}
	if len(annotations) > 0 {
		md["annotations"] = annotations
	}
	patch, err := json.Marshal(map[string]any{"metadata": md})
	if err != nil {
		return nil, err
	}
	ri, _, err := m.Resource(id)
	if err != nil {
		return nil, err
	}
	out, err := ri.Patch(ctx, id.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: adoptManager})
	if err != nil {
		return nil, fmt.Errorf("remove the tracking marks of %s: %w", id, err)
	}
	return out, nil
}
