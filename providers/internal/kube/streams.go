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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// staleWatch is how long a watch that delivers nothing is read: three
// times as long as the API server's bookmarks are apart (about a minute,
// and two seen at times). HTTP/2's health check of client-go's
// connections ends a stream on a dead one after 45 s of silence, but
// counts no time a machine slept.
const staleWatch = 3 * time.Minute

// streams is what the streams of an informer's watch say of whether its
// store is current, which client-go's informers do not say: their
// reflector calls the watch error handler only when ListAndWatch returns
// an error, and an ERROR event (an expired or too new resourceVersion,
// as after an etcd restore), a stream the server ended, a re-watch
// refused with 429 or a refused connection all pass without it while the
// reflector waits out its backoff (seconds to a minute) with the store as
// it was. A connection that died without a word (a laptop that slept)
// looks open until HTTP/2's ping gives up.
//
// The store is current while a stream is open that opened or delivered
// an event within staleWatch of the wall clock (no monotonic reading: it
// stops while a machine sleeps), and no error came since the informer
// last synced past what it held (a relist, or a watch resumed and
// delivering) and its store took what it synced to: an ERROR event, or
// one its error handler was told of (breaks). A stream that ends without an error (the
// server's timeout) is resumed where it stopped; the store is not current
// until it is.
type streams struct {
	// now is time.Now, but for tests.
	now func() time.Time
	// lastSync is the informer's LastSyncResourceVersion: the
	// resourceVersion its reflector has synced to.
	lastSync func() string
	// stored, when set, is its store's LastStoreSyncResourceVersion:
	// the resourceVersion the store itself holds, which follows
	// lastSync once the informer has taken what its queue holds (""
	// where client-go cannot say, without its AtomicFIFO).
	stored func() string
	// lost, when set, is told that the store may have stopped being
	// current (a stream ended, an ERROR event).
	lost func()

	mu        sync.Mutex
	open      int
	delivered time.Time
	// sent is the resourceVersion of the last event passed on to the
	// reflector, which it may not have synced to yet.
	sent string
	// broken: an error came; brokenAt is the version the reflector had
	// synced to, or been sent, by then; resumeAt, once the reflector
	// has synced past it (a relist, or a watch resumed and delivering),
	// the version it synced to then, which the store must hold.
	broken             bool
	brokenAt, resumeAt string
}

// current reports whether the store is current (see streams).
func (s *streams) current() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == 0 || s.now().Round(0).Sub(s.delivered) > staleWatch {
		return false
	}
	if s.broken && s.resumeAt == "" {
		if rv := s.lastSync(); rv != s.brokenAt {
			s.resumeAt = rv
		}
	}
	if s.broken && s.resumeAt != "" && s.holds(s.resumeAt) {
		s.broken, s.resumeAt = false, ""
	}
	return !s.broken
}

// holds reports whether the store holds resourceVersion rv, or a later
// one: after a relist, the reflector says it has synced to the list's
// resourceVersion a moment before the informer has replaced the store's
// objects with the list's, and until then the store holds those from
// before the break. Where the store cannot say, the reflector's word
// stands.
func (s *streams) holds(rv string) bool {
	if s.stored == nil {
		return true
	}
	st := s.stored()
	return st == "" || notOlder(st, rv)
}

// breaks marks the store not current until the informer has synced past
// what it had synced to, or been sent, and the store holds that.
func (s *streams) breaks() {
	s.mu.Lock()
	s.broken, s.brokenAt, s.resumeAt = true, s.lastSync(), ""
	if s.sent != "" && !notOlder(s.brokenAt, s.sent) {
		// The reflector has not synced to the last event sent yet: its
		// doing so is no sign of a relist.
		s.brokenAt = s.sent
	}
	s.mu.Unlock()
	if s.lost != nil {
		s.lost()
	}
}

// listWatch is the ListerWatcher client-go's informer factories make of
// list and watch, streaming lists kept where client can make them, but
// that each watch stream is followed.
func (s *streams) listWatch(client any, list func(context.Context, metav1.ListOptions) (runtime.Object, error), watchWith func(context.Context, metav1.ListOptions) (watch.Interface, error)) cache.ListerWatcher {
	return cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{
		ListWithContextFunc: list,
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			w, err := watchWith(ctx, o)
			if err != nil {
				return nil, err
			}
			return s.follow(w), nil
		},
	}, client)
}

// follow passes on the events of a watch stream the reflector opened,
// noting that it is open, when it delivers, and an ERROR event.
func (s *streams) follow(w watch.Interface) watch.Interface {
	s.mu.Lock()
	s.open++
	s.delivered = s.now().Round(0)
	s.mu.Unlock()
	f := &followed{in: w, out: make(chan watch.Event), done: make(chan struct{})}
	go func() {
		defer close(f.out)
		defer func() {
			s.mu.Lock()
			s.open--
			s.mu.Unlock()
			if s.lost != nil {
				s.lost()
			}
		}()
		for ev := range w.ResultChan() {
			if ev.Type == watch.Error {
				s.breaks()
			} else {
				s.mu.Lock()
				s.delivered = s.now().Round(0)
				if m, err := meta.Accessor(ev.Object); err == nil && m.GetResourceVersion() != "" {
					s.sent = m.GetResourceVersion()
				}
				s.mu.Unlock()
			}
			select {
			case f.out <- ev:
			case <-f.done:
				return
			}
		}
	}()
	return f
}

// followed is a watch stream that streams.follow passes on.
type followed struct {
	in   watch.Interface
	out  chan watch.Event
	done chan struct{}
	once sync.Once
}

func (f *followed) ResultChan() <-chan watch.Event { return f.out }

func (f *followed) Stop() {
	f.once.Do(func() { close(f.done) })
	f.in.Stop()
}
