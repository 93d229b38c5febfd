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
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestNotOlder(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b string
		want bool
	}{
		"newer":                       {"120", "99", true},
		"same":                        {"42", "42", true},
		"older":                       {"99", "120", false},
		"not comparable, same":        {"a1", "a1", true},
		"not comparable, different":   {"a2", "a1", false},
		"one comparable, other not":   {"5", "x", false},
		"zero is never a live object": {"0", "0", true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := notOlder(tt.a, tt.b); got != tt.want {
				t.Errorf("notOlder(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// TestSlimKeepsWhatHealthReads: the watches drop managedFields, the last
// applied configuration and the data of ConfigMaps and Secrets, and keep
// what health reads.
func TestSlimKeepsWhatHealthReads(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"deployment": {
			in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  generation: 2
  managedFields: [{manager: slipway}]
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", team: a}
spec: {replicas: 1}
status: {observedGeneration: 2}
`,
			want: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 2, annotations: {team: a}}
spec: {replicas: 1}
status: {observedGeneration: 2}
`,
		},
		"secret": {
			in:   "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata: {k: dg==}\n",
			want: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n",
		},
		"configmap": {
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\nbinaryData: {b: dg==}\n",
			want: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := slim(&unstructured.Unstructured{Object: decode(t, tt.in)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tt.want), got.(*unstructured.Unstructured).Object); diff != "" {
				t.Errorf("slim (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTrackerGoneOnlyWhenTheWatchSaysDeleted: a target the watch drops
// is gone when the deletion event's object still carries the selected
// labels, also for a wait that begins after; one dropped because its
// labels stopped matching (the API server sends that as a deletion too)
// still exists, and a poll at once finds it (on the code before, it was
// gone). A wait the watch answers looks again within watchRecheck though
// nothing changes.
func TestTrackerGoneOnlyWhenTheWatchSaysDeleted(t *testing.T) {
	grace := Grace
	Grace = time.Hour // nothing polled: the watch alone answers
	t.Cleanup(func() { Grace = grace })
	s := &watchServer{t: t, objects: true, items: map[string]string{"ns-0/deleted": "2", "ns-0/unlabelled": "2"}, events: make(chan string, 10)}
	cl, w := watchesOf(t, s)
	deleted, unlabelled := configMapID("deleted"), configMapID("unlabelled")
	tr := w.Track(cl.Mappings(), []Target{{ID: deleted, ResourceVersion: "2"}, {ID: unlabelled, ResourceVersion: "2"}})
	defer tr.Close()
	obs := observeUntil(t, tr, "both seen from the watch", func(o Observation) bool { return len(o.Objects) == 2 })
	if obs.Recheck <= 0 || obs.Recheck > watchRecheck {
		t.Errorf("a wait the watch answered looks again after %s; want within %s", obs.Recheck, watchRecheck)
	}
	item := func(name, rv, labels string) string {
		return fmt.Sprintf(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":%q,"namespace":"ns-0","resourceVersion":%q,"labels":{%s}}}`, name, rv, labels)
	}
	s.events <- `{"type":"DELETED","object":` + item("deleted", "3", `"managed":"yes"`) + `}`
	s.events <- `{"type":"DELETED","object":` + item("unlabelled", "4", `"managed":"no"`) + `}`
	before, _ := s.count()
	// Until the deleted target is gone and the other found by a poll
	// (the watch may still hold it for a moment: the events just sent).
	observeUntil(t, tr, "the deleted target gone, the other polled", func(o Observation) bool {
		after, _ := s.count()
		return o.Objects[deleted.String()] == nil && !o.Unseen[deleted.String()] && o.Objects[unlabelled.String()] != nil && after > before
	})
	// A target deleted before its wait began is gone by the deletion the
	// watch saw; one whose labels went, found by a poll at once.
	tr2 := w.Track(cl.Mappings(), []Target{{ID: deleted, ResourceVersion: "2"}, {ID: unlabelled, ResourceVersion: "2"}})
	defer tr2.Close()
	obs, err := tr2.Observe(context.Background())
	if err != nil || obs.Objects[deleted.String()] != nil || obs.Unseen[deleted.String()] || obs.Objects[unlabelled.String()] == nil {
		t.Errorf("a new wait: %+v, %v; want the deleted target gone, the other found", obs, err)
	}
	// A target no watch can tell of (without the label) is polled at
	// once, not after Grace.
	tr3 := w.Track(cl.Mappings(), []Target{{ID: unlabelled, Polled: true}})
	defer tr3.Close()
	before, _ = s.count()
	obs, err = tr3.Observe(context.Background())
	if after, _ := s.count(); err != nil || after == before || obs.Objects[unlabelled.String()] == nil {
		t.Errorf("a target to poll: %+v, %v, %d LISTs; want it found by a LIST at once", obs, err, after-before)
	}
}

// TestTrackerPollsWhatWentOnce: a target written by the operation that a
// poll did not find is gone for good: it is not polled again at every
// round while the wait follows another target (on the code before, it
// was).
func TestTrackerPollsWhatWentOnce(t *testing.T) {
	grace, interval := Grace, PollInterval
	Grace, PollInterval = time.Hour, 10*time.Millisecond
	t.Cleanup(func() { Grace, PollInterval = grace, interval })
	s := &watchServer{t: t, objects: true, rv: 10, items: map[string]string{"ns-0/present": "2"}, events: make(chan string, 10)}
	cl, w := watchesOf(t, s)
	present, went := configMapID("present"), configMapID("went")
	tr := w.Track(cl.Mappings(), []Target{{ID: present, ResourceVersion: "2"}, {ID: went, ResourceVersion: "2"}})
	defer tr.Close()
	observeUntil(t, tr, "one target found, the other gone", func(o Observation) bool {
		return o.Objects[present.String()] != nil && o.Objects[went.String()] == nil && !o.Unseen[went.String()]
	})
	before, _ := s.count()
	for range 10 {
		time.Sleep(20 * time.Millisecond)
		if obs, err := tr.Observe(context.Background()); err != nil || obs.Objects[went.String()] != nil || obs.Unseen[went.String()] {
			t.Fatalf("the target gone is back: %+v, %v", obs, err)
		}
	}
	if after, _ := s.count(); after != before {
		t.Errorf("%d LISTs in ten rounds after the target was found gone; want none", after-before)
	}
}

// observeUntil observes tr until done takes an observation made without
// an error, and returns it; between tries it waits for a change, or
// 20 ms. It fails the test after 30 s.
func observeUntil(t *testing.T, tr *Tracker, what string, done func(Observation) bool) Observation {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		obs, err := tr.Observe(context.Background())
		if err == nil && done(obs) {
			return obs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s; the last observation: %+v, %v", what, obs, err)
		}
		waitBriefly(tr)
	}
}

// waitBriefly waits for a change of tr's targets, or 20 ms.
func waitBriefly(tr *Tracker) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_ = tr.Wait(ctx, Observation{})
}

// watchesOf connects to s and returns the connection and its watches of
// what s labels managed=yes, stopped at the end of the test.
func watchesOf(t *testing.T, s *watchServer) (*Cluster, *Watches) {
	t.Helper()
	cl := connectTo(t, s.serve)
	w := cl.Watches("managed=yes")
	t.Cleanup(w.Stop)
	return cl, w
}

// configMapID is the ID of ConfigMap name in namespace ns-0.
func configMapID(name string) ObjectID {
	return ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: "ns-0", Name: name}
}
