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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buger/jsonparser"
	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	k8s "k8s.io/client-go/kubernetes"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/testbed"
)

// readElided asks ReadElided about every app of f, as the SDK does: no
// state, only the private record.
func (f *benchFixture) readElided(ctx context.Context) []bool {
	reqs := make([]sdk.ReadRequest, len(f.configs))
	for i := range reqs {
		reqs[i] = sdk.ReadRequest{Address: "app.bench", TypeName: "kubernetes_app", State: cty.NilVal, Private: f.private[i]}
	}
	return f.a.ReadElided(ctx, reqs)
}

// labelledGETs counts the requests of a provider that carry a label
// selector: LISTs of metadata alone (in protobuf), LISTs of whole
// objects, and WATCHes.
type labelledGETs struct {
	mu                              sync.Mutex
	metaLists, objectLists, watches int
}

// countLabelled makes f's provider count its labelled requests.
func (f *benchFixture) countLabelled() *labelledGETs {
	c := &labelledGETs{}
	f.p.wrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			if q := req.URL.Query(); req.Method == http.MethodGet && q.Has("labelSelector") {
				c.mu.Lock()
				switch {
				case q.Get("watch") == "true":
					c.watches++
				case strings.HasPrefix(req.Header.Get("Accept"), "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList"):
					c.metaLists++
				default:
					c.objectLists++
				}
				c.mu.Unlock()
			}
			return rt.RoundTrip(req)
		})
	}
	return c
}

// take returns the counts since it was last called.
func (c *labelledGETs) take() (metaLists, objectLists, watches int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	metaLists, objectLists, watches = c.metaLists, c.objectLists, c.watches
	c.metaLists, c.objectLists, c.watches = 0, 0, 0
	return metaLists, objectLists, watches
}

// resync syncs app i of f again, as slipway apply does after a refresh
// and a plan, and keeps what the apply recorded.
func (f *benchFixture) resync(t *testing.T, i int) {
	t.Helper()
	ctx := context.Background()
	f.refresh(ctx)
	if err := f.apply(ctx, i, f.plan(ctx)[i]); err != nil {
		t.Fatal(err)
	}
}

// planElided asks PlanElided about every app of f with configs, and the
// SDK's digests of them when digests is not nil.
func (f *benchFixture) planElided(ctx context.Context, configs []cty.Value, digests ...string) []bool {
	reqs := make([]sdk.PlanRequest, len(configs))
	for i := range reqs {
		reqs[i] = sdk.PlanRequest{Address: "app.bench", TypeName: "kubernetes_app", Config: configs[i], PriorPrivate: f.private[i]}
		if digests != nil {
			reqs[i].ConfigDigest = digests[i]
		}
	}
	return f.a.PlanElided(ctx, reqs)
}

// TestElidedState: apply records where it read each object, and a refresh
// from that record alone agrees with the refresh that compares the
// objects: an object changed by hand, in a field slipway applied, is
// caught whichever way it was changed, and writes slipway does not own
// (another writer's label) are not drift. The plan from the record alone
// says unchanged only for the configuration and files apply applied.
func TestElidedState(t *testing.T) {
	t.Parallel()
	f := newAppsFixture(t, 5, "elide")
	ctx := context.Background()
	for i, p := range f.private {
		priv, err := decodePrivate(p)
		if err != nil || priv.Elide == nil || len(priv.Elide.Objects) != 10 {
			t.Fatalf("app %d: apply recorded no elision of its 10 objects: %+v, %v", i, priv.Elide, err)
		}
	}
	for i, same := range f.readElided(ctx) {
		if !same {
			t.Errorf("app %d: an elided refresh right after apply found it changed", i)
		}
	}
	for i, same := range f.planElided(ctx, f.configs) {
		if !same {
			t.Errorf("app %d: an elided plan right after apply found it changed", i)
		}
	}

	cs, err := k8s.NewForConfig(testbed.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := func(i int) string { return "bench-" + string(rune('0'+i%benchNamespaces)) }
	// App 0: a ConfigMap's data edited by hand (an update, as kubectl
	// edit makes it).
	cm, err := cs.CoreV1().ConfigMaps(ns(0)).Get(ctx, "elide-0000-cm1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["key"] = "edited by hand"
	if _, err := cs.CoreV1().ConfigMaps(ns(0)).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	// App 1: another writer's label on a Service and annotation on the
	// ServiceAccount, fields slipway does not apply.
	if _, err := cs.CoreV1().Services(ns(1)).Patch(ctx, "elide-0001-svc0", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"team":"other"}}}`), metav1.PatchOptions{FieldManager: "labeller"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns(1)).Patch(ctx, "elide-0001-sa", types.ApplyPatchType,
		[]byte(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"elide-0001-sa","annotations":{"note":"other"}}}`),
		metav1.PatchOptions{FieldManager: "annotator"}); err != nil {
		t.Fatal(err)
	}
	// App 2: a Secret's data replaced by hand.
	sec, err := cs.CoreV1().Secrets(ns(2)).Get(ctx, "elide-0002-secret1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sec.Data["token"] = []byte("replaced")
	if _, err := cs.CoreV1().Secrets(ns(2)).Update(ctx, sec, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	// App 3: a Service's selector, which slipway applied, taken over by
	// another applier (forced).
	if _, err := cs.CoreV1().Services(ns(3)).Patch(ctx, "elide-0003-svc1", types.ApplyPatchType,
		[]byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"elide-0003-svc1"},"spec":{"selector":{"app":"other"}}}`),
		metav1.PatchOptions{FieldManager: "other-applier", Force: new(true)}); err != nil {
		t.Fatal(err)
	}
	// App 4: untouched.

	// The elided refresh reads the objects' metadata alone, in protobuf;
	// the full refresh LISTs whole objects.
	requests := f.countLabelled()
	f.configure(t)
	elided := f.readElided(ctx)
	if metaLists, objectLists, _ := requests.take(); metaLists == 0 || objectLists != 0 {
		t.Errorf("the elided refresh made %d LISTs of metadata in protobuf and %d of whole objects; want some and none", metaLists, objectLists)
	}
	full := f.refresh(ctx)
	if _, objectLists, _ := requests.take(); objectLists == 0 {
		t.Error("the full refresh LISTed no object")
	}
	want := []bool{false, true, false, false, true}
	for i := range want {
		if err := full[i].Diagnostics.Err(); err != nil {
			t.Fatalf("app %d: full refresh: %v", i, err)
		}
		if elided[i] != want[i] {
			t.Errorf("app %d: elided refresh says unchanged %v, want %v", i, elided[i], want[i])
		}
		if elided[i] && !full[i].Unchanged {
			t.Errorf("app %d: the elided refresh says unchanged, the full refresh finds a change", i)
		}
	}
	for i, r := range full {
		if r.Unchanged != want[i] {
			t.Errorf("app %d: the full refresh says unchanged %v, want %v", i, r.Unchanged, want[i])
		}
	}

	// The plan from the record alone: another configuration, or files
	// that make other objects, are planned in full.
	configs := append([]cty.Value(nil), f.configs...)
	configs[1] = sdk.With(configs[1], "prune", cty.False)
	dir := sdk.GetString(configs[4], "manifests_dir")
	b, err := os.ReadFile(filepath.Join(dir, "objects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "objects.yaml"), append(b, "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: elide-0004-new, namespace: bench-4}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	planned := f.planElided(ctx, configs)
	if planned[1] || planned[4] {
		t.Errorf("elided plan of a changed configuration %v, of changed files %v; want false, false", planned[1], planned[4])
	}
	if err := os.WriteFile(filepath.Join(dir, "objects.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// With the SDK's digests of the configurations (a process the host
	// keeps): a configuration of another digest is compared again.
	digests := []string{"d0", "d1", "d2", "d3", "d4"}
	before := f.planElided(ctx, f.configs, digests...)
	digests[1] = "d1-changed"
	after := f.planElided(ctx, configs, digests...)
	if !before[1] || after[1] {
		t.Errorf("with digests: elided plan of app 1 %v, then of its changed configuration %v; want true, false", before[1], after[1])
	}

	// Syncing app 0 again applies the edited ConfigMap and keeps the
	// other nine: the record covers all ten, and finds them unchanged.
	f.resync(t, 0)
	if priv, _ := decodePrivate(f.private[0]); priv.Elide == nil || len(priv.Elide.Objects) != 10 {
		t.Fatalf("the re-sync recorded no elision of all 10 objects: %+v", priv.Elide)
	}
	if got := f.readElided(ctx); !got[0] {
		t.Errorf("after the re-sync, the elided refresh of app 0 finds a change")
	}
}

// markTestObject is a ConfigMap as the API server returns it: slipway's
// apply entry and another writer's update entry.
const markTestObject = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n","resourceVersion":"5",
"managedFields":[
 {"manager":"slipway","operation":"Apply","apiVersion":"v1","time":"2026-12-06T01:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:app.kubernetes.io/managed-by":{}}}}},
 {"manager":"labeller","operation":"Update","apiVersion":"v1","time":"2026-12-06T01:01:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:team":{}}}}}
]},"data":{"key":"value"}}`

// metadataThroughProtobuf is the metadata the server writes in JSON as md,
// as a LIST of metadata alone brings it: in protobuf.
func metadataThroughProtobuf(md []byte) (*metav1.ObjectMeta, error) {
	var om metav1.ObjectMeta
	if err := json.Unmarshal(md, &om); err != nil {
		return nil, err
	}
	b, err := om.Marshal()
	if err != nil {
		return nil, err
	}
	var back metav1.ObjectMeta
	if err := back.Unmarshal(b); err != nil {
		return nil, err
	}
	return &back, nil
}

// The mark apply takes from a decoded object matches the same object's
// metadata as a LIST of metadata alone brings it, whatever the order of
// the keys the server wrote, until a write changes slipway's entries; a
// Secret matches by resourceVersion alone.
func TestObjectMarkMatches(t *testing.T) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(markTestObject), &obj); err != nil {
		t.Fatal(err)
	}
	mark, ok := markOf(&unstructured.Unstructured{Object: obj})
	if !ok || mark.ResourceVersion != "5" || mark.Owner == "" {
		t.Fatalf("mark = %+v, %v", mark, ok)
	}
	owners := &memo[string]{}
	matches := func(live string, kind string) bool {
		t.Helper()
		md, typ := kube.LastMember([]byte(live), "metadata")
		if typ != jsonparser.Object {
			t.Fatalf("no metadata in %s", live)
		}
		om, err := metadataThroughProtobuf(md)
		if err != nil {
			t.Fatal(err)
		}
		// Through a memo of owner digests shared by every case, too:
		// its key tells apart what the digest tells apart.
		got := mark.matchesObjectMeta(om, "", kind, nil)
		if memoized := mark.matchesObjectMeta(om, "", kind, owners); memoized != got {
			t.Errorf("%s: matches %v, %v through the memo", live, got, memoized)
		}
		return got
	}
	// The entry's keys in the server's order, not encoding/json's.
	reordered := strings.Replace(markTestObject,
		`{"manager":"slipway","operation":"Apply","apiVersion":"v1","time":"2026-12-06T01:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:app.kubernetes.io/managed-by":{}}}}}`,
		`{"fieldsV1":{"f:metadata":{"f:labels":{"f:app.kubernetes.io/managed-by":{}}},"f:data":{"f:key":{}}},"time":"2026-12-06T01:00:00Z","operation":"Apply","manager":"slipway","fieldsType":"FieldsV1","apiVersion":"v1"}`, 1)
	bumped := func(s string) string { return strings.Replace(s, `"resourceVersion":"5"`, `"resourceVersion":"9"`, 1) }
	for _, c := range []struct {
		name, live, kind string
		want             bool
	}{
		{"as applied", markTestObject, "ConfigMap", true},
		{"another writer's label", bumped(strings.Replace(markTestObject, `"f:team":{}`, `"f:team":{},"f:tier":{}`, 1)), "ConfigMap", true},
		{"slipway's entry in another order", bumped(reordered), "ConfigMap", true},
		{"a field taken from slipway", bumped(strings.Replace(markTestObject, `"f:data":{"f:key":{}},`, ``, 1)), "ConfigMap", false},
		{"applied again by slipway", bumped(strings.Replace(markTestObject, `01:00:00Z`, `01:05:00Z`, 1)), "ConfigMap", false},
		{"slipway's entry gone", bumped(strings.Replace(markTestObject, `"manager":"slipway"`, `"manager":"kubectl"`, 1)), "ConfigMap", false},
		{"an update entry of slipway's changed (Replace=true)", bumped(strings.Replace(markTestObject, `"manager":"labeller"`, `"manager":"slipway"`, 1)), "ConfigMap", false},
		{"a resourceVersion written twice, the last new", strings.Replace(strings.Replace(markTestObject, `01:00:00Z`, `01:05:00Z`, 1), `"resourceVersion":"5"`, `"resourceVersion":"5","resourceVersion":"9"`, 1), "ConfigMap", false},
		{"a Secret written to", bumped(markTestObject), "Secret", false},
		{"a Secret not written to", markTestObject, "Secret", true},
	} {
		if got := matches(c.live, c.kind); got != c.want {
			t.Errorf("%s: matches %v, want %v", c.name, got, c.want)
		}
	}

	// An object slipway last wrote by update (Replace=true): its entry
	// owns only the fields that update changed, so a field its manifest
	// sets may have been changed since by another writer without a
	// change to slipway's entry. Its mark is its resourceVersion alone.
	updated := strings.Replace(markTestObject, `"manager":"slipway","operation":"Apply"`, `"manager":"slipway","operation":"Update"`, 1)
	if err := json.Unmarshal([]byte(updated), &obj); err != nil {
		t.Fatal(err)
	}
	if mark, _ = markOf(&unstructured.Unstructured{Object: obj}); mark.Owner != "" || mark.ResourceVersion != "5" {
		t.Fatalf("the mark of an object slipway updated: %+v, want its resourceVersion alone", mark)
	}
	if !matches(updated, "ConfigMap") {
		t.Error("an object slipway updated, not written since: not matched")
	}
	// kubectl edit of data.key, which slipway's update had left to its
	// earlier owner: slipway's entry is as it was.
	if matches(bumped(strings.Replace(updated, `"manager":"labeller"`, `"manager":"kubectl-edit"`, 1)), "ConfigMap") {
		t.Error("an object slipway updated, written since by another: matched")
	}
}

// FuzzObjectMarkMatches: no metadata panics the comparison, and on any
// metadata the server could send (what encoding/json reads as an
// ObjectMeta, written back as the server writes it) the comparison of
// what protobuf brings says what reading the server's JSON says: the
// same resourceVersion, or slipway's entries with the same digest.
func FuzzObjectMarkMatches(f *testing.F) {
	f.Add([]byte(markTestObject))
	f.Add([]byte(`{"metadata":{"managedFields":[{"manager":"slipway"},{},null]}}`))
	f.Add([]byte(`{"metadata":{"resourceVersion":"5","managedFields":[{"manager":"slip\u0077ay","operation":"Apply"}]}}`))
	var obj map[string]any
	if err := json.Unmarshal([]byte(markTestObject), &obj); err != nil {
		f.Fatal(err)
	}
	mark, _ := markOf(&unstructured.Unstructured{Object: obj})
	owners := &memo[string]{} // shared by every input
	f.Fuzz(func(t *testing.T, live []byte) {
		md, typ := kube.LastMember(live, "metadata")
		if typ != jsonparser.Object {
			return
		}
		om, err := metadataThroughProtobuf(md)
		if err != nil {
			return
		}
		got := mark.matchesObjectMeta(om, "", "ConfigMap", nil)
		if memoized := mark.matchesObjectMeta(om, "", "ConfigMap", owners); memoized != got {
			t.Errorf("matches %v, %v through the memo", got, memoized)
		}
		server, err := json.Marshal(om)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := utiljson.Unmarshal(server, &m); err != nil {
			t.Fatal(err)
		}
		want := m["resourceVersion"] == mark.ResourceVersion
		if entries, ok := m["managedFields"].([]any); !want && ok {
			want = entriesDigest(entries) == mark.Owner
		}
		if got != want {
			t.Errorf("matches %v, the server's JSON says %v: %s", got, want, server)
		}
	})
}

// TestResidentRefreshReadsItsWatches: a provider process the host keeps
// (slipway agent) watches the metadata of what its elided refresh LISTs
// across the cluster, so that a refresh in a later session LISTs
// nothing; the watches follow changes made by hand and by slipway's own
// applies. A process the host does not keep watches nothing.
func TestResidentRefreshReadsItsWatches(t *testing.T) {
	t.Parallel()
	// Apps in more namespaces than are LISTed one by one: the refresh
	// LISTs each kind across the cluster.
	f := newAppsFixture(t, benchNamespaces, "resident")
	ctx := context.Background()
	requests := f.countLabelled()
	watches := 0
	// counts returns the LISTs of metadata since it was last called, and
	// the WATCHes so far.
	counts := func() (int, int) {
		lists, _, w := requests.take()
		watches += w
		return lists, watches
	}
	allSame := func(what string, got []bool) {
		t.Helper()
		for i, same := range got {
			if !same {
				t.Fatalf("%s: the elided refresh found app %d changed", what, i)
			}
		}
	}
	// until refreshes in new sessions of the kept process until cond
	// holds of what the refresh found and the LISTs it made, for at most
	// 10 s.
	until := func(what string, cond func(same []bool, lists int) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			f.configureAs(t, true)
			same := f.readElided(ctx)
			lists, _ := counts()
			if cond(same, lists) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10 s; the last refresh found %v as recorded, with %d LISTs of metadata", what, same, lists)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	f.configure(t)
	counts()
	allSame("not kept", f.readElided(ctx))
	time.Sleep(200 * time.Millisecond)
	if lists, w := counts(); lists == 0 || w != 0 {
		t.Fatalf("in a process the host does not keep, the refresh made %d LISTs of metadata and %d WATCHes; want some and none", lists, w)
	}

	f.configureAs(t, true)
	allSame("kept, first session", f.readElided(ctx))
	if lists, _ := counts(); lists == 0 {
		t.Fatal("the first refresh of a kept process LISTed nothing: its watches cannot have synced yet")
	}
	until("a later session answered from the watches", func(same []bool, lists int) bool {
		allSame("kept, later session", same)
		return lists == 0
	})
	if _, w := counts(); w == 0 {
		t.Fatal("answered without LISTs, yet nothing was watched")
	}

	// A ConfigMap of app 0 edited by hand: the watch delivers the change.
	cs, err := k8s.NewForConfig(testbed.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := cs.CoreV1().ConfigMaps("bench-0").Get(ctx, "resident-0000-cm1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["key"] = "edited by hand"
	if _, err := cs.CoreV1().ConfigMaps("bench-0").Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	until("the edit seen through the watch", func(same []bool, lists int) bool {
		if lists != 0 {
			t.Errorf("a refresh LISTed %d times with its watches sound", lists)
		}
		for i := 1; i < len(same); i++ {
			if !same[i] {
				t.Fatalf("app %d found changed; only app 0 was edited", i)
			}
		}
		return !same[0]
	})

	// Synced again by slipway: what apply recorded is what the watch
	// comes to hold.
	f.resync(t, 0)
	until("the re-sync seen through the watch", func(same []bool, lists int) bool {
		return same[0] && lists == 0
	})
}

// TestObjectBeingDeletedIsSaid: an object of an app that someone deleted
// and a finalizer holds is, to the API server, as slipway applied it
// until it goes: the elided refresh does not take the app as recorded
// (on the code before, it did, and the plan said nothing), and the plan
// warns that the object is going. Marks of another cluster match no
// object of this one.
func TestObjectBeingDeletedIsSaid(t *testing.T) {
	t.Parallel()
	f := newAppsFixture(t, 2, "going")
	ctx := context.Background()
	if got := f.readElided(ctx); !got[0] || !got[1] {
		t.Fatalf("elided refresh right after apply: %v; want both as recorded", got)
	}
	cs, err := k8s.NewForConfig(testbed.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	const ns, name = "bench-0", "going-0000-cm1"
	release := func() {
		_, _ = cs.CoreV1().ConfigMaps(ns).Patch(context.Background(), name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	}
	t.Cleanup(release)
	if _, err := cs.CoreV1().ConfigMaps(ns).Patch(ctx, name, types.MergePatchType,
		[]byte(`{"metadata":{"finalizers":["slipway.dev/test-hold"]}}`), metav1.PatchOptions{FieldManager: "holder"}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := f.readElided(ctx); got[0] || !got[1] {
		t.Errorf("elided refresh with app 0's ConfigMap being deleted: %v; want app 0 read in full, app 1 as recorded", got)
	}
	f.refresh(ctx)
	plans := f.plan(ctx)
	warned := false
	for _, d := range plans[0].Diagnostics {
		if d.Severity == sdk.Error {
			t.Fatalf("plan: %s: %s", d.Summary, d.Detail)
		}
		warned = warned || d.Summary == "Objects being deleted" && strings.Contains(d.Detail, "v1 ConfigMap "+ns+"/"+name+" (since ")
	}
	if !warned {
		t.Errorf("the plan of the app whose ConfigMap is being deleted does not say so: %v", plans[0].Diagnostics)
	}
	if len(plans[1].Diagnostics) != 0 {
		t.Errorf("the plan of the other app: %v", plans[1].Diagnostics)
	}
	// The same in a plan in full: app 0's files make one more object.
	dir := sdk.GetString(f.configs[0], "manifests_dir")
	b, err := os.ReadFile(filepath.Join(dir, "objects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "objects.yaml"), append(b, "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: going-0000-new, namespace: bench-0}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	plans = f.plan(ctx)
	warned = false
	for _, d := range plans[0].Diagnostics {
		warned = warned || d.Summary == "Objects being deleted" && strings.Contains(d.Detail, "v1 ConfigMap "+ns+"/"+name+" (since ")
	}
	if !warned || plans[0].Unchanged {
		t.Errorf("the plan in full of the app with one more object, whose ConfigMap is being deleted: unchanged %v, %v", plans[0].Unchanged, plans[0].Diagnostics)
	}

	// App 1's record, as if its marks were read in another cluster.
	priv, err := decodePrivate(f.private[1])
	if err != nil || priv.Elide == nil || priv.Elide.Cluster == "" {
		t.Fatalf("apply recorded no cluster: %+v, %v", priv.Elide, err)
	}
	priv.Elide.Cluster = "another"
	f.private[1] = priv.encode()
	if got := f.readElided(ctx); got[1] {
		t.Error("the elided refresh took marks read in another cluster for this one's")
	}
}

// TestRefreshRenewsElision: a refresh in full that finds every object as
// recorded, though the record no longer matches, returns the private
// record read anew, from which the elided refresh and plan find the app
// unchanged again. A value changed by hand and given back leaves the
// field to the hand's field manager: that object's new mark is its
// resourceVersion alone, so that the hand's next change is still found,
// and it is renewed no more once it moves again. A record of another
// scheme is renewed with the marks by slipway's
// entries it had. Nothing is renewed for an app whose record still
// matches, nor for one whose last apply did not leave it exactly as its
// manifests say.
func TestRefreshRenewsElision(t *testing.T) {
	t.Parallel()
	f := newAppsFixture(t, 4, "renew")
	ctx := context.Background()
	cs, err := k8s.NewForConfig(testbed.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := func(i int) string { return "bench-" + string(rune('0'+i%benchNamespaces)) }
	edit := func(i int, value string) string {
		t.Helper()
		name := fmt.Sprintf("renew-%04d-cm1", i)
		cm, err := cs.CoreV1().ConfigMaps(ns(i)).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		was := cm.Data["key"]
		cm.Data["key"] = value
		if _, err := cs.CoreV1().ConfigMaps(ns(i)).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
		return was
	}
	// Apps 0 and 2: a ConfigMap's value edited by hand and given back.
	for _, i := range []int{0, 2} {
		edit(i, edit(i, "edited by hand"))
	}
	records := func(i int) privateData {
		t.Helper()
		p, err := decodePrivate(f.private[i])
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// App 1's record is as versions before the scheme was recorded
	// made it: of the current scheme.
	priv1 := records(1)
	priv1.Elide.Scheme = ""
	f.private[1] = priv1.encode()
	// App 2's last apply, as far as its record says, did not leave it
	// as its manifests say (no inputs recorded).
	priv2 := records(2)
	priv2.Inputs = ""
	f.private[2] = priv2.encode()
	// App 3's record is of another scheme.
	priv3 := records(3)
	priv3.Elide.Scheme = "0/0"
	f.private[3] = priv3.encode()

	f.configure(t)
	if got := f.readElided(ctx); got[0] || !got[1] || got[2] || got[3] {
		t.Fatalf("elided refresh: %v; want false, true, false, false", got)
	}
	full := f.refresh(ctx)
	for i, r := range full {
		if err := r.Diagnostics.Err(); err != nil {
			t.Fatalf("app %d: full refresh: %v", i, err)
		}
		if !r.Unchanged {
			t.Fatalf("app %d: the full refresh finds a change; the values were given back", i)
		}
	}
	for _, i := range []int{1, 2} {
		if !bytes.Equal(full[i].Private, f.private[i]) {
			t.Errorf("app %d: the full refresh changed its record", i)
		}
	}
	for _, i := range []int{0, 3} {
		if bytes.Equal(full[i].Private, f.private[i]) {
			t.Fatalf("app %d: the full refresh left its record as it was", i)
		}
		old := records(i)
		renewed, err := decodePrivate(full[i].Private)
		if err != nil {
			t.Fatal(err)
		}
		if renewed.Inputs != old.Inputs || !reflect.DeepEqual(renewed.Hashes, old.Hashes) || renewed.Elide == nil ||
			renewed.Elide.Config != old.Elide.Config || renewed.Elide.Cluster != old.Elide.Cluster || renewed.Elide.Name != old.Elide.Name ||
			renewed.Elide.Scheme != currentScheme || len(renewed.Elide.Objects) != len(old.Elide.Objects) {
			t.Fatalf("app %d: the renewed record changed more than its marks:\n%s\nwas\n%s", i, full[i].Private, f.private[i])
		}
		for key, m := range old.Elide.Objects {
			n := renewed.Elide.Objects[key]
			edited := i == 0 && strings.HasSuffix(key, "/renew-0000-cm1")
			switch {
			case edited && (n.Owner != "" || n.ResourceVersion == m.ResourceVersion):
				t.Errorf("app %d: the mark of %s, whose field the hand owns, is %+v; want a new resourceVersion alone", i, key, n)
			case !edited && n != m:
				t.Errorf("app %d: the mark of %s moved from %+v to %+v", i, key, m, n)
			}
		}
		f.private[i] = full[i].Private
	}
	f.configure(t)
	if got := f.readElided(ctx); !got[0] || !got[3] {
		t.Errorf("elided refresh from the renewed records: %v; want apps 0 and 3 unchanged", got)
	}
	if got := f.planElided(ctx, f.configs); !got[0] || !got[3] {
		t.Errorf("elided plan from the renewed records: %v; want apps 0 and 3 unchanged", got)
	}

	// Another manager's label moves the ConfigMap's resourceVersion
	// alone: the app is read in full again, and found as recorded, but
	// a mark by resourceVersion that replaces another says nothing more
	// (an object whose status a controller keeps writing would be
	// renewed, and state written, at every apply).
	if _, err := cs.CoreV1().ConfigMaps(ns(0)).Patch(ctx, "renew-0000-cm1", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"team":"other"}}}`), metav1.PatchOptions{FieldManager: "labeller"}); err != nil {
		t.Fatal(err)
	}
	f.configure(t)
	if got := f.readElided(ctx); got[0] {
		t.Error("app 0: the elided refresh matched a resourceVersion that moved")
	}
	if r := f.refresh(ctx)[0]; !r.Unchanged || !bytes.Equal(r.Private, f.private[0]) {
		t.Errorf("app 0: after another manager's label: unchanged %v, record renewed %v; want true, false", r.Unchanged, !bytes.Equal(r.Private, f.private[0]))
	}

	// The hand changes the value it owns again: slipway's entries stay
	// as they are, and the elided refresh still finds the change.
	edit(0, "edited again")
	f.configure(t)
	if got := f.readElided(ctx); got[0] {
		t.Error("app 0: the elided refresh missed a change of the field the hand owns")
	}
	if r := f.refresh(ctx)[0]; r.Unchanged {
		t.Error("app 0: the full refresh missed a change of the field the hand owns")
	}
}
