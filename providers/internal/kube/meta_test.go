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
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestFetchMeta: the LISTs of metadata go where FetchLive's labelled
// LISTs go (each namespace of a kind wanted in at most namespaceLists of
// them, else the whole cluster, and each namespace when the whole cluster
// is forbidden), ask for metadata alone with the label selector, follow
// pages, and return the objects asked for, by ID, and no others; a kind
// the server does not serve has none.
func TestFetchMeta(t *testing.T) {
	t.Parallel()
	var (
		mu        sync.Mutex
		paths     []string
		forbidden bool
	)
	cl := connectTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case serveDiscovery(w, r):
		case strings.HasSuffix(r.URL.Path, "/configmaps") || strings.HasSuffix(r.URL.Path, "/namespaces"):
			q := r.URL.Query()
			if !strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList") || q.Get("labelSelector") != "managed=yes" {
				t.Errorf("%s asked with Accept %q and selector %q", r.URL.Path, r.Header.Get("Accept"), q.Get("labelSelector"))
			}
			mu.Lock()
			paths = append(paths, r.URL.Path+"?"+q.Get("continue"))
			deny := forbidden && r.URL.Path == "/api/v1/configmaps"
			mu.Unlock()
			if deny {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}`))
				return
			}
			item := func(ns, name, rv string) string {
				return fmt.Sprintf(`{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":%q,"namespace":%q,"resourceVersion":%q}}`, name, ns, rv)
			}
			var items []string
			next := ""
			switch {
			case r.URL.Path == "/api/v1/namespaces":
				items = []string{item("", "ns-0", "1")}
			case q.Get("continue") == "":
				// The first page: "a" of the namespace (or of ns-0 and
				// ns-1 cluster-wide), and an object nobody asked for.
				ns := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/namespaces/"), "/configmaps")
				if r.URL.Path == "/api/v1/configmaps" {
					items = []string{item("ns-0", "a", "2"), item("ns-1", "a", "3")}
				} else {
					items = []string{item(ns, "a", "2")}
				}
				items = append(items, item(ns, "unasked", "4"))
				next = "2"
			default:
				items = []string{item("ns-0", "b", "5")}
			}
			fmt.Fprintf(w, `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"continue":%q},"items":[%s]}`, next, strings.Join(items, ","))
		default:
			w.Write([]byte("ok")) // the flow control probe
		}
	})
	ids := func(namespaces int) []ObjectID {
		return configMapIDs(namespaces, ObjectID{Version: "v1", Kind: "Namespace", Name: "ns-0"},
			ObjectID{Group: "example.com", Version: "v1", Kind: "Widget", Namespace: "ns-0", Name: "w"})
	}
	perNamespace := func(n int) []string {
		out := []string{"/api/v1/namespaces?"}
		for i := range n {
			out = append(out, fmt.Sprintf("/api/v1/namespaces/ns-%d/configmaps?", i), fmt.Sprintf("/api/v1/namespaces/ns-%d/configmaps?2", i))
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		namespaces int
		forbidden  bool
		lists      []string
		found      map[string]string // ID: resourceVersion
	}{
		{"one namespace", 1, false, perNamespace(1), map[string]string{"v1 Namespace /ns-0": "1", "v1 ConfigMap ns-0/a": "2", "v1 ConfigMap ns-0/b": "5"}},
		{"the whole cluster", namespaceLists + 1, false, []string{"/api/v1/configmaps?", "/api/v1/configmaps?2", "/api/v1/namespaces?"},
			map[string]string{"v1 Namespace /ns-0": "1", "v1 ConfigMap ns-0/a": "2", "v1 ConfigMap ns-1/a": "3", "v1 ConfigMap ns-0/b": "5"}},
		{"the whole cluster forbidden", namespaceLists + 1, true, append(perNamespace(namespaceLists+1), "/api/v1/configmaps?"), nil},
	} {
		mu.Lock()
		paths, forbidden = nil, tc.forbidden
		mu.Unlock()
		found, err := FetchMeta(context.Background(), cl.Mappings(), "managed=yes", ids(tc.namespaces), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mu.Lock()
		got := slices.Sorted(slices.Values(paths))
		mu.Unlock()
		if want := slices.Sorted(slices.Values(tc.lists)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: LISTs %q, want %q", tc.name, got, want)
		}
		if tc.found == nil {
			continue
		}
		gotFound := map[string]string{}
		for key, md := range found {
			gotFound[key] = md.ResourceVersion
		}
		if fmt.Sprint(gotFound) != fmt.Sprint(tc.found) {
			t.Errorf("%s: found %v, want %v", tc.name, gotFound, tc.found)
		}
	}
}
