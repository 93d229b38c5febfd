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
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// Watches follows the objects a provider manages (those its label
// selector matches) for the waits of the process: one informer per kind,
// started the first time a wait needs the kind and shared by every wait
// after it. While the waits of the process are in at most
// namespaceLists namespaces, a namespaced kind is watched in each of them
// (as FetchLive LISTs), and a cluster-scoped object (an app's Namespace)
// by its name, so that an apply of a few apps costs what they hold, not
// every object slipway manages in the cluster; a wait in one namespace
// (or of one such object) more starts the kind's informer across the
// cluster, which every later wait shares. A thousand apps waiting cost one LIST and one
// WATCH per kind (and per kind of the first few namespaces), not a LIST
// per kind and app every poll, and a change is seen as soon as the API
// server sends it.
//
// A kind the credentials may not watch across the cluster is watched in
// each namespace on its own once that watch has failed, however many
// (a tenant's account bound in a dozen namespaces), and the waits that
// followed the failed watch move to their namespace's. A kind that
// cannot be watched where the wait needs it — the credentials may not
// list or watch it there, or the API does not serve list or watch — is
// polled instead (FetchLive, at most once per PollInterval per wait), as
// is an object the watch has not delivered at the version this operation
// wrote once Grace has passed (an object someone stripped of the label,
// say). The informers run until Stop; their objects are kept
// without managedFields and, for ConfigMaps and Secrets, without their
// data, which health does not read.
//
// A Watches is safe for concurrent use.
type Watches struct {
	cl       *Cluster
	selector string
	// matches is selector parsed, nil if it does not parse (the API
	// server then refuses the watches too).
	matches labels.Selector
	ctx     context.Context
	stop    context.CancelFunc

	mu    sync.Mutex
	kinds map[watchKey]*kindWatch
	// namespaces are those watched one by one (at most namespaceLists),
	// and names the cluster-scoped objects (a Namespace) watched alone.
	namespaces, names map[string]bool
}

// watchKey is what one informer watches: a resource in a namespace, one
// object of a cluster-scoped resource by name, or the resource across the
// cluster (both "").
type watchKey struct {
	gvr      schema.GroupVersionResource
	ns, name string
}

// The polling of what the watches cannot tell.
var (
	// PollInterval is how often a wait polls what it cannot watch.
	PollInterval = time.Second
	// Grace is how long a wait trusts the watch to deliver an object it
	// has not seen at the version the operation wrote, before it polls.
	Grace = 5 * time.Second
)

// watchRecheck is how long a wait that a watch answered waits for a
// change before it looks again (Observation.Recheck): a watch on a
// connection that died without a word (no HTTP/2 to ping it) delivers
// nothing and is taken for stale only when looked at, after staleWatch.
const watchRecheck = 30 * time.Second

// Watches returns the cluster's watches of the objects selector matches,
// made on first use.
func (c *Cluster) Watches(selector string) *Watches {
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	if w := c.watches[selector]; w != nil {
		return w
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &Watches{cl: c, selector: selector, ctx: ctx, stop: stop, kinds: map[watchKey]*kindWatch{}, namespaces: map[string]bool{}, names: map[string]bool{}}
	if sel, err := labels.Parse(selector); err == nil {
		w.matches = sel
	}
	if c.watches == nil {
		c.watches = map[string]*Watches{}
	}
	c.watches[selector] = w
	return w
}

// Stop ends every informer of w; waits still tracking poll from then on.
func (w *Watches) Stop() { w.stop() }

// kindWatch is the informer of one kind, and the trackers that wait for
// its objects.
type kindWatch struct {
	gvk      schema.GroupVersionKind
	informer cache.SharedIndexInformer
	stop     context.CancelFunc
	// streams says whether the store is current; while it is not, the
	// waits poll.
	streams streams

	// selector is the label selector it watches.
	selector labels.Selector

	mu        sync.Mutex
	synced    bool
	failed    bool                             // cannot be watched: its objects are polled
	forbidden bool                             // failed as the credentials may not watch it
	interest  map[string]map[*Tracker]struct{} // by store key (NAMESPACE/NAME)
	trackers  map[*Tracker]struct{}
	// deletions are the objects the watch saw deleted, by store key:
	// the resourceVersion of the deletion and when it was seen. Only
	// such a record says an object is gone: the watch also drops an
	// object whose labels stopped matching the selector (the API server
	// sends that as a deletion too, and its object no longer matches),
	// and a relist drops what it did not return; and the store drops an
	// object a moment before the handler that records its deletion runs.
	deletions    map[string]deletion
	lastPrunedAt time.Time
}

type deletion struct {
	rv   string
	seen time.Time
}

// keptDeletions is how long a deletion is recorded: longer than any wait
// is slow to look, for the waits that follow an object deleted before
// they started.
const keptDeletions = 10 * time.Minute

// kind returns the watch that covers object name of m's resource in
// namespace ns ("" for a cluster-scoped kind), starting it on first use:
// the kind's watch across the cluster once there is one; else, while at
// most namespaceLists namespaces (or cluster-scoped objects) are watched
// one by one, or for any number once the watch across the cluster has
// failed (the credentials may not make it), its watch in ns (or of that
// object alone).
func (w *Watches) kind(m *meta.RESTMapping, ns, name string) *kindWatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	all := watchKey{gvr: m.Resource}
	acrossFailed := false
	if kw := w.kinds[all]; kw != nil {
		if !kw.isForbidden() {
			return kw
		}
		// The credentials may not watch the kind across the cluster:
		// each namespace (or object) is watched on its own, however
		// many, rather than every wait polling.
		acrossFailed = true
	}
	key := all
	switch {
	case ns != "" && (acrossFailed || w.namespaces[ns] || len(w.namespaces) < namespaceLists):
		key.ns = ns
		w.namespaces[ns] = true
	case ns == "" && name != "" && (acrossFailed || w.names[name] || len(w.names) < namespaceLists):
		key.name = name
		w.names[name] = true
	}
	if kw := w.kinds[key]; kw != nil {
		return kw
	}
	ctx, stop := context.WithCancel(w.ctx)
	kw := &kindWatch{gvk: m.GroupVersionKind, stop: stop, selector: w.matches, interest: map[string]map[*Tracker]struct{}{}, trackers: map[*Tracker]struct{}{}, deletions: map[string]deletion{}}
	w.kinds[key] = kw
	selector := w.selector
	fieldSel := ""
	if key.name != "" {
		fieldSel = fields.OneTermEqualSelector("metadata.name", key.name).String()
	}
	// client-go's dynamic informer (dynamicinformer), but that each watch
	// stream is followed.
	kw.streams = streams{now: time.Now, lastSync: func() string { return kw.informer.LastSyncResourceVersion() }, stored: func() string { return kw.informer.GetStore().LastStoreSyncResourceVersion() }, lost: kw.notifyAll}
	res := w.cl.Dynamic.Resource(m.Resource).Namespace(key.ns)
	tweak := func(o *metav1.ListOptions) { o.LabelSelector, o.FieldSelector = selector, fieldSel }
	lw := kw.streams.listWatch(w.cl.Dynamic, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		tweak(&o)
		return res.List(ctx, o)
	}, func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		tweak(&o)
		return res.Watch(ctx, o)
	})
	kw.informer = cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
	_ = kw.informer.SetTransform(slim)
	_ = kw.informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err) {
			kw.fail(apierrors.IsForbidden(err))
			stop()
			return
		}
		// The reflector retries every other error itself, with backoff;
		// the waits poll meanwhile.
		kw.streams.breaks()
	})
	_, _ = kw.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    kw.changed,
		UpdateFunc: func(_, obj any) { kw.changed(obj) },
		DeleteFunc: kw.deleted,
	})
	go kw.informer.RunWithContext(ctx)
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), kw.informer.HasSynced) {
			kw.mu.Lock()
			kw.synced = true
			kw.mu.Unlock()
			kw.notifyAll()
		}
	}()
	return kw
}

// slim drops what health never reads from an object the informer keeps.
func slim(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	u.SetManagedFields(nil)
	if ann := u.GetAnnotations(); ann["kubectl.kubernetes.io/last-applied-configuration"] != "" {
		delete(ann, "kubectl.kubernetes.io/last-applied-configuration")
		u.SetAnnotations(ann)
	}
	if u.GetAPIVersion() == "v1" && (u.GetKind() == "ConfigMap" || u.GetKind() == "Secret") {
		delete(u.Object, "data")
		delete(u.Object, "binaryData")
		delete(u.Object, "stringData")
	}
	return u, nil
}

// fail marks the kind as one that cannot be watched where kw watches it;
// forbidden says the credentials may not.
func (kw *kindWatch) fail(forbidden bool) {
	kw.mu.Lock()
	kw.failed, kw.forbidden = true, forbidden
	kw.mu.Unlock()
	kw.notifyAll()
}

// isForbidden reports whether the credentials may not watch the kind
// where kw watches it.
func (kw *kindWatch) isForbidden() bool {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	return kw.forbidden
}

// state says whether the kind's store can be read (it has synced and is
// current), and whether it is polled instead for good.
func (kw *kindWatch) state() (synced, failed bool) {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	return kw.synced && !kw.failed && kw.streams.current(), kw.failed
}

// changed tells the trackers of an object that it changed.
func (kw *kindWatch) changed(obj any) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	kw.mu.Lock()
	defer kw.mu.Unlock()
	delete(kw.deletions, key)
	kw.notify(key)
}

// deleted tells the trackers of an object that the watch dropped it, and
// records its deletion when the event says it was deleted: an object
// that still matches the selector (see deletions).
func (kw *kindWatch) deleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		kw.changed(d.Obj) // dropped by a relist: deleted, or no longer labelled
		return
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok || kw.selector == nil || !kw.selector.Matches(labels.Set(u.GetLabels())) {
		kw.changed(obj) // no longer labelled: not known to be gone
		return
	}
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	now := time.Now()
	kw.mu.Lock()
	defer kw.mu.Unlock()
	kw.deletions[key] = deletion{rv: u.GetResourceVersion(), seen: now}
	if now.Sub(kw.lastPrunedAt) > keptDeletions {
		for k, d := range kw.deletions {
			if now.Sub(d.seen) > keptDeletions {
				delete(kw.deletions, k)
			}
		}
		kw.lastPrunedAt = now
	}
	kw.notify(key)
}

// notify tells the trackers of store key that it may have changed; kw.mu
// is held.
func (kw *kindWatch) notify(key string) {
	for t := range kw.interest[key] {
		t.notify()
	}
}

// deletedAt returns the resourceVersion at which the watch saw the object
// of store key deleted, and whether it did.
func (kw *kindWatch) deletedAt(key string) (string, bool) {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	d, ok := kw.deletions[key]
	return d.rv, ok
}

func (kw *kindWatch) notifyAll() {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	for t := range kw.trackers {
		t.notify()
	}
}

// Target is an object a wait follows.
type Target struct {
	ID ObjectID
	// ResourceVersion is the object's resourceVersion as the operation
	// wrote it: the wait judges no older version of the object. "" when
	// the operation did not write it: any version will do, and an object
	// the watch does not hold is polled once Grace has passed.
	ResourceVersion string
	// Polled says no watch can tell of the object: it lacks the label
	// the watches select. It is polled, at once and every PollInterval.
	Polled bool
}

// Tracker follows the objects of one wait. It is used by one goroutine
// at a time; its watches tell it of changes from theirs.
type Tracker struct {
	w       *Watches
	ms      *Mappings
	targets []tracked
	start   time.Time
	changes chan struct{}

	lastPoll time.Time
	polled   map[string]*unstructured.Unstructured // what the last poll found, by ID
	covered  map[string]bool                       // the IDs the last poll looked for
	pollErr  error
	// gone are the targets written by this operation that a poll did not
	// find: deleted (a new object of the same name would be another), so
	// neither watched nor polled again.
	gone map[string]bool
}

type tracked struct {
	Target
	key  string     // the ID as a string
	skey string     // the store key, NAMESPACE/NAME or NAME
	kw   *kindWatch // nil: polled
	// mapping and ns say which watch covers it (Watches.kind).
	mapping *meta.RESTMapping
	ns      string
}

// Track starts following targets, starting the watches of their kinds
// that are not running yet. Close it when the wait ends.
func (w *Watches) Track(ms *Mappings, targets []Target) *Tracker {
	t := &Tracker{w: w, ms: ms, start: time.Now(), changes: make(chan struct{}, 1)}
	for _, tg := range targets {
		tr := tracked{Target: tg, key: tg.ID.String(), skey: tg.ID.Name}
		if m, err := ms.Mapping(tg.ID.GVK()); err == nil && w.ctx.Err() == nil && !tg.Polled {
			// A kind the server does not serve, and any other lookup
			// failure, is left to FetchLive, which knows what to make of it.
			tr.mapping = m
			if m.Scope.Name() == meta.RESTScopeNameNamespace {
				tr.skey = tg.ID.Namespace + "/" + tg.ID.Name
				tr.ns = tg.ID.Namespace
			}
			t.follow(&tr, w.kind(m, tr.ns, tg.ID.Name))
		}
		t.targets = append(t.targets, tr)
	}
	return t
}

// follow has tr followed by the watch kw.
func (t *Tracker) follow(tr *tracked, kw *kindWatch) {
	tr.kw = kw
	kw.mu.Lock()
	defer kw.mu.Unlock()
	if kw.interest[tr.skey] == nil {
		kw.interest[tr.skey] = map[*Tracker]struct{}{}
	}
	kw.interest[tr.skey][t] = struct{}{}
	kw.trackers[t] = struct{}{}
}

// unfollow is the reverse of follow.
func (t *Tracker) unfollow(tr *tracked) {
	kw := tr.kw
	kw.mu.Lock()
	defer kw.mu.Unlock()
	delete(kw.interest[tr.skey], t)
	if len(kw.interest[tr.skey]) == 0 {
		delete(kw.interest, tr.skey)
	}
	delete(kw.trackers, t)
}

// refollow moves tr to another watch of its kind when the one it follows
// may not be made: its kind's watch across the cluster, which the
// credentials may not make, found so once tr followed it (Watches.kind
// then watches each namespace alone).
func (t *Tracker) refollow(tr *tracked) {
	if tr.kw == nil || !tr.kw.isForbidden() || t.w.ctx.Err() != nil {
		return
	}
	if kw := t.w.kind(tr.mapping, tr.ns, tr.ID.Name); kw != tr.kw {
		t.unfollow(tr)
		t.follow(tr, kw)
	}
}

// Close stops following the targets.
func (t *Tracker) Close() {
	for i := range t.targets {
		if t.targets[i].kw != nil {
			t.unfollow(&t.targets[i])
		}
	}
}

// Wait waits until it is time to Observe again after obs: one of the
// targets may have changed, or a watch started or failed, or obs.Recheck
// has passed. With no Recheck,
// only a change ends it: there is no round to wait for. It returns ctx's
// error when ctx ends first.
func (t *Tracker) Wait(ctx context.Context, obs Observation) error {
	var recheck <-chan time.Time
	if obs.Recheck > 0 {
		timer := time.NewTimer(obs.Recheck)
		defer timer.Stop()
		recheck = timer.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.changes:
	case <-recheck:
	}
	return nil
}

func (t *Tracker) notify() {
	select {
	case t.changes <- struct{}{}:
	default:
	}
}

// Observation is what a Tracker knows of its targets.
type Observation struct {
	// Objects holds the live targets by ID. They may be the watches' own
	// copies: read them, never change them. A target that is neither here
	// nor in Unseen does not exist.
	Objects map[string]*unstructured.Unstructured
	// Unseen are the targets not yet seen at the version the operation
	// wrote (or whose watch is still starting).
	Unseen map[string]bool
	// Recheck, when not zero, is when to Observe again even if no target
	// changed (Wait): some targets are polled, or a watch answered for
	// some (watchRecheck).
	Recheck time.Duration
}

// Observe says what is known of the targets now: what the watches hold,
// and for what they cannot tell, the last poll, made again when it is
// PollInterval old. The error is that of the last poll.
func (t *Tracker) Observe(ctx context.Context) (obs Observation, err error) {
	obs = Observation{Objects: map[string]*unstructured.Unstructured{}, Unseen: map[string]bool{}}
	var toPoll []tracked
	graceOver := time.Since(t.start) >= Grace
	watched := false
	for i := range t.targets {
		if t.gone[t.targets[i].key] {
			continue
		}
		t.refollow(&t.targets[i])
		tr := t.targets[i]
		u, seen, pollNow := tr.fromWatch()
		switch {
		case seen:
			if u != nil {
				obs.Objects[tr.key] = u
			}
			watched = true
			continue
		case pollNow || tr.kw == nil || tr.kw.isFailed() || graceOver:
			toPoll = append(toPoll, tr)
		}
		obs.Unseen[tr.key] = true
	}
	// What a watch said is looked at again now and then, though it sends
	// nothing: a watch on a connection that died without a word is taken
	// for stale only when looked at (streams).
	defer func() {
		if watched && (obs.Recheck <= 0 || obs.Recheck > watchRecheck) {
			obs.Recheck = watchRecheck
		}
	}()
	if len(toPoll) == 0 {
		if len(obs.Unseen) > 0 {
			obs.Recheck = max(Grace-time.Since(t.start), 0) + time.Millisecond
		}
		return obs, nil
	}
	// A target polled for the first time is polled at once; the others
	// at most once per PollInterval.
	since := time.Since(t.lastPoll)
	due := since >= PollInterval
	for _, tr := range toPoll {
		due = due || !t.covered[tr.key]
	}
	if due {
		ids := make([]ObjectID, len(toPoll))
		for i, tr := range toPoll {
			ids[i] = tr.ID
		}
		t.lastPoll, since = time.Now(), 0
		live, err := FetchLive(ctx, t.ms, t.w.selector, ids)
		t.pollErr = err
		if err == nil {
			t.polled, t.covered = live, map[string]bool{}
			for _, tr := range toPoll {
				t.covered[tr.key] = true
			}
		}
	}
	obs.Recheck = PollInterval - since
	for _, tr := range toPoll {
		if !t.covered[tr.key] {
			continue
		}
		delete(obs.Unseen, tr.key)
		if u := t.polled[tr.key]; u != nil {
			obs.Objects[tr.key] = u
		} else if tr.ResourceVersion != "" {
			if t.gone == nil {
				t.gone = map[string]bool{}
			}
			t.gone[tr.key] = true
		}
	}
	return obs, t.pollErr
}

func (kw *kindWatch) isFailed() bool {
	_, failed := kw.state()
	return failed
}

// fromWatch returns the target as its watch holds it (nil when the watch
// saw it deleted), and whether the watch tells of the version the
// operation wrote; when it does not, pollNow says a poll should tell at
// once (the store is past that version, without the object or a
// deletion of it).
func (tr tracked) fromWatch() (u *unstructured.Unstructured, seen, pollNow bool) {
	if tr.kw == nil {
		return nil, false, false
	}
	if synced, _ := tr.kw.state(); !synced {
		return nil, false, false
	}
	// The version the store holds ("" where client-go cannot say), read
	// before the object: the store only moves on, so an object missing
	// after it was read is missing at that version at least.
	held := tr.kw.streams.stored()
	obj, exists, err := tr.kw.informer.GetIndexer().GetByKey(tr.skey)
	if err != nil {
		return nil, false, false
	}
	if !exists {
		if tr.ResourceVersion == "" {
			// Not written by this operation: only a poll can tell.
			return nil, false, false
		}
		// Gone, when the watch saw it deleted at the version written or
		// after.
		if rv, ok := tr.kw.deletedAt(tr.skey); ok && notOlder(rv, tr.ResourceVersion) {
			return nil, true, false
		}
		// Missing from a store past the version written without a
		// deletion seen: its labels were taken off, a relist dropped it,
		// the watch started after it went, or the handler that records
		// its deletion has not run yet. A poll tells, at once.
		return nil, false, held != "" && notOlder(held, tr.ResourceVersion)
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, false, false
	}
	if tr.ResourceVersion != "" && !notOlder(u.GetResourceVersion(), tr.ResourceVersion) {
		return nil, false, false // the watch has not delivered the version written yet
	}
	return u, true, false
}

// notOlder reports whether resourceVersion a is at least b. Versions that
// cannot be compared (a server whose versions are not the integers the
// API server uses) count only when equal; the wait then polls once Grace
// has passed.
func notOlder(a, b string) bool {
	c, err := resourceversion.CompareResourceVersion(a, b)
	if err != nil {
		return a == b
	}
	return c >= 0
}
