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
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestListFollowsPages checks that a LIST asks for pages of listPageSize
// objects and follows the server's continue tokens to the last page,
// keeping every object of every page once.
func TestListFollowsPages(t *testing.T) {
	t.Parallel()
	const pages = 3
	var (
		mu    sync.Mutex
		asked []string
	)
	cl := connectTo(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/configmaps" {
			w.Write([]byte("ok")) // the flow control probe
			return
		}
		q := r.URL.Query()
		mu.Lock()
		asked = append(asked, q.Get("limit")+"/"+q.Get("continue"))
		mu.Unlock()
		page := 0
		if c := q.Get("continue"); c != "" {
			page, _ = strconv.Atoi(c)
		}
		next := ""
		if page+1 < pages {
			next = strconv.Itoa(page + 1)
		}
		fmt.Fprintf(w, `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":%q},"items":[
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a%d","namespace":"x"}},
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b%d","namespace":"x"},"data":{"n":"%d"}}]}`, next, page, page, page)
	})
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	var got []string
	keep := func(items []*Live, _ schema.GroupVersionKind) {
		for _, it := range items {
			u, err := it.Object()
			if err != nil {
				t.Fatal(err)
			}
			if id := it.id(); id != IDOf(u) {
				t.Errorf("ID from the JSON %v, decoded %v", id, IDOf(u))
			}
			got = append(got, u.GetName())
		}
	}
	done := false
	job := listJob(lister{cl.REST, schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}}, "", "", "", gvk, keep,
		func(schema.GroupVersionKind, string) { done = true })
	if err := job(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"a0", "b0", "a1", "b1", "a2", "b2"}
	if fmt.Sprint(got) != fmt.Sprint(want) || !done {
		t.Errorf("kept %v (complete %v), want %v", got, done, want)
	}
	size := strconv.Itoa(listPageSize)
	if wantAsked := []string{size + "/", size + "/1", size + "/2"}; fmt.Sprint(asked) != fmt.Sprint(wantAsked) {
		t.Errorf("asked for %v, want %v", asked, wantAsked)
	}
}

// connectTo connects to a test API server that answers with h.
func connectTo(t *testing.T, h http.HandlerFunc) *Cluster {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cl, err := Connect(ClientConfig{Kubeconfig: kubeconfigOf(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// configMapIDs is first, then ConfigMaps a and b in each of namespaces
// ns-0, ns-1, ...
func configMapIDs(namespaces int, first ...ObjectID) []ObjectID {
	out := append([]ObjectID(nil), first...)
	for i := range namespaces {
		out = append(out, ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: fmt.Sprintf("ns-%d", i), Name: "a"},
			ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: fmt.Sprintf("ns-%d", i), Name: "b"})
	}
	return out
}

// serveDiscovery answers the discovery requests of a test server that
// serves ConfigMaps and Namespaces, and reports whether r was one.
func serveDiscovery(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/api":
		w.Write([]byte(`{"kind":"APIVersions","versions":["v1"]}`))
	case "/apis":
		w.Write([]byte(`{"kind":"APIGroupList","groups":[]}`))
	case "/api/v1":
		w.Write([]byte(`{"kind":"APIResourceList","groupVersion":"v1","resources":[
{"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["list"]},
{"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":["list"]}]}`))
	default:
		return false
	}
	return true
}

// TestFetchListsByNamespaceOrClusterWide checks where the labelled LISTs
// go: each namespace of a kind wanted in at most namespaceLists of them,
// the whole cluster for a kind wanted in more, and the whole cluster for
// a cluster-scoped kind.
func TestFetchListsByNamespaceOrClusterWide(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		paths []string
	)
	cl := connectTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case serveDiscovery(w, r):
		case strings.HasSuffix(r.URL.Path, "/configmaps") || strings.HasSuffix(r.URL.Path, "/namespaces"):
			if r.URL.Query().Get("labelSelector") != "" {
				mu.Lock()
				paths = append(paths, r.URL.Path)
				mu.Unlock()
			}
			w.Write([]byte(`{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}`))
		default:
			w.Write([]byte("ok")) // the flow control probe
		}
	})
	ids := func(namespaces int) []ObjectID {
		return configMapIDs(namespaces, ObjectID{Version: "v1", Kind: "Namespace", Name: "ns-0"})
	}
	for _, tc := range []struct {
		namespaces int
		want       []string
	}{
		{1, []string{"/api/v1/namespaces", "/api/v1/namespaces/ns-0/configmaps"}},
		{3, []string{"/api/v1/namespaces", "/api/v1/namespaces/ns-0/configmaps", "/api/v1/namespaces/ns-1/configmaps", "/api/v1/namespaces/ns-2/configmaps"}},
		{namespaceLists + 1, []string{"/api/v1/configmaps", "/api/v1/namespaces"}},
	} {
		mu.Lock()
		paths = nil
		mu.Unlock()
		if _, err := (&LiveSet{Selector: "managed=yes"}).FetchLazy(context.Background(), cl.Mappings(), ids(tc.namespaces)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := slices.Sorted(slices.Values(paths))
		mu.Unlock()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%d namespaces: labelled LISTs of %q, want %q", tc.namespaces, got, tc.want)
		}
	}
}

// TestFetchSkipsAbsentNamespaces: the objects of a namespace the fetch
// looks for and does not find need no LIST (nothing can be in it); those
// of a namespace that exists, or that the fetch does not look for, are
// looked up as before.
func TestFetchSkipsAbsentNamespaces(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		paths []string
	)
	cl := connectTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case serveDiscovery(w, r):
		case strings.HasSuffix(r.URL.Path, "/configmaps") || strings.HasSuffix(r.URL.Path, "/namespaces"):
			unlabelled := r.URL.Query().Get("labelSelector") == ""
			if unlabelled {
				mu.Lock()
				paths = append(paths, r.URL.Path)
				mu.Unlock()
			}
			switch {
			case unlabelled && r.URL.Path == "/api/v1/namespaces":
				// Only ns-0 exists, made by someone else.
				w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"ns-0"}},{"metadata":{"name":"other"}}]}`))
			case unlabelled && r.URL.Path == "/api/v1/namespaces/ns-0/configmaps":
				w.Write([]byte(`{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a","namespace":"ns-0"}}]}`))
			default:
				w.Write([]byte(`{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}`))
			}
		default:
			w.Write([]byte("ok")) // the flow control probe
		}
	})
	ids := func(namespaces int, withNamespaces bool) []ObjectID {
		var out []ObjectID
		for i := range namespaces {
			ns := fmt.Sprintf("ns-%d", i)
			if withNamespaces {
				out = append(out, ObjectID{Version: "v1", Kind: "Namespace", Name: ns})
			}
			out = append(out, ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "a"},
				ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "b"})
		}
		return out
	}
	for _, tc := range []struct {
		namespaces     int
		withNamespaces bool
		want           []string
		found          int
	}{
		// Three namespaces looked for, one found: its ConfigMaps alone
		// are LISTed.
		{3, true, []string{"/api/v1/namespaces", "/api/v1/namespaces/ns-0/configmaps"}, 2},
		{20, true, []string{"/api/v1/namespaces", "/api/v1/namespaces/ns-0/configmaps"}, 2},
		// Namespaces not looked for: nothing is assumed of them.
		{3, false, []string{"/api/v1/namespaces/ns-0/configmaps", "/api/v1/namespaces/ns-1/configmaps", "/api/v1/namespaces/ns-2/configmaps"}, 1},
	} {
		mu.Lock()
		paths = nil
		mu.Unlock()
		s := &LiveSet{Selector: "managed=yes"}
		found, err := s.FetchLazy(context.Background(), cl.Mappings(), ids(tc.namespaces, tc.withNamespaces))
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := slices.Sorted(slices.Values(paths))
		mu.Unlock()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || len(found) != tc.found {
			t.Errorf("%d namespaces (looked for: %v): unlabelled LISTs of %q and %d objects found, want %q and %d", tc.namespaces, tc.withNamespaces, got, len(found), tc.want, tc.found)
		}
		// What was skipped is decided: asking again makes no request.
		mu.Lock()
		paths = nil
		mu.Unlock()
		if _, err := s.FetchLazy(context.Background(), cl.Mappings(), ids(tc.namespaces, tc.withNamespaces)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		again := len(paths)
		mu.Unlock()
		if again != 0 {
			t.Errorf("%d namespaces: the same fetch again made %d unlabelled LISTs, want none", tc.namespaces, again)
		}
	}
}

// TestSplitList: a LIST's items are kept as the JSON the server sent, and
// decode to what decoding the whole list gave: the LIST's kind, int64
// numbers, a null item as an empty object. What is not a list is an error.
func TestSplitList(t *testing.T) {
	t.Parallel()
	gvk := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	page, err := splitList([]byte(`{"kind":"DeploymentList","metadata":{"resourceVersion":"9","continue":"a\"b"},"items":[
{"metadata":{"name":"web","namespace":"n\u0031","labels":{"name":"x"}},"spec":{"replicas":2,"ratio":0.5,"args":["]","}"]}},
null,
{"kind":"Other","metadata":{"name":"db"}}]}`), gvk)
	if err != nil {
		t.Fatal(err)
	}
	if page.Continue != `a"b` || len(page.Items) != 3 {
		t.Fatalf("continue %q, %d items", page.Continue, len(page.Items))
	}
	wantIDs := []string{"apps/v1 Deployment n1/web", "apps/v1 Deployment /", "apps/v1 Deployment /db"}
	for i, l := range page.Items {
		u, err := l.Object()
		if err != nil {
			t.Fatal(err)
		}
		if got := l.id().String(); got != wantIDs[i] || got != IDOf(u).String() {
			t.Errorf("item %d: ID %q from the JSON, %q decoded, want %q", i, got, IDOf(u), wantIDs[i])
		}
		if u.GetKind() != "Deployment" || u.GetAPIVersion() != "apps/v1" {
			t.Errorf("item %d is a %s %s", i, u.GetAPIVersion(), u.GetKind())
		}
	}
	u, _ := page.Items[0].Object()
	if r, _, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas"); r != int64(2) {
		t.Errorf("replicas decoded as %#v, want int64 2", r)
	}
	if again, _ := page.Items[0].Object(); again != u {
		t.Error("an object is decoded twice")
	}
	for _, bad := range []string{`{"items":{}}`, `{"items":[1]}`, `{"items":[{"a":1}`, `[]`, ``} {
		if _, err := splitList([]byte(bad), gvk); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if page, err := splitList([]byte(`{"metadata":{},"items":null}`), gvk); err != nil || len(page.Items) != 0 {
		t.Errorf("no items: %v, %d items", err, len(page.Items))
	}
	// Of a key written twice, encoding/json reads the last.
	if page, err := splitList([]byte(`{"metadata":{"continue":"x","continue":"y"},"items":[]}`), gvk); err != nil || page.Continue != "y" {
		t.Errorf("continue written twice: %v, %q", err, page.Continue)
	}
}

// TestReadMeta: one pass over the metadata reads the name and namespace,
// the last of a key written twice, and says when it stopped at JSON it
// could not read.
func TestReadMeta(t *testing.T) {
	t.Parallel()
	md := []byte(`{"name":"a","resourceVersion":"5","managedFields":[{"manager":"x"}],"namespace":"n\u0031","resourceVersion":"9","name":1}`)
	m := ReadMeta(md)
	if m.Malformed || m.Name != "" || m.Namespace != "n1" {
		t.Errorf("malformed %v, name %q, namespace %q", m.Malformed, m.Name, m.Namespace)
	}
	if m := ReadMeta([]byte(`{"name":"a","resourceVersion":`)); !m.Malformed || m.Name != "a" {
		t.Errorf("cut short: malformed %v, name %q", m.Malformed, m.Name)
	}
	if m := ReadMeta(nil); m.JSON != nil || m.Name != "" || m.Malformed {
		t.Errorf("no metadata: %+v", m)
	}
}

// FuzzSplitList: whatever a server answers, splitting it, reading each
// item's ID and decoding it never panics, and an item that decodes has
// the ID its JSON gave.
func FuzzSplitList(f *testing.F) {
	f.Add([]byte(`{"metadata":{"continue":"x"},"items":[{"metadata":{"name":"a","namespace":"b"}},null]}`))
	f.Add([]byte(`{"items":[{"metadata":{"name":"\u0061"}},{"metadata":[]}]}`))
	f.Add([]byte(`{"items":[{"metadata":{"name":1}}`))
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := splitList(body, gvk)
		if err != nil {
			return
		}
		for _, l := range page.Items {
			id := l.id()
			if u, err := l.Object(); err == nil && json.Valid(body) && IDOf(u) != id {
				t.Fatalf("ID %v from the JSON, %v decoded, of %s", id, IDOf(u), body)
			}
		}
	})
}
