package helm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"helm.sh/helm/v3/pkg/releaseutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// fieldManager is the manager name of slipway's dry-run applies.
const fieldManager = "slipway"

// objectID names one Kubernetes object the way state and plans show it:
// "GROUP/VERSION KIND NAMESPACE/NAME", with the core group written as just
// its version ("v1 Namespace /web") and an empty namespace for
// cluster-scoped objects — the same IDs as kubernetes_app's.
type objectID struct {
	Group, Version, Kind string
	Namespace, Name      string
}

func (id objectID) String() string {
	return id.GVK().GroupVersion().String() + " " + id.Kind + " " + id.Namespace + "/" + id.Name
}

func (id objectID) GVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: id.Version, Kind: id.Kind}
}

// parseObjectID reads an ID written by objectID.String.
func parseObjectID(s string) (objectID, error) {
	parts := strings.Split(s, " ")
	if len(parts) != 3 {
		return objectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	gv, err := schema.ParseGroupVersion(parts[0])
	if err != nil {
		return objectID{}, fmt.Errorf("object ID %q: %w", s, err)
	}
	ns, name, ok := strings.Cut(parts[2], "/")
	if !ok || name == "" || parts[1] == "" || gv.Version == "" {
		return objectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	return objectID{Group: gv.Group, Version: gv.Version, Kind: parts[1], Namespace: ns, Name: name}, nil
}

// manifestObject is one object of a rendered release.
type manifestObject struct {
	id  objectID
	obj map[string]any // as rendered, with the namespace helm would give it
	// unknownKind: the cluster does not serve the kind (yet); its scope
	// and its stored form cannot be known.
	unknownKind bool
	mapping     *meta.RESTMapping
}

// splitManifest parses a release manifest into objects, in helm's install
// order, giving namespaced objects that name none the release namespace
// as helm's kube client does.
func (cl *cluster) splitManifest(manifest, namespace string) ([]*manifestObject, error) {
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
		m, err := cl.mapping(gvk)
		switch {
		case meta.IsNoMatchError(err):
			o.unknownKind = true
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
		case err != nil:
			return nil, fmt.Errorf("look up kind %s: %w", gvk, err)
		case m.Scope.Name() == meta.RESTScopeNameNamespace:
			o.mapping = m
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
		default:
			o.mapping = m
			unstructured.RemoveNestedField(obj, "metadata", "namespace")
		}
		o.id = objectID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
		if seen[o.id.String()] {
			return nil, fmt.Errorf("rendered manifest: %s appears twice", o.id)
		}
		seen[o.id.String()] = true
		out = append(out, o)
	}
	return out, nil
}

// mapping resolves a kind, asking the server again once when the cached
// discovery does not know it (a CRD created since).
func (cl *cluster) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		cl.mapper.Reset()
		m, err = cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	return m, err
}

func (cl *cluster) resource(o *manifestObject) dynamic.ResourceInterface {
	ri := cl.dyn.Resource(o.mapping.Resource)
	if o.mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(o.id.Namespace)
	}
	return ri
}

// get returns the live object, or nil when it does not exist.
func (cl *cluster) get(ctx context.Context, o *manifestObject) (*unstructured.Unstructured, error) {
	if o.unknownKind {
		return nil, nil
	}
	u, err := cl.resource(o).Get(ctx, o.id.Name, metav1.GetOptions{})
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
// are few, but one GET after another adds their round trips up.
func (cl *cluster) getAll(ctx context.Context, objs []*manifestObject) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, len(objs))
	errs := make([]error, len(objs))
	sem := make(chan struct{}, getParallelism)
	var wg sync.WaitGroup
	for i, o := range objs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = cl.get(ctx, o)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// dryRunApply asks the server what applying o would make of the object:
// server-side apply in dry-run, which changes nothing.
func (cl *cluster) dryRunApply(ctx context.Context, o *manifestObject) (map[string]any, error) {
	body, err := json.Marshal(o.obj)
	if err != nil {
		return nil, err
	}
	force := true
	out, err := cl.resource(o).Patch(ctx, o.id.Name, types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager: fieldManager,
		Force:        &force,
		DryRun:       []string{metav1.DryRunAll},
	})
	if err != nil {
		return nil, err
	}
	return out.Object, nil
}

// noiseMetadata are metadata fields the server manages; they change
// without anyone changing the object and are never shown.
var noiseMetadata = []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"}

// noiseAnnotations are annotations tools write as bookkeeping, helm's
// ownership marks among them.
var noiseAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
	"meta.helm.sh/release-name", "meta.helm.sh/release-namespace",
}

// normalise is what plans and state show of a live (or dry-run) object:
// the object without the server's noise and helm's ownership marks,
// limited to the fields of shape (maps by key, lists element by element).
// A nil shape keeps every field but the noise.
func normalise(obj, shape map[string]any) map[string]any {
	out := runtime.DeepCopyJSON(obj)
	delete(out, "status")
	if md, ok := out["metadata"].(map[string]any); ok {
		for _, f := range noiseMetadata {
			delete(md, f)
		}
	}
	if shape != nil {
		out = intersect(out, shape).(map[string]any)
	}
	if md, ok := out["metadata"].(map[string]any); ok {
		if ann, ok := md["annotations"].(map[string]any); ok {
			for _, a := range noiseAnnotations {
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
	}
	return out
}

// intersect keeps the parts of v that shape has: maps by key, lists
// element by element, and v's own value wherever shape holds a scalar (or
// a different type). Server-defaulted fields the chart does not render are
// dropped this way, so a plan shows exactly the fields the chart manages.
func intersect(v, shape any) any {
	switch s := shape.(type) {
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(s))
		for k, sv := range s {
			if x, ok := m[k]; ok && x != nil {
				out[k] = intersect(x, sv)
			}
		}
		return out
	case []any:
		l, ok := v.([]any)
		if !ok {
			return v
		}
		n := min(len(l), len(s))
		out := make([]any, n)
		for i := range n {
			out[i] = intersect(l[i], s[i])
		}
		return out
	default:
		return v
	}
}

// predicted is the best guess of the stored form of an object the server
// cannot dry-run (its namespace does not exist yet): the manifest itself,
// with quantities written as the server writes them, and null fields gone.
func predicted(o *manifestObject) map[string]any {
	var obj map[string]any
	b, _ := json.Marshal(o.obj)
	_ = utiljson.Unmarshal(b, &obj)
	obj = dropNulls(obj).(map[string]any)
	canonicalQuantities(obj, o.id.Group)
	return normalise(obj, obj)
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}

// quantityMaps are the fields of built-in kinds that hold resource
// quantities by name; quantityFields hold one quantity.
var (
	quantityMaps   = map[string]bool{"requests": true, "limits": true, "hard": true, "capacity": true, "overhead": true, "max": true, "min": true, "default": true, "defaultRequest": true, "maxLimitRequestRatio": true}
	quantityFields = map[string]bool{"sizeLimit": true}
)

// canonicalQuantities writes the quantities of a built-in kind's manifest
// the way the API server stores them ("0.1" as "100m"). Custom kinds are
// left alone: only their schema could say which fields are quantities.
func canonicalQuantities(obj map[string]any, group string) {
	if strings.Contains(group, ".") && !strings.HasSuffix(group, ".k8s.io") {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if m, ok := x.(map[string]any); ok && quantityMaps[k] {
					for name, q := range m {
						if c, ok := canonicalQuantity(q); ok {
							m[name] = c
						}
					}
				}
				if quantityFields[k] {
					if c, ok := canonicalQuantity(x); ok {
						v[k] = c
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(obj)
}

func canonicalQuantity(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return "", false
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return "", false
	}
	return q.String(), true
}

// toCty converts a JSON-like object to a cty value of its implied type.
func toCty(obj map[string]any) (cty.Value, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return cty.NilVal, fmt.Errorf("encode object: %w", err)
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, fmt.Errorf("object type: %w", err)
	}
	v, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode object: %w", err)
	}
	return v, nil
}

func objectsVal(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

func stringListVal(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// secretPaths marks the data and stringData of every Secret among objects
// as sensitive.
func secretPaths(objects cty.Value) []cty.Path {
	if objects.IsNull() || !objects.IsKnown() || !objects.Type().IsObjectType() {
		return nil
	}
	m := objects.AsValueMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []cty.Path
	for _, key := range keys {
		v := m[key]
		id, err := parseObjectID(key)
		if err != nil || id.Group != "" || id.Kind != "Secret" || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
			continue
		}
		for _, f := range []string{"data", "stringData"} {
			if v.Type().HasAttribute(f) {
				out = append(out, cty.GetAttrPath("objects").GetAttr(key).GetAttr(f))
			}
		}
	}
	return out
}

// sameValue compares two known values by content.
func sameValue(a, b cty.Value) bool {
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	a, _ = a.UnmarkDeep()
	b, _ = b.UnmarkDeep()
	if !a.Type().Equals(b.Type()) {
		return false
	}
	eq := a.Equals(b)
	return eq.IsKnown() && eq.True()
}
