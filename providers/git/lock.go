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

package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"slipway.dev/slipway/providers/internal/retry"
)

// errLockHeld says another open file holds the lock.
var errLockHeld = errors.New("lock held by another process")

// keyLocks serialises work on one cache key inside this process, so
// goroutines wait on a channel instead of polling the file lock.
type keyLocks struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
}

func (l *keyLocks) slot(key string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slots == nil {
		l.slots = map[string]chan struct{}{}
	}
	ch, ok := l.slots[key]
	if !ok {
		ch = make(chan struct{}, 1)
		l.slots[key] = ch
	}
	return ch
}

// lock takes the lock of key in this process and then the file lock at
// path, which serialises against other processes. It waits until both are
// free or ctx ends; the returned function releases them.
func (l *keyLocks) lock(ctx context.Context, key, path string) (func(), error) {
	slot := l.slot(key)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
	}
	f, err := lockFile(ctx, path)
	if err != nil {
		<-slot
		return nil, err
	}
	return func() {
		_ = unlockFile(f)
		_ = f.Close()
		<-slot
	}, nil
}

// lockPoll is how often lockFile tries again while another process holds
// the lock: from 10ms, doubling, at most 250ms. The jitter keeps
// processes that wait together from polling together.
var lockPoll = retry.Policy{Limit: -1, Backoff: 10 * time.Millisecond, Factor: 2, Max: 250 * time.Millisecond, Jitter: retry.Jitter}

// lockFile opens path (creating it) and takes an exclusive lock on it,
// polling until it is free or ctx ends.
func lockFile(ctx context.Context, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, privateFile)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	err = retry.Do(ctx, lockPoll, func(int) (bool, error) {
		err := tryLock(f)
		return errors.Is(err, errLockHeld), err
	})
	switch {
	case err == nil:
		return f, nil
	case ctx.Err() != nil && errors.Is(err, errLockHeld):
		_ = f.Close()
		return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
	default:
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
}
