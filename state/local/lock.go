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

package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/state"
)

// errHeld is tryLock's report that another open file holds the lock.
var errHeld = errors.New("lock is held")

func (b *Backend) lockPath() string { return b.path + ".lock" }

// lockPoll is how often Lock tries again while another process holds the
// lock: from 5ms, doubling, at most 200ms. The jitter keeps processes
// that wait together from trying together; the cap leaves room for it,
// as 160ms and a quarter more is 200ms.
var lockPoll = wait.Backoff{Duration: 5 * time.Millisecond, Factor: 2, Jitter: 0.25, Cap: 160 * time.Millisecond, Steps: math.MaxInt32}

// Lock takes an flock on PATH.lock, retrying with backoff until ctx is done,
// then records info in the file. A lock left by a dead process is free to
// the kernel, so Lock takes it and overwrites the stale info.
func (b *Backend) Lock(ctx context.Context, info *state.LockInfo) (string, error) {
	if info == nil || info.ID == "" {
		return "", errors.New("locking state: the lock info has no ID")
	}
	li := *info
	li.Path = b.path
	data, err := json.Marshal(&li)
	if err != nil {
		return "", fmt.Errorf("locking state: %w", err)
	}
	f, err := os.OpenFile(b.lockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return "", fmt.Errorf("locking state: %w", err)
	}
	var lockErr error
	err = lockPoll.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		lockErr = tryLock(f)
		return !errors.Is(lockErr, errHeld), nil
	})
	switch {
	case err != nil:
		// The condition never fails, so err is the context's.
		f.Close()
		return "", &state.LockedError{Info: b.holder(), Err: err}
	case lockErr != nil:
		f.Close()
		return "", fmt.Errorf("locking state: %w", lockErr)
	}
	if err := record(f, data); err != nil {
		unlock(f)
		f.Close()
		return "", fmt.Errorf("locking state: recording the holder: %w", err)
	}
	b.mu.Lock()
	b.locks[li.ID] = f
	b.mu.Unlock()
	return li.ID, nil
}

// Unlock releases the lock this Backend took with id.
func (b *Backend) Unlock(ctx context.Context, id string) error {
	b.mu.Lock()
	f, ok := b.locks[id]
	delete(b.locks, id)
	b.mu.Unlock()
	if !ok {
		return fmt.Errorf("unlocking state: %s", b.notOurs(id))
	}
	return release(f)
}

// ForceUnlock clears the lock with id when its holder is gone. A live
// process's flock cannot be broken from outside it, so while the holder
// runs ForceUnlock refuses and says which process to stop.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	b.mu.Lock()
	f, ours := b.locks[id]
	delete(b.locks, id)
	b.mu.Unlock()
	if ours {
		return release(f)
	}
	holder := b.holder()
	if holder == nil || holder.ID != id {
		return fmt.Errorf("force-unlocking state: %s", b.notOurs(id))
	}
	f, err := os.OpenFile(b.lockPath(), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("force-unlocking state: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if !errors.Is(err, errHeld) {
			return fmt.Errorf("force-unlocking state: %w", err)
		}
		where := "on this host"
		if host, _ := os.Hostname(); holder.Host != host {
			where = "on host " + holder.Host
		}
		return fmt.Errorf("force-unlocking state: lock %s is held by %s, pid %d %s, which is still running %s; "+
			"a local file lock cannot be broken from outside the process that holds it: "+
			"stop that process (kill %d) and its lock is released as it exits",
			id, holder.Who, holder.PID, where, holder.Operation, holder.PID)
	}
	return release(f)
}

// notOurs explains why id is not a lock this Backend may release.
func (b *Backend) notOurs(id string) string {
	switch h := b.holder(); {
	case h == nil:
		return fmt.Sprintf("lock ID %s is not held: the state is not locked", id)
	case h.ID == id:
		return fmt.Sprintf("lock ID %s was taken through another backend value or process (pid %d)", id, h.PID)
	default:
		return fmt.Sprintf("lock ID %s does not match the current lock %s held by %s (pid %d) for %s", id, h.ID, h.Who, h.PID, h.Operation)
	}
}

// holder returns the info recorded in the lock file, or nil when there is
// none.
func (b *Backend) holder() *state.LockInfo {
	data, err := os.ReadFile(b.lockPath())
	if err != nil || len(data) == 0 {
		return nil
	}
	var li state.LockInfo
	if json.Unmarshal(data, &li) != nil {
		return nil
	}
	return &li
}

// record replaces the lock file's content with data.
func record(f *os.File, data []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(data, 0)
	return err
}

// release clears the holder's info, drops the lock and closes f.
func release(f *os.File) error {
	err := f.Truncate(0)
	if uerr := unlock(f); err == nil {
		err = uerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unlocking state: %w", err)
	}
	return nil
}
