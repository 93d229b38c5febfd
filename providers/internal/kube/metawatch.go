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
	"crypto/sha256"
	"fmt"
	"sort"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// MetaWatch keeps the metadata of the objects a label selector matches,
// kind by kind across the cluster, current by watching them (client-go's
// metadata informer), for a process that serves plan after plan (a
// provider kept by slipway agent, told so by sdk.ConfigureRequest.
// Resident). FetchMeta answers a LIST it would make across the cluster
// from the kind's watch once the watch has synced: a plan that finds
// every app as recorded then costs the API server nothing, as Argo CD's
// diffs cost it nothing once its cluster cache is warm.
//
// What a watch holds is what a LIST made a moment earlier would have
// found: the API server sends each change to its watches as it commits
// it. An object that an apply in another process has just written, and
// whose change has not reached the watch yet, does not match the mark
// the apply recorded (its resourceVersion and slipway's managedFields),
// so its app is read in full with LISTs of its own, as any app found
// changed is: the watch never makes a plan miss slipway's own writes.
//
// A watch starts when the plan that LISTed its kind is done with the
// provider (StartPending), not during it: its own LIST would meet the
// plan's on the API server and the plan's work on the same cores. The
// first plan of 1,000 apps through an agent took about 0.8 of the time
// once its watches waited for it.
//
// A kind is read from its watch only while the watch is sound: from the
// end of its first LIST, while a watch stream is open, until an error
// ends it (one the reflector is told of, or an ERROR event: an expired or
// too new resourceVersion, which the reflector only logs before it waits
// and LISTs again), and after one, once the watch has delivered anything
// again (a LIST, an event, a bookmark). A stream that ends without an
// error (the server's timeout) is resumed where it stopped; the kind is
// not read until it is. Nor is a watch that has delivered nothing, not
// even the bookmark the API server sends each watch about once a minute,
// for staleWatch of the wall clock: its connection may be dead without a
// word (a laptop that slept, a dropped VPN), and its objects as old. A
// kind is watched only after a LIST of it across the cluster succeeded:
// one the credentials may not list there (FetchMeta then LISTs namespace
// by namespace) is never watched, and one whose watch the server refuses
// (Forbidden, not found, not allowed) is not watched again for
// retryRefused (a CRD deleted and made again, a Role granted since).
// Watches no plan has read for idleWatch are stopped.
//
// The metadata kept is the name, namespace, resourceVersion and
// slipway's entries of managedFields: what an elided refresh compares.
// A MetaWatch is safe for concurrent use.
type MetaWatch struct {
	mu    sync.Mutex
	kinds map[metaWatchKey]*metaKind
	// now is time.Now, but for tests.
	now func() time.Time
}

// idleWatch is how long a watch no plan reads is kept.
const idleWatch = 15 * time.Minute

// retryRefused is how long a kind whose watch the server refused is
// LISTed before it is watched again: a process the host keeps runs for
// hours, through a CRD deleted and made again or a Role granted.
const retryRefused = 5 * time.Minute

// metaWatchKey is what one watch follows: the objects of a resource that
// a label selector matches, across a cluster reached with one identity.
type metaWatchKey struct {
	cluster  string // clusterKey of the REST config
	gvr      schema.GroupVersionResource
	selector string
}

// metaKind is the watch of one kind.
type metaKind struct {
	informer cache.SharedIndexInformer
	stop     context.CancelFunc
	lastUsed time.Time // guarded by MetaWatch.mu
	// run starts the informer; nil once it has (guarded by MetaWatch.mu).
	run func()

	streams streams

	mu sync.Mutex
	// refusedAt is when the server refused the watch, which is never
	// read after it; zero if it has not.
	refusedAt time.Time
}

// NewMetaWatch returns a MetaWatch that watches nothing yet.
func NewMetaWatch() *MetaWatch {
	return &MetaWatch{kinds: map[metaWatchKey]*metaKind{}, now: time.Now}
}

// Stop ends every watch.
func (mw *MetaWatch) Stop() {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	for k, mk := range mw.kinds {
		mk.stop()
		delete(mw.kinds, k)
	}
}

// Watching reports how many kinds are watched now, or will be from the
// next StartPending, for tests and logs.
func (mw *MetaWatch) Watching() int {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	return len(mw.kinds)
}

// objects returns the metadata of gvr's objects that selector matches
// across the cluster cl reaches, as the kind's watch holds them; ok is
// false when there is no sound, synced watch of them. The ObjectMetas
// are the watch's own: read them, never change them.
func (mw *MetaWatch) objects(cl *Cluster, gvr schema.GroupVersionResource, selector string) (out []*metav1.ObjectMeta, ok bool) {
	key := metaWatchKey{cluster: clusterKey(cl.Config), gvr: gvr, selector: selector}
	now := mw.now()
	mw.mu.Lock()
	for k, mk := range mw.kinds {
		if now.Sub(mk.lastUsed) > idleWatch || mk.refusedSince(now) > retryRefused {
			mk.stop()
			delete(mw.kinds, k)
		}
	}
	mk := mw.kinds[key]
	if mk != nil {
		mk.lastUsed = now
	}
	mw.mu.Unlock()
	if mk == nil || !mk.sound() {
		return nil, false
	}
	items := mk.informer.GetStore().List()
	out = make([]*metav1.ObjectMeta, 0, len(items))
	for _, o := range items {
		if pm, ok := o.(*metav1.PartialObjectMetadata); ok {
			out = append(out, &pm.ObjectMeta)
		}
	}
	return out, true
}

// sound reports whether the watch can be read: it has synced, the
// server has not refused it, and its store is current (streams).
func (mk *metaKind) sound() bool {
	if !mk.informer.HasSynced() {
		return false
	}
	mk.mu.Lock()
	refused := !mk.refusedAt.IsZero()
	mk.mu.Unlock()
	return !refused && mk.streams.current()
}

// refusedSince is how long ago the server refused the watch; 0 if it
// has not.
func (mk *metaKind) refusedSince(now time.Time) time.Duration {
	mk.mu.Lock()
	defer mk.mu.Unlock()
	if mk.refusedAt.IsZero() {
		return 0
	}
	return now.Sub(mk.refusedAt)
}

// start is to watch gvr's objects that selector matches across the
// cluster cl reaches, unless they are watched already, from the next
// StartPending. The watch LISTs them first, in the background; objects
// answers once it has.
func (mw *MetaWatch) start(cl *Cluster, gvr schema.GroupVersionResource, selector string) {
	key := metaWatchKey{cluster: clusterKey(cl.Config), gvr: gvr, selector: selector}
	mw.mu.Lock()
	defer mw.mu.Unlock()
	if mw.kinds[key] != nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	mk := &metaKind{stop: stop, lastUsed: mw.now()}
	mk.streams = streams{now: mw.now, lastSync: func() string { return mk.informer.LastSyncResourceVersion() }, stored: func() string { return mk.informer.GetStore().LastStoreSyncResourceVersion() }}
	// client-go's metadata informer (metadatainformer), but that each
	// watch stream is followed.
	res := cl.Metadata.Resource(gvr)
	lw := mk.streams.listWatch(cl.Metadata, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		o.LabelSelector = selector
		return res.List(ctx, o)
	}, func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		o.LabelSelector = selector
		return res.Watch(ctx, o)
	})
	mk.informer = cache.NewSharedIndexInformer(lw, &metav1.PartialObjectMetadata{}, 0, cache.Indexers{})
	_ = mk.informer.SetTransform(slimMeta)
	_ = mk.informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err) {
			// The reflector would try again for ever: FetchMeta LISTs.
			mk.mu.Lock()
			mk.refusedAt = mw.now()
			mk.mu.Unlock()
			stop()
			return
		}
		// The reflector lists or watches again, with backoff.
		mk.streams.breaks()
	})
	mw.kinds[key] = mk
	mk.run = func() { go mk.informer.RunWithContext(ctx) }
}

// StartPending starts the watches FetchMeta asked for since the last
// call. A provider calls it once a plan is done with it.
func (mw *MetaWatch) StartPending() {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	for _, mk := range mw.kinds {
		if mk.run != nil {
			mk.run()
			mk.run = nil
		}
	}
}

// slimMeta keeps of an object's metadata what an elided refresh compares:
// its name, namespace, resourceVersion, deletionTimestamp and slipway's
// entries of managedFields. The other writers' entries are most of the metadata of
// an object that controllers update.
func slimMeta(obj any) (any, error) {
	pm, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	out := &metav1.PartialObjectMetadata{TypeMeta: pm.TypeMeta, ObjectMeta: metav1.ObjectMeta{
		Name: pm.Name, Namespace: pm.Namespace, ResourceVersion: pm.ResourceVersion,
		DeletionTimestamp: pm.DeletionTimestamp,
	}}
	for _, e := range pm.ManagedFields {
		if e.Manager == FieldManager {
			out.ManagedFields = append(out.ManagedFields, e)
		}
	}
	return out, nil
}

// clusterKey identifies the cluster and the identity a REST config
// reaches it with: two sessions whose configs have the same key may share
// a watch.
func clusterKey(c *rest.Config) string {
	h := sha256.New()
	field := func(name string, v any) { fmt.Fprintf(h, "%s=%q\n", name, fmt.Sprint(v)) }
	field("host", c.Host)
	field("path", c.APIPath)
	field("user", c.Username)
	field("password", c.Password)
	field("token", c.BearerToken)
	field("token-file", c.BearerTokenFile)
	t := c.TLSClientConfig
	field("insecure", t.Insecure)
	field("server-name", t.ServerName)
	field("cert", t.CertFile)
	field("key", t.KeyFile)
	field("ca", t.CAFile)
	field("cert-data", string(t.CertData))
	field("key-data", string(t.KeyData))
	field("ca-data", string(t.CAData))
	im := c.Impersonate
	field("as", im.UserName)
	field("as-uid", im.UID)
	field("as-groups", im.Groups)
	var extra []string
	for k, v := range im.Extra {
		extra = append(extra, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(extra)
	field("as-extra", extra)
	if e := c.ExecProvider; e != nil {
		field("exec", fmt.Sprintf("%s %q %q %v", e.APIVersion, e.Command, e.Args, e.Env))
	}
	if a := c.AuthProvider; a != nil {
		var conf []string
		for k, v := range a.Config {
			conf = append(conf, fmt.Sprintf("%s=%q", k, v))
		}
		sort.Strings(conf)
		field("auth-provider", fmt.Sprintf("%s %q", a.Name, conf))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
