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
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// TestStreams: a store is current while a stream of its watch is open
// and has delivered within staleWatch, and not after an ERROR event or
// an error the reflector reported until the informer has synced to
// another resourceVersion; the end of a stream and an ERROR event are
// told (lost).
func TestStreams(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	sync, stored := "10", "10"
	var lost atomic.Int32
	s := &streams{now: func() time.Time { return time.Unix(0, clock.Load()) }, lastSync: func() string { return sync }, stored: func() string { return stored }, lost: func() { lost.Add(1) }}
	if s.current() {
		t.Fatal("current before any stream opened")
	}
	fake := watch.NewFake()
	w := s.follow(fake)
	if !s.current() {
		t.Fatal("not current with a stream open")
	}
	// receive passes ev on and reads it at the other end.
	receive := func(ev watch.Event) {
		t.Helper()
		go fake.Action(ev.Type, ev.Object)
		select {
		case <-w.ResultChan():
		case <-time.After(10 * time.Second):
			t.Fatal("the event was not passed on")
		}
	}
	clock.Add(int64(staleWatch + time.Second))
	if s.current() {
		t.Fatalf("current after %s without an event", staleWatch+time.Second)
	}
	receive(watch.Event{Type: watch.Bookmark})
	if !s.current() {
		t.Fatal("not current after a bookmark")
	}
	receive(watch.Event{Type: watch.Error})
	if s.current() || lost.Load() != 1 {
		t.Fatalf("after an ERROR event: current %v, told %d times; want false, once", s.current(), lost.Load())
	}
	sync = "11" // the informer listed again, its store not replaced yet
	if s.current() {
		t.Fatal("current while the store holds the objects from before the break")
	}
	stored = "11"
	if !s.current() {
		t.Fatal("not current once the informer synced to another resourceVersion and its store took it")
	}
	s.breaks()
	if s.current() || lost.Load() != 2 {
		t.Fatalf("after an error reported: current %v, told %d times", s.current(), lost.Load())
	}
	sync, stored = "12", "12"
	if !s.current() {
		t.Fatal("not current once synced past the break")
	}
	// An ERROR event right after an event the reflector has not synced
	// to yet: its syncing to it is no sign of a relist.
	receive(watch.Event{Type: watch.Modified, Object: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "13"}}})
	receive(watch.Event{Type: watch.Error})
	sync, stored = "13", "13"
	if s.current() {
		t.Fatal("current once the reflector synced to the event sent before the ERROR; no relist yet")
	}
	// A relist on a busy kind: the store never holds what the reflector
	// has synced to at the moment asked, but passes what it had synced
	// to after the break.
	sync, stored = "30", "13"
	if s.current() {
		t.Fatal("current while the store holds the objects from before the relist")
	}
	sync, stored = "40", "31"
	if !s.current() {
		t.Fatal("not current once the store passed the relist, behind the reflector")
	}
	lostBefore := lost.Load()
	s.breaks()
	if s.current() || lost.Load() != lostBefore+1 {
		t.Fatalf("after an error reported: current %v, told %d times", s.current(), lost.Load()-lostBefore)
	}
	sync, stored = "41", "" // a store that cannot say: the reflector's word
	if !s.current() {
		t.Fatal("a store that cannot say its version: not current once the reflector synced past the break")
	}
	fake.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for lost.Load() != lostBefore+2 {
		if time.Now().After(deadline) {
			t.Fatal("the end of the stream was not told")
		}
		time.Sleep(time.Millisecond)
	}
	if s.current() {
		t.Fatal("current with no stream open")
	}
}

// TestTrackerPollsWhileItsWatchIsNotCurrent: a wait that has seen its
// target in the watch at the version written polls it once the watch
// stops being current (its stream ended, and the server refuses to open
// another with 429, which client-go retries without a word), and sees
// the change made meanwhile; on the code before, it kept the watch's
// object.
func TestTrackerPollsWhileItsWatchIsNotCurrent(t *testing.T) {
	grace := Grace
	Grace = 0
	t.Cleanup(func() { Grace = grace })
	s := &watchServer{t: t, objects: true, items: map[string]string{"ns-0/a": "2"}, events: make(chan string, 10)}
	cl, w := watchesOf(t, s)
	id := configMapID("a")
	tr := w.Track(cl.Mappings(), []Target{{ID: id, ResourceVersion: "2"}})
	defer tr.Close()
	// observe until the target is found at rv, and says how many LISTs
	// the last Observe made.
	observe := func(what, rv string) int {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			before, _ := s.count()
			obs, err := tr.Observe(context.Background())
			after, _ := s.count()
			if u := obs.Objects[id.String()]; err == nil && u != nil && u.GetResourceVersion() == rv {
				return after - before
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the target not found at resourceVersion %s within 30 s (%v, %v)", what, rv, obs, err)
			}
			waitBriefly(tr)
		}
	}
	// From the watch once it has synced: no LIST.
	deadline := time.Now().Add(30 * time.Second)
	for observe("from the watch", "2") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("never observed from the watch")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.set(func(s *watchServer) { s.watchStatus = http.StatusTooManyRequests; s.items["ns-0/a"] = "3" })
	s.events <- endStream
	if n := observe("polled while the watch has no stream", "3"); n == 0 {
		t.Error("the change was seen without a LIST")
	}
}
