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
)

// managedSelector selects every object slipway applied, whatever the app.
var managedSelector = labelManagedBy + "=" + managedBy

// desiredObject is one object as slipway will apply it.
type desiredObject struct {
	id   kube.ObjectID
	obj  *unstructured.Unstructured
	hash string // sha256 of the manifest, what Private records
	wave int
	// hook is the phase of a hook (builtin.HookPreSync...), "" for an
	// object of the app. A hook of several phases is one desiredObject
	// per phase, sharing obj.
	hook string
	// generateName is the prefix of a hook's name, when the manifest
	// gives no name: each run gets its own (see runName).
	generateName string
	policies     []string // a hook's delete policies
	opts         syncOptions
	// unknownKind: the server does not serve the kind yet, but a CRD in
	// the same app does; it can only be planned as "known after apply".
	unknownKind bool
}

// desiredSet is everything an app's manifests ask for.
type desiredSet struct {
	objects []*desiredObject // hooks excluded, in manifest order
	hooks   []*desiredObject // in manifest order
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
// syncAnnotations are the annotations that say how slipway syncs an
// object (readAnnotations): an ignore_differences rule that covers them
// (json_pointers = ["/metadata/annotations"]) leaves them in the
// manifest, as it leaves slipway's labels.
var syncAnnotations = []string{annotationWave, annotationHook, argoWave, argoHook, argoDeletePolicy, argoSyncOptions, argoCompareOptions, helmHook, helmWeight, helmDeletePolicy, helmResourcePolicy}

// keepSyncMarks puts back into u, after ignore_differences took fields
// out of it, slipway's labels (how it knows its objects: without them an
// object is never pruned or destroyed, and a hook's run is not the app's)
// and the sync annotations of the manifest (ann), which apply reads
// again from the manifest the plan recorded and prune and destroy from
// the live object: a rule says what to compare, never how to sync, as
// Argo CD's ignoreDifferences does not change how an object is synced.
func keepSyncMarks(u *unstructured.Unstructured, app string, ann map[string]string) {
	setAppLabels(u, app)
	kept := u.GetAnnotations()
	for _, k := range syncAnnotations {
		if v, ok := ann[k]; ok {
			if kept == nil {
				kept = map[string]string{}
			}
			kept[k] = v
		}
	}
	if kept != nil {
		u.SetAnnotations(kept)
	}
}

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
		ann, err := readAnnotations(u.GetAnnotations())
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", gvk.Kind, nameOf(u), err)
		}
		if ann.skip {
			continue // never applied: argocd.argoproj.io/hook: Skip
		}
		if u.GetName() == "" && (len(ann.phases) == 0 || u.GetGenerateName() == "") {
			if u.GetGenerateName() != "" {
				return nil, fmt.Errorf("a %s in the manifests has generateName %q but no name; only hooks may (annotate it argocd.argoproj.io/hook: PreSync, Sync or PostSync), since slipway must know the name of each object of the app to plan it", gvk.Kind, u.GetGenerateName())
			}
			return nil, fmt.Errorf("a %s in the manifests has no metadata.name", gvk.Kind)
		}
		o := &desiredObject{obj: u, wave: ann.wave, policies: ann.policies, opts: ann.opts, generateName: u.GetGenerateName()}
		namespaced, err := isNamespaced(sc, gvk, crdScopes, ann.opts.SkipDryRun, &o.unknownKind)
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
		if u.GetName() != "" {
			o.generateName = "" // the name wins, as in Kubernetes
			key := o.id.String()
			if len(ann.phases) > 0 {
				key = strings.Join(ann.phases, ",") + " hook " + key
			}
			if seen[key] {
				return nil, fmt.Errorf("the manifests hold %s twice", o.id)
			}
			seen[key] = true
		}
		if gvk.Group == "" && gvk.Kind == "Namespace" {
			hasNamespace[u.GetName()] = true
		}

		cleanManifest(u)
		setAppLabels(u, cfg.Name)
		ignored := false
		for _, r := range cfg.Ignore {
			if r.matches(o.id) {
				for _, p := range r.Pointers {
					removePointer(u.Object, p)
					ignored = true
				}
			}
		}
		if ignored {
			keepSyncMarks(u, cfg.Name, in.GetAnnotations())
		}

		o.hash = manifestHash(u)
		if len(ann.phases) == 0 {
			d.objects = append(d.objects, o)
			continue
		}
		for _, p := range ann.phases {
			h := *o
			h.hook = p
			d.hooks = append(d.hooks, &h)
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
// With skipMissing (SkipDryRunOnMissingResource=true) a kind nobody
// defines is taken as namespaced and known only after apply.
func isNamespaced(sc scoper, gvk schema.GroupVersionKind, crdScopes map[schema.GroupKind]bool, skipMissing bool, unknown *bool) (bool, error) {
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
	if skipMissing {
		*unknown = true
		return true, nil
	}
	return false, fmt.Errorf("the cluster does not serve %s %s and no CustomResourceDefinition in the manifests defines it; install the CRD first or add it to the app", gvk.GroupVersion(), gvk.Kind)
}

// nameOf names an object in a message: its name, or its generateName.
func nameOf(u *unstructured.Unstructured) string {
	if n := u.GetName(); n != "" {
		return strconv.Quote(n)
	}
	if g := u.GetGenerateName(); g != "" {
		return fmt.Sprintf("(generateName %q)", g)
	}
	return "(no name)"
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
