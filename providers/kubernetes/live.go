package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// listParallelism bounds the LIST requests in flight at once.
const listParallelism = 8

// managedSelector selects every object slipway applied, whatever the app.
var managedSelector = labelManagedBy + "=" + managedBy

// fetchLive finds the live objects among ids, for any number of apps at
// once, with LIST requests only — never one GET per object:
//
//   - one LIST per kind of the objects slipway manages (label
//     app.kubernetes.io/managed-by=slipway), in the one namespace needed or
//     cluster-wide;
//   - then, only for IDs that LIST did not return (new objects, or objects
//     someone made by hand), one LIST per kind and namespace without the
//     label selector (by field selector when one name is missing).
//
// A kind the server does not serve yields no objects. The map is keyed by
// ID string and holds only the IDs asked for.
func fetchLive(ctx context.Context, ms *mappings, ids []objectID) (map[string]*unstructured.Unstructured, error) {
	type kindQuery struct {
		gvk        schema.GroupVersionKind
		ri         dynamic.NamespaceableResourceInterface
		namespaced bool
		namespaces map[string]bool
	}
	want := make(map[string]objectID, len(ids))
	kinds := map[schema.GroupVersionKind]*kindQuery{}
	for _, id := range ids {
		want[id.String()] = id
		gvk := id.GVK()
		q := kinds[gvk]
		if q == nil {
			m, err := ms.mapping(gvk)
			if meta.IsNoMatchError(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("look up kind %s: %w", gvk, err)
			}
			q = &kindQuery{gvk: gvk, ri: ms.cl.dyn.Resource(m.Resource), namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace, namespaces: map[string]bool{}}
			kinds[gvk] = q
		}
		q.namespaces[id.Namespace] = true
	}

	found := map[string]*unstructured.Unstructured{}
	var mu sync.Mutex
	keep := func(items []unstructured.Unstructured, gvk schema.GroupVersionKind) {
		mu.Lock()
		defer mu.Unlock()
		for i := range items {
			u := &items[i]
			u.SetGroupVersionKind(gvk)
			key := idOf(u).String()
			if _, ok := want[key]; ok {
				found[key] = u
			}
		}
	}

	var jobs []func(context.Context) error
	for _, q := range sortedKinds(kinds) {
		switch {
		case !q.namespaced:
			jobs = append(jobs, listJob(q.ri, "", managedSelector, "", q.gvk, keep))
		case len(q.namespaces) == 1:
			for ns := range q.namespaces {
				jobs = append(jobs, listJob(q.ri, ns, managedSelector, "", q.gvk, keep))
			}
		default:
			q := q
			jobs = append(jobs, func(ctx context.Context) error {
				err := listJob(q.ri, metav1.NamespaceAll, managedSelector, "", q.gvk, keep)(ctx)
				if !apierrors.IsForbidden(err) {
					return err
				}
				// No cluster-wide access: one LIST per namespace instead.
				for _, ns := range sortedKeys(q.namespaces) {
					if err := listJob(q.ri, ns, managedSelector, "", q.gvk, keep)(ctx); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	if err := runParallel(ctx, jobs); err != nil {
		return nil, err
	}

	// The objects the labelled LISTs did not return, by kind and namespace.
	type nsKey struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	missing := map[nsKey][]string{}
	for key, id := range want {
		if _, ok := found[key]; ok {
			continue
		}
		if _, served := kinds[id.GVK()]; !served {
			continue
		}
		k := nsKey{id.GVK(), id.Namespace}
		missing[k] = append(missing[k], id.Name)
	}
	jobs = jobs[:0]
	keysOrdered := make([]nsKey, 0, len(missing))
	for k := range missing {
		keysOrdered = append(keysOrdered, k)
	}
	sort.Slice(keysOrdered, func(i, j int) bool {
		a, b := keysOrdered[i], keysOrdered[j]
		if a.gvk.String() != b.gvk.String() {
			return a.gvk.String() < b.gvk.String()
		}
		return a.ns < b.ns
	})
	for _, k := range keysOrdered {
		q := kinds[k.gvk]
		ns := k.ns
		if !q.namespaced {
			ns = ""
		}
		fieldSel := ""
		if names := missing[k]; len(names) == 1 {
			fieldSel = fields.OneTermEqualSelector("metadata.name", names[0]).String()
		}
		jobs = append(jobs, listJob(q.ri, ns, "", fieldSel, k.gvk, keep))
	}
	if err := runParallel(ctx, jobs); err != nil {
		return nil, err
	}
	return found, nil
}

// listJob LISTs one kind in one namespace ("" for all or cluster-scoped),
// page by page, handing the items to keep.
func listJob(ri dynamic.NamespaceableResourceInterface, ns, labelSel, fieldSel string, gvk schema.GroupVersionKind, keep func([]unstructured.Unstructured, schema.GroupVersionKind)) func(context.Context) error {
	return func(ctx context.Context) error {
		var r dynamic.ResourceInterface = ri
		if ns != "" {
			r = ri.Namespace(ns)
		}
		opts := metav1.ListOptions{LabelSelector: labelSel, FieldSelector: fieldSel, Limit: 500}
		for {
			list, err := r.List(ctx, opts)
			if apierrors.IsNotFound(err) {
				return nil // the kind is no longer served (its CRD is gone): no objects
			}
			if err != nil {
				where := "cluster-wide"
				if ns != "" {
					where = "in namespace " + ns
				}
				return fmt.Errorf("list %s %s: %w", gvk.GroupVersion().String()+" "+gvk.Kind, where, err)
			}
			keep(list.Items, gvk)
			if list.GetContinue() == "" {
				return nil
			}
			opts.Continue = list.GetContinue()
		}
	}
}

// runParallel runs jobs with bounded parallelism and returns the first
// error.
func runParallel(ctx context.Context, jobs []func(context.Context) error) error {
	if len(jobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, listParallelism)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for _, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := job(ctx); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKinds[T any](m map[schema.GroupVersionKind]T) []T {
	keys := make([]schema.GroupVersionKind, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// runEach runs jobs with bounded parallelism, letting each finish, and
// returns all their errors joined.
func runEach(ctx context.Context, limit int, jobs []func(context.Context) error) error {
	sem := make(chan struct{}, limit)
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = job(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
