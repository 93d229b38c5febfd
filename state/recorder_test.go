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

package state_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"slipway.dev/slipway/state"
)

// failingBackend fails every Write with err.
type failingBackend struct {
	state.Backend
	err    error
	mu     sync.Mutex
	writes int
}

func (b *failingBackend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.err
}

func TestRecorderErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk full")
	b := &failingBackend{err: boom}
	r := state.NewRecorder(context.Background(), b, state.NewState)
	got := make(chan error, 3)
	r.Record(func(err error) { got <- err })
	r.Record(nil)
	r.Record(func(err error) { got <- err })
	if err := r.Close(); !errors.Is(err, boom) {
		t.Errorf("Close() = %v, want %v", err, boom)
	}
	for range 2 {
		if err := <-got; !errors.Is(err, boom) {
			t.Errorf("done(%v), want %v", err, boom)
		}
	}
	r.Record(func(err error) { got <- err })
	if err := <-got; !errors.Is(err, state.ErrRecorderClosed) {
		t.Errorf("done after Close got %v, want ErrRecorderClosed", err)
	}
}

func TestRecorderReentrant(t *testing.T) {
	t.Parallel()
	b := &failingBackend{}
	r := state.NewRecorder(context.Background(), b, state.NewState)
	var chained sync.WaitGroup
	chained.Add(1)
	r.Record(func(error) {
		r.Record(func(error) { chained.Done() })
	})
	chained.Wait()
	if err := r.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if b.writes != 2 {
		t.Errorf("%d writes, want 2", b.writes)
	}
}

func TestRecorderCloseWithoutRecords(t *testing.T) {
	t.Parallel()
	b := &failingBackend{}
	if err := state.NewRecorder(context.Background(), b, state.NewState).Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if b.writes != 0 {
		t.Errorf("%d writes, want none", b.writes)
	}
}

// slowBackend takes d for every Write and notes when each started.
type slowBackend struct {
	state.Backend
	d      time.Duration
	mu     sync.Mutex
	starts []time.Time
}

func (b *slowBackend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	b.starts = append(b.starts, time.Now())
	b.mu.Unlock()
	time.Sleep(b.d)
	return nil
}

// TestRecorderCheckpointsByWriteCost: with a journal (Every), a state
// whose write takes a while is rewritten at most once per twenty times
// that while, however often changes finish; each Record is still written,
// and Close writes what is pending at once.
func TestRecorderCheckpointsByWriteCost(t *testing.T) {
	t.Parallel()
	b := &slowBackend{d: 10 * time.Millisecond}
	r := state.NewRecorder(context.Background(), b, state.NewState)
	r.Every(time.Millisecond)
	var done sync.WaitGroup
	deadline := time.Now().Add(700 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		done.Add(1)
		r.Record(func(error) { done.Done() })
		n++
		time.Sleep(time.Millisecond)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	done.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	// The first write starts 1ms after Every; then one every 200ms (20
	// x 10ms) at most: four in 700ms, and the one Close makes.
	if len(b.starts) > 5 || len(b.starts) < 2 {
		t.Errorf("%d Records made %d writes, want 2 to 5", n, len(b.starts))
	}
	for i := 1; i < len(b.starts)-1; i++ {
		if gap := b.starts[i].Sub(b.starts[i-1]); gap < 190*time.Millisecond {
			t.Errorf("write %d started %v after the one before, want 200ms or more", i, gap)
		}
	}
}

// TestRecorderFirstCheckpointWaits: with a journal (Every), Records made
// within the interval are written once, by Close.
func TestRecorderFirstCheckpointWaits(t *testing.T) {
	t.Parallel()
	b := &slowBackend{d: time.Millisecond}
	r := state.NewRecorder(context.Background(), b, state.NewState)
	r.Every(time.Hour)
	var done sync.WaitGroup
	for range 50 {
		done.Add(1)
		r.Record(func(error) { done.Done() })
	}
	time.Sleep(20 * time.Millisecond)
	b.mu.Lock()
	early := len(b.starts)
	b.mu.Unlock()
	if early != 0 {
		t.Errorf("%d writes before Close, want none within the interval", early)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	done.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.starts) != 1 {
		t.Errorf("50 Records made %d writes, want the one Close makes", len(b.starts))
	}
}

// serialBackend gives each Write the next serial, and fails from the
// failFrom-th write on (0: never).
type serialBackend struct {
	state.Backend
	mu       sync.Mutex
	serial   uint64
	failFrom int
	writes   int
}

func (b *serialBackend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	if b.failFrom > 0 && b.writes >= b.failFrom {
		return errors.New("lost")
	}
	b.serial++
	s.Serial = b.serial
	return nil
}

// TestRecorderWritten: Written is the serial of the Recorder's last
// successful write, which a failed one does not change.
func TestRecorderWritten(t *testing.T) {
	t.Parallel()
	b := &serialBackend{serial: 6, failFrom: 3}
	r := state.NewRecorder(context.Background(), b, state.NewState)
	if got := r.Written(); got != 0 {
		t.Errorf("Written before any write = %d, want 0", got)
	}
	for range 4 {
		done := make(chan error, 1)
		r.Record(func(err error) { done <- err })
		<-done
	}
	r.Close()
	if got := r.Written(); got != 8 {
		t.Errorf("Written after two writes from serial 6 and two failed = %d, want 8", got)
	}
}
