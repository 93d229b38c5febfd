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
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/client-go/rest"

	"github.com/buger/jsonparser"

	"slipway.dev/slipway/internal/par"
)

// listParallelism bounds the LIST requests in flight at once.
const listParallelism = 8

// listPageSize is the most objects one page of a LIST asks for.
//
// The API server serves a LIST's first page from its watch cache, and
// reads each further page from etcd (its metrics count an etcd list for
// each). LISTing the 11,000 objects of 1,000 apps of ten kinds in pages of
// 500 (kubectl's and client-go's pager's size) took 22 further pages, and
// cost the API server 0.26-0.43 s of CPU and the client 0.34-0.41 s of wall
// clock, against 0.16-0.21 s and 0.22-0.28 s with one page a kind. Pages
// still bound what one response holds when a kind has more objects.
const listPageSize = 5000

// namespaceLists is the most namespaces of one kind LISTed one by one;
// a kind wanted in more is LISTed cluster-wide. A LIST by label in a
// namespace costs the API server and the client in proportion to what
// that namespace holds with the label, one cluster-wide in proportion to
// what the whole cluster holds with it, every other configuration's
// apps included: the plan of a few apps, each in its own namespace,
// costs what they hold, however many apps other teams sync into the
// cluster, and a client that may LIST only its own namespaces has no
// cluster-wide LIST refused first.
const namespaceLists = listParallelism

// FetchLive finds the live objects among ids, for any number of resources
// at once, with LIST requests only — never one GET per object:
//
//   - one LIST per kind of the objects labelled with selector (the label
//     every object the provider applied carries), in each namespace
//     needed when they are at most namespaceLists, or cluster-wide;
//   - then, only for IDs that LIST did not return (new objects, or objects
//     someone made by hand), one LIST per kind and namespace without the
//     label selector (by field selector when one name is missing); none
//     in a namespace that ids include and that does not exist.
//
// A kind the server does not serve yields no objects. The map is keyed by
// ID string and holds only the IDs asked for.
func FetchLive(ctx context.Context, ms *Mappings, selector string, ids []ObjectID) (map[string]*unstructured.Unstructured, error) {
	return (&LiveSet{Selector: selector}).Fetch(ctx, ms, ids)
}

// LiveSet is what the LISTs of one operation returned, so that a later
// fetch of the same operation asks only about what they did not decide:
// a plan fetches the objects of the apps' inventories while it renders
// their manifests, then the objects of the manifests, which in a plan
// without changes are all decided already. Set Selector before the first
// Fetch; a LiveSet is not safe for concurrent use.
type LiveSet struct {
	// Selector is the label selector of the first LISTs (see FetchLive).
	Selector string

	objs map[string]*Live // every object returned, by ID
	// labelled are the namespaces of each kind LISTed by label; "" is
	// every namespace (or a cluster-scoped kind).
	labelled map[schema.GroupVersionKind]map[string]bool
	// complete are the kinds and namespaces LISTed without selector.
	complete map[nsKey]bool
	// searched are the IDs a LIST by field selector looked for.
	searched map[string]bool
	// served are the kinds looked up: whether the server serves them, and
	// how to LIST them.
	served map[schema.GroupVersionKind]*kindInfo
}

type nsKey struct {
	gvk schema.GroupVersionKind
	ns  string
}

type kindInfo struct {
	ri         lister
	namespaced bool
}

// Listed and Decoded count the objects the LISTs of s returned, and those
// of them decoded so far (Live.Object).
func (s *LiveSet) Listed() int { return len(s.objs) }

// Decoded: see Listed.
func (s *LiveSet) Decoded() int {
	n := 0
	for _, l := range s.objs {
		if l.decoded.Load() {
			n++
		}
	}
	return n
}

// decided returns the live object of id, or nil, and whether earlier
// LISTs decide it.
func (s *LiveSet) decided(id ObjectID, key string) (*Live, bool) {
	if u := s.objs[key]; u != nil {
		return u, true
	}
	return nil, s.searched[key] || s.complete[nsKey{id.GVK(), id.Namespace}]
}

// listedByLabel reports whether a labelled LIST covered id's kind and
// namespace.
func (s *LiveSet) listedByLabel(id ObjectID) bool {
	nss := s.labelled[id.GVK()]
	return nss[""] || nss[id.Namespace]
}

func (s *LiveSet) kind(ms *Mappings, gvk schema.GroupVersionKind) (*kindInfo, error) {
	if k, ok := s.served[gvk]; ok {
		return k, nil
	}
	m, err := ms.Mapping(gvk)
	if meta.IsNoMatchError(err) {
		s.served[gvk] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up kind %s: %w", gvk, err)
	}
	k := &kindInfo{ri: lister{ms.cl.REST, m.Resource}, namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}
	s.served[gvk] = k
	return k, nil
}

// Fetch is FetchLive, asking the server only about the IDs that the
// earlier fetches of s do not decide.
func (s *LiveSet) Fetch(ctx context.Context, ms *Mappings, ids []ObjectID) (map[string]*unstructured.Unstructured, error) {
	found, err := s.FetchLazy(ctx, ms, ids)
	if err != nil {
		return nil, err
	}
	return decodeAll(found)
}

// decodeAll decodes the objects of a FetchLazy, on every CPU, and returns
// them by the same keys, or an error for an object that is not valid
// JSON.
func decodeAll(found map[string]*Live) (map[string]*unstructured.Unstructured, error) {
	lives := make([]*Live, 0, len(found))
	for _, l := range found {
		lives = append(lives, l)
	}
	par.Each(len(lives), func(i int) { _, _ = lives[i].Object() })
	out := make(map[string]*unstructured.Unstructured, len(found))
	for key, l := range found {
		u, err := l.Object()
		if err != nil {
			return nil, err
		}
		out[key] = u
	}
	return out, nil
}

// FetchLazy is Fetch, leaving each object as the JSON the server sent
// until it is asked for (Live.Object). A refresh that finds most objects
// as recorded compares them with their JSON, and decodes only the others:
// decoding every object of a LIST into maps was the largest part of what
// a no-op plan cost the provider, in CPU and in memory.
func (s *LiveSet) FetchLazy(ctx context.Context, ms *Mappings, ids []ObjectID) (map[string]*Live, error) {
	if s.objs == nil {
		s.objs = map[string]*Live{}
		s.labelled = map[schema.GroupVersionKind]map[string]bool{}
		s.complete = map[nsKey]bool{}
		s.searched = map[string]bool{}
		s.served = map[schema.GroupVersionKind]*kindInfo{}
	}
	type kindQuery struct {
		gvk        schema.GroupVersionKind
		ri         lister
		namespaced bool
		namespaces map[string]bool
	}
	found := make(map[string]*Live, len(ids))
	want := make(map[string]ObjectID, len(ids))
	kinds := map[schema.GroupVersionKind]*kindQuery{}
	for _, id := range ids {
		key := id.String()
		if u, ok := s.decided(id, key); ok {
			if u != nil {
				found[key] = u
			}
			continue
		}
		if _, dup := want[key]; dup {
			continue
		}
		k, err := s.kind(ms, id.GVK())
		if err != nil {
			return nil, err
		}
		if k == nil {
			continue // not served: no object
		}
		want[key] = id
		if s.listedByLabel(id) {
			continue // not returned by label: only the second pass can find it
		}
		q := kinds[id.GVK()]
		if q == nil {
			q = &kindQuery{gvk: id.GVK(), ri: k.ri, namespaced: k.namespaced, namespaces: map[string]bool{}}
			kinds[id.GVK()] = q
		}
		q.namespaces[id.Namespace] = true
	}

	var mu sync.Mutex
	keep := func(items []*Live, gvk schema.GroupVersionKind) {
		keys := make([]string, len(items))
		for i, l := range items {
			keys[i] = l.id().String()
		}
		mu.Lock()
		defer mu.Unlock()
		for i, l := range items {
			key := keys[i]
			s.objs[key] = l
			if _, ok := want[key]; ok {
				found[key] = l
			}
		}
	}
	labelled := func(gvk schema.GroupVersionKind, ns string) {
		mu.Lock()
		defer mu.Unlock()
		if s.labelled[gvk] == nil {
			s.labelled[gvk] = map[string]bool{}
		}
		s.labelled[gvk][ns] = true
	}

	var jobs []func(context.Context) error
	for _, q := range sortedKinds(kinds) {
		switch {
		case !q.namespaced:
			jobs = append(jobs, listJob(q.ri, "", s.Selector, "", q.gvk, keep, labelled))
		case len(q.namespaces) <= namespaceLists:
			for _, ns := range sortedKeys(q.namespaces) {
				jobs = append(jobs, listJob(q.ri, ns, s.Selector, "", q.gvk, keep, labelled))
			}
		default:
			q := q
			jobs = append(jobs, func(ctx context.Context) error {
				err := listJob(q.ri, metav1.NamespaceAll, s.Selector, "", q.gvk, keep, labelled)(ctx)
				if !apierrors.IsForbidden(err) {
					return err
				}
				// No cluster-wide access: one LIST per namespace instead.
				for _, ns := range sortedKeys(q.namespaces) {
					if err := listJob(q.ri, ns, s.Selector, "", q.gvk, keep, labelled)(ctx); err != nil {
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
	missing := map[nsKey][]string{}
	for key, id := range want {
		if _, ok := found[key]; ok {
			continue
		}
		k := nsKey{id.GVK(), id.Namespace}
		missing[k] = append(missing[k], id.Name)
	}
	// A namespace this fetch looks for and does not find holds nothing:
	// its objects need no LIST of their own. The Namespaces are looked up
	// first, so that the first plan of apps that each create their
	// namespace makes one LIST of Namespaces instead of one LIST per
	// kind and app (10,000 at 1,000 apps of ten kinds).
	nsKind := nsKey{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}}
	if names, ok := missing[nsKind]; ok && len(missing) > 1 && s.served[nsKind.gvk] != nil {
		delete(missing, nsKind)
		if err := s.lookUp(nsKind, names, keep)(ctx); err != nil {
			return nil, err
		}
		absent := map[string]bool{}
		for _, name := range names {
			if _, ok := found[ObjectID{Version: "v1", Kind: "Namespace", Name: name}.String()]; !ok {
				absent[name] = true
			}
		}
		for k := range missing {
			if absent[k.ns] && s.served[k.gvk].namespaced {
				s.complete[k] = true // nothing, and no request
				delete(missing, k)
			}
		}
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
		jobs = append(jobs, s.lookUp(k, missing[k], keep))
	}
	if err := runParallel(ctx, jobs); err != nil {
		return nil, err
	}
	return found, nil
}

// lookUp is the job that LISTs the objects of names of one kind in one
// namespace without the label selector (by field selector for one name),
// and records that they are decided.
func (s *LiveSet) lookUp(k nsKey, names []string, keep func([]*Live, schema.GroupVersionKind)) func(context.Context) error {
	q := s.served[k.gvk]
	ns := k.ns
	if !q.namespaced {
		ns = ""
	}
	fieldSel := ""
	if len(names) == 1 {
		fieldSel = fields.OneTermEqualSelector("metadata.name", names[0]).String()
		s.searched[ObjectID{Group: k.gvk.Group, Version: k.gvk.Version, Kind: k.gvk.Kind, Namespace: k.ns, Name: names[0]}.String()] = true
	} else {
		s.complete[k] = true
	}
	return listJob(q.ri, ns, "", fieldSel, k.gvk, keep, nil)
}

// listJob LISTs one kind in one namespace ("" for all or cluster-scoped),
// page by page, handing the items to keep.
// listed, when set, is told once the LIST is complete.
func listJob(ri lister, ns, labelSel, fieldSel string, gvk schema.GroupVersionKind, keep func([]*Live, schema.GroupVersionKind), listed func(schema.GroupVersionKind, string)) func(context.Context) error {
	return func(ctx context.Context) error {
		opts := metav1.ListOptions{LabelSelector: labelSel, FieldSelector: fieldSel, Limit: listPageSize}
		for {
			list, err := ri.list(ctx, ns, gvk, opts)
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
			if list.Continue == "" {
				if listed != nil {
					listed(gvk, ns)
				}
				return nil
			}
			opts.Continue = list.Continue
		}
	}
}

// lister LISTs one resource.
type lister struct {
	rc  rest.Interface
	gvr schema.GroupVersionResource
}

// listPage is one page of a LIST.
type listPage struct {
	Items    []*Live
	Continue string
}

// list makes the request the dynamic client's List makes, in namespace ns
// ("" for all, or a cluster-scoped kind), of objects of kind gvk, and
// splits the response into its items without decoding them (see Live):
// the dynamic client decodes a list three times over (the items as raw
// JSON, the whole list into a map it then drops, and each item again),
// which made it most of what a no-op plan cost the provider. Decoded,
// the items are the same: JSON numbers as int64 or float64, keys case
// sensitive.
func (l lister) list(ctx context.Context, ns string, gvk schema.GroupVersionKind, opts metav1.ListOptions) (listPage, error) {
	path := make([]string, 0, 6)
	if l.gvr.Group == "" {
		path = append(path, "api")
	} else {
		path = append(path, "apis", l.gvr.Group)
	}
	path = append(path, l.gvr.Version)
	if ns != "" {
		path = append(path, "namespaces", ns)
	}
	path = append(path, l.gvr.Resource)
	req := l.rc.Get().AbsPath(path...).SetHeader("Accept", "application/json")
	if opts.LabelSelector != "" {
		req = req.Param("labelSelector", opts.LabelSelector)
	}
	if opts.FieldSelector != "" {
		req = req.Param("fieldSelector", opts.FieldSelector)
	}
	if opts.Limit > 0 {
		req = req.Param("limit", strconv.FormatInt(opts.Limit, 10))
	}
	if opts.Continue != "" {
		req = req.Param("continue", opts.Continue)
	}
	res := req.Do(ctx)
	if err := res.Error(); err != nil {
		return listPage{}, err
	}
	body, _ := res.Raw()
	page, err := splitList(body, gvk)
	if err != nil {
		return listPage{}, fmt.Errorf("decode the list: %w", err)
	}
	return page, nil
}

// splitList splits a LIST's JSON into its items, each the bytes the
// server sent, and reads its continue token. What it cannot split, it
// leaves to encoding/json for the error.
func splitList(body []byte, gvk schema.GroupVersionKind) (listPage, error) {
	var page listPage
	bad := func() (listPage, error) {
		var doc struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []json.RawMessage `json:"items"`
		}
		if err := utiljson.Unmarshal(body, &doc); err != nil {
			return listPage{}, err
		}
		return listPage{}, errors.New("the list is not one this client can read")
	}
	var itemsErr error
	found := false
	err := jsonparser.ObjectEach(body, func(key, value []byte, t jsonparser.ValueType, _ int) error {
		switch string(key) {
		case "metadata":
			if t != jsonparser.Object {
				return nil
			}
			if c, ct := LastMember(value, "continue"); ct == jsonparser.String {
				var ok bool
				if page.Continue, ok = jsonString(c); !ok {
					return errors.New("the continue token is not a string")
				}
			}
		case "items":
			if found {
				return errors.New("items twice")
			}
			found = true
			if t == jsonparser.Null {
				return nil
			}
			if t != jsonparser.Array {
				return errors.New("items is not an array")
			}
			_, err := jsonparser.ArrayEach(value, func(item []byte, it jsonparser.ValueType, _ int, err error) {
				switch {
				case err != nil:
					itemsErr = err
				case it == jsonparser.Object:
					page.Items = append(page.Items, &Live{gvk: gvk, raw: item})
				case it == jsonparser.Null:
					page.Items = append(page.Items, &Live{gvk: gvk, raw: []byte("{}")})
				default:
					itemsErr = errors.New("an item is not an object")
				}
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || itemsErr != nil {
		return bad()
	}
	return page, nil
}

// Live is one object a LIST returned: its kind, and its JSON as the
// server sent it, decoded the first time it is asked for. It is safe for
// concurrent use.
type Live struct {
	gvk     schema.GroupVersionKind
	raw     []byte
	once    sync.Once
	decoded atomic.Bool
	u       *unstructured.Unstructured
	err     error
	mdOnce  sync.Once
	meta    Meta
}

// GVK is the object's kind, the one its LIST asked for.
func (l *Live) GVK() schema.GroupVersionKind { return l.gvk }

// JSON is the object as the server sent it. The server leaves out of
// each item its apiVersion and kind (they are the LIST's); Object has
// them.
func (l *Live) JSON() []byte { return l.raw }

// Object is the object decoded, with its apiVersion and kind.
func (l *Live) Object() (*unstructured.Unstructured, error) {
	l.once.Do(func() {
		var m map[string]any
		if err := utiljson.Unmarshal(l.raw, &m); err != nil {
			l.err = fmt.Errorf("decode a %s of the list: %w", l.gvk.Kind, err)
			return
		}
		if m == nil {
			m = map[string]any{}
		}
		l.u = &unstructured.Unstructured{Object: m}
		l.u.SetGroupVersionKind(l.gvk)
	})
	l.decoded.Store(true)
	return l.u, l.err
}

// Meta is what a LIST's split reads of an object's metadata (its ID),
// read in one pass over it: of a key written twice the last, as
// encoding/json reads it.
type Meta struct {
	// JSON is the metadata's JSON, nil when it is not an object.
	JSON []byte
	// Malformed says the pass stopped at JSON it could not read: the
	// members before it are read, and no comparison may trust them.
	Malformed bool
	// Name and Namespace are as unstructured's GetName and GetNamespace
	// read them: "" when not a string.
	Name, Namespace string
	// Deleting is the object's deletionTimestamp as the server wrote it
	// ("" when it is not being deleted).
	Deleting string
}

// ReadMeta reads metadata JSON md (see Meta); nil reads as no metadata.
func ReadMeta(md []byte) Meta {
	m := Meta{JSON: md}
	if md == nil {
		return m
	}
	var name, namespace, deleting []byte
	nameType, namespaceType, deletingType := jsonparser.NotExist, jsonparser.NotExist, jsonparser.NotExist
	err := jsonparser.ObjectEach(md, func(k, v []byte, t jsonparser.ValueType, _ int) error {
		switch string(k) {
		case "name":
			name, nameType = v, t
		case "namespace":
			namespace, namespaceType = v, t
		case "deletionTimestamp":
			deleting, deletingType = v, t
		}
		return nil
	})
	m.Malformed = err != nil
	if nameType == jsonparser.String {
		m.Name, _ = jsonString(name)
	}
	if namespaceType == jsonparser.String {
		m.Namespace, _ = jsonString(namespace)
	}
	if deletingType == jsonparser.String {
		m.Deleting, _ = jsonString(deleting)
	}
	return m
}

// Meta is the object's metadata as ReadMeta reads it, read once.
func (l *Live) Meta() *Meta {
	l.mdOnce.Do(func() {
		var md []byte
		if v, t := LastMember(l.raw, "metadata"); t == jsonparser.Object {
			md = v
		}
		l.meta = ReadMeta(md)
	})
	return &l.meta
}

// id is the object's ID, read from its JSON: the name and namespace as
// unstructured's GetName and GetNamespace read them.
func (l *Live) id() ObjectID {
	m := l.Meta()
	return ObjectID{Group: l.gvk.Group, Version: l.gvk.Version, Kind: l.gvk.Kind, Name: m.Name, Namespace: m.Namespace}
}

// jsonString decodes the contents of a JSON string (jsonparser gives them
// without the quotes, still escaped) as encoding/json does: escapes read,
// invalid UTF-8 replaced. ok is false when it is not a JSON string.
func jsonString(s []byte) (string, bool) {
	if plainJSONString(s) {
		return string(s), true
	}
	q := make([]byte, 0, len(s)+2)
	q = append(append(append(q, '"'), s...), '"')
	var out string
	if err := utiljson.Unmarshal(q, &out); err != nil {
		return "", false
	}
	return out, true
}

// JSONStringIs reports whether the contents of a JSON string decode to
// want (see jsonString), without allocating when they need no decoding.
func JSONStringIs(s []byte, want string) bool {
	if plainJSONString(s) {
		return string(s) == want
	}
	got, ok := jsonString(s)
	return ok && got == want
}

// plainJSONString reports whether the contents of a JSON string are the
// string itself: no escapes, only ASCII.
func plainJSONString(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c >= 0x80 || c < 0x20 {
			return false
		}
	}
	return true
}

// LastMember returns the value of the last member key of the JSON object
// obj (a string without its quotes, still escaped), and its type: of a
// key written twice the last, as encoding/json reads it.
func LastMember(obj []byte, key string) ([]byte, jsonparser.ValueType) {
	var out []byte
	t := jsonparser.NotExist
	_ = jsonparser.ObjectEach(obj, func(k, v []byte, vt jsonparser.ValueType, _ int) error {
		if string(k) == key {
			out, t = v, vt
		}
		return nil
	})
	return out, t
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

// RunEach runs jobs with at most limit at once, letting each finish, and
// returns all their errors joined, in the order of jobs.
func RunEach(ctx context.Context, limit int, jobs []func(context.Context) error) error {
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
