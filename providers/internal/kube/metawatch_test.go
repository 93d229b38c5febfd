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
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// watchServer serves ConfigMaps cluster-wide, LISTs and WATCHes, as the
// test sets it to.
type watchServer struct {
	t *testing.T

	mu sync.Mutex
	// lists counts the LISTs of ConfigMaps; watches the WATCHes.
	lists, watches int
	// rv is the collection's resourceVersion, raised at each LIST.
	rv int
	// items are the ConfigMaps by NAMESPACE/NAME, their resourceVersions.
	items map[string]string
	// status, when not 0, answers LISTs and WATCHes with this error;
	// watchStatus WATCHes alone.
	status, watchStatus int
	// events go to the WATCHes open.
	events chan string
	// objects serves whole objects (to a dynamic client), in one
	// namespace or across the cluster, rather than metadata across it.
	objects bool
}

func (s *watchServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if serveDiscovery(w, r) {
		return
	}
	inNS := ""
	if s.objects && strings.HasPrefix(r.URL.Path, "/api/v1/namespaces/") && strings.HasSuffix(r.URL.Path, "/configmaps") {
		inNS = strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/namespaces/"), "/configmaps")
	} else if r.URL.Path != "/api/v1/configmaps" {
		w.Write([]byte("ok")) // the flow control probe
		return
	}
	q := r.URL.Query()
	// FetchLive looks for an object its labelled LIST did not return by
	// name, without the label.
	byName, named := strings.CutPrefix(q.Get("fieldSelector"), "metadata.name=")
	if (q.Get("labelSelector") != "managed=yes" && !(named && q.Get("labelSelector") == "")) || strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadata") == s.objects {
		s.t.Errorf("%s asked with Accept %q and selector %q", r.URL, r.Header.Get("Accept"), q.Get("labelSelector"))
	}
	s.mu.Lock()
	watch := q.Get("watch") == "true"
	status := s.status
	if watch {
		s.watches++
		if s.watchStatus != 0 {
			status = s.watchStatus
		}
	} else {
		s.lists++
		s.rv++
	}
	var items []string
	for key, rv := range s.items {
		ns, name, _ := strings.Cut(key, "/")
		if (inNS == "" || ns == inNS) && (!named || name == byName) {
			items = append(items, metaItem(ns, name, rv))
		}
	}
	rv := s.rv
	s.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":%q,"code":%d}`, http.StatusText(status), status)
		return
	}
	if !watch {
		fmt.Fprintf(w, `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"%d"},"items":[%s]}`, rv, strings.Join(items, ","))
		return
	}
	w.WriteHeader(http.StatusOK)
	if q.Get("sendInitialEvents") == "true" {
		// A streaming list (client-go's WatchListClient): the objects,
		// then the bookmark that ends them.
		s.mu.Lock()
		s.rv++
		rv = s.rv
		s.mu.Unlock()
		for _, item := range items {
			fmt.Fprintf(w, "{\"type\":\"ADDED\",\"object\":%s}\n", item)
		}
		fmt.Fprintf(w, `{"type":"BOOKMARK","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"%d","annotations":{"k8s.io/initial-events-end":"true"}}}}`+"\n", rv)
	}
	w.(http.Flusher).Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev := <-s.events:
			if ev == endStream {
				return
			}
			fmt.Fprintln(w, ev)
			w.(http.Flusher).Flush()
		}
	}
}

// endStream, sent as an event, ends the WATCH that takes it without an
// error, as the server's timeout does.
const endStream = "end"

func metaItem(ns, name, rv string) string {
	return fmt.Sprintf(`{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":%q,"namespace":%q,"resourceVersion":%q,
"managedFields":[{"manager":"slipway","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}},
 {"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:x":{}}}}]}}`, name, ns, rv)
}

func (s *watchServer) set(f func(s *watchServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *watchServer) count() (lists, watches int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists, s.watches
}

// TestMetaWatch follows one kind's watch through its life: FetchMeta
// LISTs the kind across the cluster and is to watch it, LISTs again
// until the watch starts (StartPending), answers from the watch once it
// has synced, sees the changes it delivers, LISTs again while the watch
// is broken (by an error the reflector is told of, by an ERROR event it
// only logs), and LISTs a kind whose watch the server forbids.
func TestMetaWatch(t *testing.T) {
	t.Parallel()
	s := &watchServer{t: t, items: map[string]string{"ns-0/a": "2", "ns-1/b": "3", "ns-9/unasked": "4"}, events: make(chan string, 10)}
	cl := connectTo(t, s.serve)
	mw := NewMetaWatch()
	t.Cleanup(mw.Stop)
	ids := configMapIDs(namespaceLists + 1) // across the cluster
	fetch := func() (map[string]string, int, error) {
		t.Helper()
		before, _ := s.count()
		found, err := FetchMeta(context.Background(), cl.Mappings(), "managed=yes", ids, mw)
		after, _ := s.count()
		got := map[string]string{}
		for key, md := range found {
			got[key] = md.ResourceVersion
			for _, e := range md.ManagedFields {
				if after == before && e.Manager != FieldManager {
					t.Errorf("%s: the watch kept %s's entry of managedFields", key, e.Manager)
				}
			}
		}
		return got, after - before, err
	}
	// until calls fetch until cond holds of what it found and how many
	// LISTs it took, for at most 30 s.
	until := func(what string, cond func(map[string]string, int, error) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, lists, err := fetch()
			if cond(got, lists, err) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s; the last FetchMeta found %v with %d LISTs (error %v)", what, got, lists, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	want := "map[v1 ConfigMap ns-0/a:2 v1 ConfigMap ns-1/b:3]"

	got, lists, err := fetch()
	if err != nil || lists != 1 || fmt.Sprint(got) != want {
		t.Fatalf("the first FetchMeta found %v with %d LISTs (error %v); want %s with 1", got, lists, err, want)
	}
	if mw.Watching() != 1 {
		t.Fatalf("watching %d kinds after a LIST across the cluster, want 1", mw.Watching())
	}
	// Until the plan is done with it, the watch waits: a FetchMeta LISTs.
	time.Sleep(100 * time.Millisecond)
	got, lists, err = fetch()
	if _, watches := s.count(); err != nil || lists != 1 || watches != 0 || fmt.Sprint(got) != want {
		t.Fatalf("before StartPending, FetchMeta found %v with %d LISTs and %d WATCHes (error %v); want %s with 1 and none", got, lists, watches, err, want)
	}
	mw.StartPending()
	until("answered from the synced watch", func(got map[string]string, lists int, err error) bool {
		return err == nil && lists == 0 && fmt.Sprint(got) == want
	})

	// A change the watch delivers is what the next FetchMeta finds.
	s.events <- `{"type":"MODIFIED","object":` + metaItem("ns-0", "a", "20") + `}`
	until("the watch's change seen", func(got map[string]string, lists int, err error) bool {
		if lists != 0 {
			t.Errorf("a FetchMeta LISTed while the watch was sound")
		}
		return got["v1 ConfigMap ns-0/a"] == "20"
	})

	// A watch that ends in an error is not read until it has listed or
	// watched again: with the server failing, FetchMeta fails too.
	s.set(func(s *watchServer) { s.status = http.StatusInternalServerError })
	s.events <- `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500}}`
	until("a broken watch not read", func(_ map[string]string, _ int, err error) bool { return err != nil })
	s.set(func(s *watchServer) { s.status = 0 })
	until("the watch read again once it has listed", func(got map[string]string, lists int, err error) bool {
		return err == nil && lists == 0 && fmt.Sprint(got) == want
	})

	// An ERROR event of an expired resourceVersion, which the reflector
	// only logs before it waits (about a second) and LISTs again: the
	// watch is not read meanwhile. The change made meanwhile is what the
	// LISTs find, and then the watch once it has listed again.
	s.set(func(s *watchServer) { s.items["ns-0/a"] = "21" })
	s.events <- `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}}`
	until("an expired watch not read", func(got map[string]string, lists int, err error) bool {
		return err == nil && lists == 1 && got["v1 ConfigMap ns-0/a"] == "21"
	})
	until("the expired watch read again once it has listed", func(got map[string]string, lists int, err error) bool {
		return err == nil && lists == 0 && got["v1 ConfigMap ns-0/a"] == "21"
	})

	// A watch the server forbids is never read, nor started again.
	s2 := &watchServer{t: t, items: map[string]string{"ns-0/a": "2"}, watchStatus: http.StatusForbidden, events: make(chan string)}
	cl2 := connectTo(t, s2.serve)
	mw2 := NewMetaWatch()
	t.Cleanup(mw2.Stop)
	for range 3 {
		if _, err := FetchMeta(context.Background(), cl2.Mappings(), "managed=yes", ids, mw2); err != nil {
			t.Fatal(err)
		}
		mw2.StartPending()
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, watches := s2.count(); watches == 0; _, watches = s2.count() {
		if time.Now().After(deadline) {
			t.Fatal("the forbidden watch was never asked for")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	listsBefore, watchesBefore := s2.count()
	for range 5 {
		if _, err := FetchMeta(context.Background(), cl2.Mappings(), "managed=yes", ids, mw2); err != nil {
			t.Fatal(err)
		}
	}
	lists2, watches2 := s2.count()
	if lists2-listsBefore != 5 || watches2 != watchesBefore {
		t.Errorf("with the watch forbidden, 5 FetchMetas made %d LISTs and %d WATCHes; want 5 and none", lists2-listsBefore, watches2-watchesBefore)
	}
}

// TestMetaWatchStopsIdleWatches: a watch no FetchMeta has read for
// idleWatch is stopped at the next one.
func TestMetaWatchStopsIdleWatches(t *testing.T) {
	t.Parallel()
	s := &watchServer{t: t, items: map[string]string{"ns-0/a": "2"}, events: make(chan string)}
	cl := connectTo(t, s.serve)
	mw := NewMetaWatch()
	t.Cleanup(mw.Stop)
	now := time.Now()
	mw.now = func() time.Time { return now }
	ids := configMapIDs(namespaceLists + 1)
	if _, err := FetchMeta(context.Background(), cl.Mappings(), "managed=yes", ids, mw); err != nil {
		t.Fatal(err)
	}
	if mw.Watching() != 1 {
		t.Fatalf("watching %d kinds, want 1", mw.Watching())
	}
	now = now.Add(idleWatch + time.Second)
	// Another cluster's FetchMeta: the idle watch goes.
	if _, ok := mw.objects(&Cluster{Config: &rest.Config{Host: "https://elsewhere"}}, schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "managed=yes"); ok {
		t.Fatal("a watch nobody started answered")
	}
	if mw.Watching() != 0 {
		t.Errorf("watching %d kinds after %s idle, want 0", mw.Watching(), idleWatch)
	}
}

// clockedFetch connects to s, and returns a MetaWatch whose clock the
// test moves and a FetchMeta of ConfigMaps across the cluster through it,
// which returns how many LISTs it made.
func clockedFetch(t *testing.T, s *watchServer) (mw *MetaWatch, clock *atomic.Int64, lists func() int) {
	t.Helper()
	cl := connectTo(t, s.serve)
	mw = NewMetaWatch()
	t.Cleanup(mw.Stop)
	clock = new(atomic.Int64)
	clock.Store(time.Now().UnixNano())
	mw.now = func() time.Time { return time.Unix(0, clock.Load()) }
	ids := configMapIDs(namespaceLists + 1)
	lists = func() int {
		t.Helper()
		before, _ := s.count()
		if _, err := FetchMeta(context.Background(), cl.Mappings(), "managed=yes", ids, mw); err != nil {
			t.Fatal(err)
		}
		after, _ := s.count()
		return after - before
	}
	return mw, clock, lists
}

// TestMetaWatchTriesARefusedWatchAgain: a kind whose watch the server
// refused is LISTed, and watched again once retryRefused has passed
// (a Role granted since, a CRD made again), not for the life of the
// process.
func TestMetaWatchTriesARefusedWatchAgain(t *testing.T) {
	t.Parallel()
	s := &watchServer{t: t, items: map[string]string{"ns-0/a": "2"}, watchStatus: http.StatusForbidden, events: make(chan string, 10)}
	mw, clock, fetch := clockedFetch(t, s)
	lists := func() int {
		t.Helper()
		n := fetch()
		mw.StartPending()
		return n
	}
	refused := func() bool {
		mw.mu.Lock()
		defer mw.mu.Unlock()
		for _, mk := range mw.kinds {
			mk.mu.Lock()
			refused := !mk.refusedAt.IsZero()
			mk.mu.Unlock()
			if refused {
				return true
			}
		}
		return false
	}
	lists()
	deadline := time.Now().Add(10 * time.Second)
	for !refused() {
		if time.Now().After(deadline) {
			t.Fatal("the server's refusal of the watch was never seen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.set(func(s *watchServer) { s.watchStatus = 0 })
	clock.Add(int64(retryRefused - time.Second))
	if n := lists(); n != 1 {
		t.Fatalf("%s after the refusal: %d LISTs, want 1", retryRefused-time.Second, n)
	}
	clock.Add(int64(2 * time.Second))
	deadline = time.Now().Add(10 * time.Second)
	for lists() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s after the refusal, with the watch allowed, the kind is still LISTed", retryRefused+time.Second)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetaWatchIsNotReadOnceStale: a watch that has delivered nothing for
// staleWatch of the wall clock (no event, not even the server's bookmark
// of about once a minute) may be on a dead connection: the kind is
// LISTed until the watch delivers again.
func TestMetaWatchIsNotReadOnceStale(t *testing.T) {
	t.Parallel()
	s := &watchServer{t: t, items: map[string]string{"ns-0/a": "2"}, events: make(chan string, 10)}
	mw, clock, lists := clockedFetch(t, s)
	lists()
	mw.StartPending()
	deadline := time.Now().Add(10 * time.Second)
	for lists() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watch never answered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	clock.Add(int64(staleWatch - time.Second))
	if n := lists(); n != 0 {
		t.Fatalf("a watch that delivered %s ago made %d LISTs; want it read", staleWatch-time.Second, n)
	}
	clock.Add(int64(2 * time.Second))
	if n := lists(); n != 1 {
		t.Fatalf("a watch that delivered nothing for %s: %d LISTs, want 1", staleWatch+time.Second, n)
	}
	// The server's bookmark: the watch is read again.
	s.events <- `{"type":"BOOKMARK","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"99"}}}`
	deadline = time.Now().Add(10 * time.Second)
	for lists() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watch was not read again after a bookmark")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetaWatchWithNoStreamOpen: a watch stream that ends without an
// error (the server's timeout) is resumed where it stopped; while the
// server refuses to open another (429, which the reflector retries
// without a word to its error handler), the kind is LISTed, and read
// from the watch again once a stream is open.
func TestMetaWatchWithNoStreamOpen(t *testing.T) {
	t.Parallel()
	s := &watchServer{t: t, items: map[string]string{"ns-0/a": "2"}, events: make(chan string, 10)}
	cl := connectTo(t, s.serve)
	mw := NewMetaWatch()
	t.Cleanup(mw.Stop)
	ids := configMapIDs(namespaceLists + 1)
	fetch := func() (string, int) {
		t.Helper()
		before, _ := s.count()
		found, err := FetchMeta(context.Background(), cl.Mappings(), "managed=yes", ids, mw)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := s.count()
		return found["v1 ConfigMap ns-0/a"].ResourceVersion, after - before
	}
	until := func(what, rv string, lists int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			gotRV, gotLists := fetch()
			if gotRV == rv && gotLists == lists {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s; the last FetchMeta found resourceVersion %s with %d LISTs", what, gotRV, gotLists)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	fetch()
	mw.StartPending()
	until("answered from the synced watch", "2", 0)
	// The store says what it holds (client-go's AtomicFIFO), which a
	// break needs to be over.
	mw.mu.Lock()
	for key, mk := range mw.kinds {
		if rv, synced := mk.streams.stored(), mk.informer.LastSyncResourceVersion(); rv == "" || rv != synced {
			t.Errorf("%v: the store holds resourceVersion %q, the informer synced to %q", key.gvr, rv, synced)
		}
	}
	mw.mu.Unlock()
	s.set(func(s *watchServer) { s.watchStatus = http.StatusTooManyRequests; s.items["ns-0/a"] = "3" })
	s.events <- endStream
	until("a watch with no stream open not read", "3", 1)
	s.set(func(s *watchServer) { s.watchStatus = 0 })
	s.events <- `{"type":"MODIFIED","object":` + metaItem("ns-0", "a", "4") + `}`
	until("the watch read again once its stream is open", "4", 0)
}
