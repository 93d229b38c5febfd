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
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"slipway.dev/slipway/providers/internal/kube"
)

// Labels and annotations that mark slipway's objects.
const (
	labelManagedBy = "app.kubernetes.io/managed-by"
	managedBy      = "slipway"
	labelApp       = "slipway.dev/app"
	annotationWave = "slipway.dev/sync-wave"
	annotationHook = "slipway.dev/hook"

	hookPreSync  = "pre-sync"
	hookPostSync = "post-sync"
)

// managedSelector selects every object slipway applied, whatever the app.
var managedSelector = labelManagedBy + "=" + managedBy

// desiredObject is one object as slipway will apply it.
type desiredObject struct {
	id   kube.ObjectID
	obj  *unstructured.Unstructured
	hash string // sha256 of the manifest, what Private records
	wave int
	hook string // "", hookPreSync or hookPostSync
	// unknownKind: the server does not serve the kind yet, but a CRD in
	// the same app does; it can only be planned as "known after apply".
	unknownKind bool
}

// desiredSet is everything an app's manifests ask for.
type desiredSet struct {
	objects []*desiredObject // hooks excluded, in manifest order
	hooks   []*desiredObject
	// autoNamespace is the ID of the Namespace create_namespace added (it
	// is not in the manifests), or "".
	autoNamespace string
}

func (d *desiredSet) ids() []string {
	out := make([]string, len(d.objects))
	for i, o := range d.objects {
		out[i] = o.id.String()
	}
	return out
}

func (d *desiredSet) byID() map[string]*desiredObject {
	m := make(map[string]*desiredObject, len(d.objects))
	for _, o := range d.objects {
		m[o.id.String()] = o
	}
	return m
}

// scoper tells whether a kind is namespaced; kube.Mappings implements it.
type scoper interface {
	Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error)
}

// buildDesired turns rendered manifests into the objects slipway applies:
// namespaced objects without a namespace get the app's (or the
// kubeconfig's) namespace, every object gets slipway's labels, the
// ignore_differences pointers are removed, fields the server ignores on
// apply (status, creationTimestamp, nulls) are dropped, a Secret's
// stringData is folded into data as the server would, and the destination
// Namespace is added for create_namespace.
func buildDesired(cfg appConfig, rendered []*unstructured.Unstructured, sc scoper, defaultNS string) (*desiredSet, error) {
	crdScopes := map[schema.GroupKind]bool{} // namespaced?
	for _, u := range rendered {
		if u.GetKind() == "CustomResourceDefinition" && u.GroupVersionKind().Group == "apiextensions.k8s.io" {
			group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
			crdScopes[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
		}
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = defaultNS
	}
	d := &desiredSet{}
	seen := map[string]bool{}
	hasNamespace := map[string]bool{}
	for i, in := range rendered {
		u := in.DeepCopy()
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" || gvk.Version == "" {
			return nil, fmt.Errorf("object %d of the manifests has no apiVersion or kind", i+1)
		}
		if u.GetName() == "" {
			return nil, fmt.Errorf("a %s in the manifests has no metadata.name (generateName is not supported: slipway must know each object's name to plan it)", gvk.Kind)
		}
		o := &desiredObject{obj: u}
		namespaced, err := isNamespaced(sc, gvk, crdScopes, &o.unknownKind)
		if err != nil {
			return nil, err
		}
		if namespaced {
			if u.GetNamespace() == "" {
				u.SetNamespace(ns)
			}
		} else {
			unstructured.RemoveNestedField(u.Object, "metadata", "namespace")
		}
		o.id = kube.IDOf(u)
		if seen[o.id.String()] {
			return nil, fmt.Errorf("the manifests hold %s twice", o.id)
		}
		seen[o.id.String()] = true
		if gvk.Group == "" && gvk.Kind == "Namespace" {
			hasNamespace[u.GetName()] = true
		}

		cleanManifest(u)
		labels := u.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[labelManagedBy] = managedBy
		labels[labelApp] = cfg.Name
		u.SetLabels(labels)
		for _, r := range cfg.Ignore {
			if r.matches(o.id) {
				for _, p := range r.Pointers {
					removePointer(u.Object, p)
				}
			}
		}

		ann := u.GetAnnotations()
		if w, ok := ann[annotationWave]; ok {
			o.wave, err = strconv.Atoi(strings.TrimSpace(w))
			if err != nil {
				return nil, fmt.Errorf("%s: annotation %s=%q is not an integer", o.id, annotationWave, w)
			}
		}
		switch h := ann[annotationHook]; h {
		case "":
		case hookPreSync, hookPostSync:
			o.hook = h
		default:
			return nil, fmt.Errorf("%s: annotation %s=%q is neither %q nor %q", o.id, annotationHook, h, hookPreSync, hookPostSync)
		}
		o.hash = manifestHash(u)
		if o.hook != "" {
			d.hooks = append(d.hooks, o)
		} else {
			d.objects = append(d.objects, o)
		}
	}
	if cfg.CreateNamespace && cfg.Namespace != "" && !hasNamespace[cfg.Namespace] {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1",
			"kind":       "Namespace",
			"metadata": map[string]any{
				"name": cfg.Namespace,
				// No app label: several apps may share a namespace, and one
				// slipway created for an app is never pruned with it.
				"labels": map[string]any{labelManagedBy: managedBy},
			},
		}}
		o := &desiredObject{id: kube.IDOf(u), obj: u, hash: manifestHash(u)}
		d.autoNamespace = o.id.String()
		d.objects = append([]*desiredObject{o}, d.objects...)
	}
	return d, nil
}

// isNamespaced asks the server whether gvk is namespaced; for a kind it
// does not serve, a CRD among the manifests answers and *unknown is set.
func isNamespaced(sc scoper, gvk schema.GroupVersionKind, crdScopes map[schema.GroupKind]bool, unknown *bool) (bool, error) {
	m, err := sc.Mapping(gvk)
	if err == nil {
		return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
	}
	if !meta.IsNoMatchError(err) {
		return false, fmt.Errorf("look up kind %s: %w", gvk, err)
	}
	if namespaced, ok := crdScopes[gvk.GroupKind()]; ok {
		*unknown = true
		return namespaced, nil
	}
	return false, fmt.Errorf("the cluster does not serve %s %s and no CustomResourceDefinition in the manifests defines it; install the CRD first or add it to the app", gvk.GroupVersion(), gvk.Kind)
}

// cleanManifest drops what the server ignores or fills itself on apply,
// so the manifest's hash and shape hold only what the user manages.
func cleanManifest(u *unstructured.Unstructured) {
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	kube.DropNulls(u.Object)
	if u.GroupVersionKind().Group == "" && u.GetKind() == "Secret" {
		if sd, ok := u.Object["stringData"].(map[string]any); ok {
			data, _ := u.Object["data"].(map[string]any)
			if data == nil {
				data = map[string]any{}
			}
			for k, v := range sd {
				s, ok := v.(string)
				if !ok {
					s = fmt.Sprint(v)
				}
				data[k] = base64.StdEncoding.EncodeToString([]byte(s))
			}
			u.Object["data"] = data
			delete(u.Object, "stringData")
		}
	}
}

// manifestHash is the SHA-256 of the manifest's JSON (keys sorted).
func manifestHash(u *unstructured.Unstructured) string {
	b, _ := json.Marshal(u.Object)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// parsePointer splits an RFC 6901 JSON pointer into unescaped tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q does not start with \"/\"; write it like \"/spec/replicas\"", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// removePointer deletes the value at JSON pointer p from obj, if there.
func removePointer(obj map[string]any, p string) {
	toks, err := parsePointer(p)
	if err != nil || len(toks) == 0 {
		return
	}
	removeAt(obj, toks)
}

// removeAt returns v without the value at toks; lists lose the element.
func removeAt(v any, toks []string) any {
	switch c := v.(type) {
	case map[string]any:
		x, ok := c[toks[0]]
		if !ok {
			return v
		}
		if len(toks) == 1 {
			delete(c, toks[0])
		} else {
			c[toks[0]] = removeAt(x, toks[1:])
		}
		return c
	case []any:
		n, err := strconv.Atoi(toks[0])
		if err != nil || n < 0 || n >= len(c) {
			return v
		}
		if len(toks) == 1 {
			return append(c[:n:n], c[n+1:]...)
		}
		c[n] = removeAt(c[n], toks[1:])
		return c
	}
	return v
}
