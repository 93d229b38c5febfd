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
// last synced to a new resourceVersion and its store took what it synced
// to: an ERROR event, or one its error handler was told of (breaks). A stream that ends without an error (the
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
	broken    bool
	brokenAt  string
}

// current reports whether the store is current (see streams).
func (s *streams) current() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == 0 || s.now().Round(0).Sub(s.delivered) > staleWatch {
		return false
	}
	if s.broken && s.lastSync() != s.brokenAt && s.caughtUp() {
		s.broken = false
	}
	return !s.broken
}

// caughtUp reports whether the store holds what the reflector synced to:
// after a relist, the reflector says it has synced to the list's
// resourceVersion a moment before the informer has replaced the store's
// objects with the list's, and until then the store holds those from
// before the break.
func (s *streams) caughtUp() bool {
	if s.stored == nil {
		return true
	}
	rv := s.stored()
	return rv == "" || rv == s.lastSync()
}

// breaks marks the store not current until the informer has synced to
// another resourceVersion.
func (s *streams) breaks() {
	s.mu.Lock()
	s.broken, s.brokenAt = true, s.lastSync()
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
