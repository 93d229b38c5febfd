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
	"net/http/httptest"
	"strconv"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	}))
	defer srv.Close()
	cl, err := Connect(ClientConfig{Kubeconfig: kubeconfigOf(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	var got []string
	keep := func(items []unstructured.Unstructured, _ schema.GroupVersionKind) {
		for _, it := range items {
			got = append(got, it.GetName())
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
