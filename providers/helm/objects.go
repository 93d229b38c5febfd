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

package helm

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"

	"helm.sh/helm/v3/pkg/releaseutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/providers/internal/kube"
)

// manifestObject is one object of a rendered release.
type manifestObject struct {
	id  kube.ObjectID
	obj map[string]any // as rendered, with the namespace helm would give it
	// unknownKind: the cluster does not serve the kind (yet); its scope
	// and its stored form cannot be known.
	unknownKind bool
}

// scoper tells whether a kind is namespaced: kube.Mappings asks the
// cluster, kube.OfflineScopes does without it.
type scoper interface {
	Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error)
}

// splitManifest parses a release manifest into objects, in helm's install
// order, giving namespaced objects that name none the release namespace
// as helm's kube client does.
func splitManifest(ms scoper, manifest, namespace string) ([]*manifestObject, error) {
	docs := releaseutil.SplitManifests(manifest)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var out []*manifestObject
	seen := map[string]bool{}
	for _, k := range keys {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(docs[k]), &obj); err != nil {
			return nil, fmt.Errorf("rendered manifest: %w", err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" || gvk.Version == "" || u.GetName() == "" {
			return nil, fmt.Errorf("rendered manifest: an object without apiVersion, kind or metadata.name:\n%s", docs[k])
		}
		o := &manifestObject{obj: obj}
		m, err := ms.Mapping(gvk)
		switch {
		case meta.IsNoMatchError(err):
			o.unknownKind = true
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
		case err != nil:
			return nil, fmt.Errorf("look up kind %s: %w", gvk, err)
		case m.Scope.Name() == meta.RESTScopeNameNamespace:
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
		default:
			unstructured.RemoveNestedField(obj, "metadata", "namespace")
		}
		o.id = kube.IDOf(u)
		if seen[o.id.String()] {
			return nil, fmt.Errorf("rendered manifest: %s appears twice", o.id)
		}
		seen[o.id.String()] = true
		out = append(out, o)
	}
	return out, nil
}

// get returns the live object, or nil when it does not exist.
func get(ctx context.Context, ms *kube.Mappings, o *manifestObject) (*unstructured.Unstructured, error) {
	if o.unknownKind {
		return nil, nil
	}
	ri, _, err := ms.Resource(o.id)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.id, err)
	}
	u, err := ri.Get(ctx, o.id.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", o.id, err)
	}
	return u, nil
}

// getParallelism bounds the GETs of one release's objects in flight.
const getParallelism = 8

// getAll returns the live objects of objs, in order (nil where one does
// not exist), with up to getParallelism GETs at once: a release's objects
// are few, but one GET after another adds their round trips up. A GET
// each, rather than kube.FetchLive's LISTs, because nothing marks a
// release's objects for a label selector to find them by: the LISTs
// would return whole kinds.
func getAll(ctx context.Context, ms *kube.Mappings, objs []*manifestObject) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, len(objs))
	jobs := make([]func(context.Context) error, len(objs))
	for i, o := range objs {
		jobs[i] = func(ctx context.Context) error {
			var err error
			out[i], err = get(ctx, ms, o)
			return err
		}
	}
	return out, kube.RunEach(ctx, getParallelism, jobs)
}

// helmMarks are the annotations with which Helm marks the objects of a
// release as its own.
var helmMarks = []string{"meta.helm.sh/release-name", "meta.helm.sh/release-namespace"}

// normalise is kube.Normalise without Helm's ownership marks: its
// annotations, and the label app.kubernetes.io/managed-by=Helm that
// charts render by convention. Neither is anything the user manages.
func normalise(obj, shape map[string]any) map[string]any {
	return dropHelmMarks(kube.Normalise(obj, secretShape(shape)))
}

// secretShape is the shape of a Secret the chart writes with stringData,
// as the API server stores it: the server never returns stringData, and
// folds it into data, so a shape of stringData alone would compare none
// of the live Secret's data (a password changed by hand would be no
// drift). Its keys join data's; other shapes are returned as they are.
func secretShape(shape map[string]any) map[string]any {
	sd, ok := shape["stringData"].(map[string]any)
	if !ok || shape["kind"] != "Secret" || shape["apiVersion"] != "v1" {
		return shape
	}
	out := make(map[string]any, len(shape))
	for k, v := range shape {
		out[k] = v
	}
	data := map[string]any{}
	if d, ok := shape["data"].(map[string]any); ok {
		for k, v := range d {
			data[k] = v
		}
	}
	for k, v := range sd {
		if s, ok := v.(string); ok {
			data[k] = base64.StdEncoding.EncodeToString([]byte(s))
		} else {
			data[k] = ""
		}
	}
	out["data"] = data
	delete(out, "stringData")
	return out
}

// predicted is the best guess of the stored form of an object the server
// cannot dry-run (its namespace does not exist yet), as normalise shows
// it: a Secret's stringData folded into its data.
func predicted(o *manifestObject) map[string]any {
	return dropHelmMarks(kube.Predicted(secretShape(o.obj), o.id.Group))
}

// dropHelmMarks deletes Helm's marks from a normalised object, and the
// annotations and labels left empty.
func dropHelmMarks(obj map[string]any) map[string]any {
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		return obj
	}
	if ann, ok := md["annotations"].(map[string]any); ok {
		for _, a := range helmMarks {
			delete(ann, a)
		}
		if len(ann) == 0 {
			delete(md, "annotations")
		}
	}
	if l, ok := md["labels"].(map[string]any); ok {
		if l["app.kubernetes.io/managed-by"] == "Helm" {
			delete(l, "app.kubernetes.io/managed-by")
		}
		if len(l) == 0 {
			delete(md, "labels")
		}
	}
	return obj
}
