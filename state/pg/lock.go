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

package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/state"
)

// ErrLockLost is what a holder's writes, journal appends and Unlock
// return once its lock is no longer its own: another process took it over
// after it expired (its heartbeat could not renew it for a TTL), or it was
// force-unlocked.
var ErrLockLost = errors.New("the state lock was lost")

// errHeld is tryLock's report that someone else holds the lock.
var errHeld = errors.New("lock is held")

// queryTimeout bounds one statement of Lock, Unlock and the heartbeat.
// They run whatever their caller's context says, so that a Lock with a
// timeout of zero still tries once, and an Unlock after Ctrl-C still
// releases the lock.
const queryTimeout = 30 * time.Second

// lockPoll is how often Lock tries again while another process holds the
// lock: from 10ms, doubling, at most 400ms (and a quarter more, jitter),
// so waiters that started together do not query together.
var lockPoll = wait.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Jitter: 0.25, Cap: 400 * time.Millisecond, Steps: math.MaxInt32}

// heldLock is a lock this process holds, and its heartbeat.
type heldLock struct {
	id   string
	stop chan struct{} // closed to stop the heartbeat
	done chan struct{} // closed when the heartbeat has stopped

	stopOnce sync.Once
	lostOnce sync.Once
	lost     chan struct{} // closed once the lock is found lost
	lostErr  error         // why, set before lost is closed
}

func (h *heldLock) markLost(err error) {
	h.lostOnce.Do(func() {
		h.lostErr = err
		close(h.lost)
	})
}

// lostError is why the lock was lost, or nil while it is held.
func (h *heldLock) lostError() error {
	select {
	case <-h.lost:
		return h.lostErr
	default:
		return nil
	}
}

func (h *heldLock) stopHeartbeat() {
	h.stopOnce.Do(func() { close(h.stop) })
	<-h.done
}

// querier is what tryLock needs of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tryLock takes workspace's lock for li if it is free or expired, in one
// statement, and otherwise returns the holder (nil when it could not be
// seen yet, as when its transaction committed during this statement).
// Expiry is judged by the database's clock alone.
func (s *Store) tryLock(ctx context.Context, q querier, workspace string, li *state.LockInfo) (bool, *state.LockInfo, error) {
	data, err := json.Marshal(li)
	if err != nil {
		return false, nil, err
	}
	var got bool
	var holder []byte
	err = q.QueryRow(ctx, `WITH taken AS (
	INSERT INTO `+s.locks+` AS l (workspace, id, info, expires_at)
	VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
	ON CONFLICT (workspace) DO UPDATE SET id = excluded.id, info = excluded.info, expires_at = excluded.expires_at
	WHERE l.expires_at < now()
	RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken), (SELECT info FROM `+s.locks+` WHERE workspace = $1)`,
		workspace, li.ID, data, s.ttl.Milliseconds()).Scan(&got, &holder)
	if err != nil || got {
		return got, nil, err
	}
	return false, decodeHolder(holder), nil
}

func decodeHolder(data []byte) *state.LockInfo {
	if data == nil {
		return nil
	}
	var li state.LockInfo
	if json.Unmarshal(data, &li) != nil {
		return nil
	}
	return &li
}

// holder returns the current holder of the lock (expired or not), or nil
// when there is none.
func (b *Backend) holder(ctx context.Context) (*state.LockInfo, error) {
	var data []byte
	err := b.store.pool.QueryRow(ctx, "SELECT info FROM "+b.store.locks+" WHERE workspace = $1", b.workspace).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeHolder(data), nil
}

// Lock takes the workspace's lock row, trying again with backoff until
// ctx is done while another holder's row has not expired, and then keeps
// it alive with a heartbeat until Unlock. The first try happens even when
// ctx is already done, as a lock timeout of zero asks.
func (b *Backend) Lock(ctx context.Context, info *state.LockInfo) (string, error) {
	if info == nil || info.ID == "" {
		return "", errors.New("locking state: the lock info has no ID")
	}
	li := *info
	li.Path = b.Path()
	qctx := context.WithoutCancel(ctx)
	var holder *state.LockInfo
	var tryErr error
	var tried time.Time // when the try that took the lock began
	err := lockPoll.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		tctx, cancel := context.WithTimeout(qctx, queryTimeout)
		defer cancel()
		tried = time.Now()
		got, h, err := b.store.tryLock(tctx, b.store.pool, b.workspace, &li)
		if err != nil {
			tryErr = err
			return false, err
		}
		if h != nil {
			holder = h
		}
		return got, nil
	})
	switch {
	case tryErr != nil:
		return "", fmt.Errorf("locking state in %s: %w", b.Path(), tryErr)
	case err != nil:
		// The tries never failed, so err is the context's. Name the
		// holder as it is now, which the last try may not have seen.
		hctx, cancel := context.WithTimeout(qctx, queryTimeout)
		defer cancel()
		if h, herr := b.holder(hctx); herr == nil && h != nil {
			holder = h
		}
		return "", &state.LockedError{Info: holder, Err: err}
	}
	h := &heldLock{id: li.ID, stop: make(chan struct{}), done: make(chan struct{}), lost: make(chan struct{})}
	b.mu.Lock()
	b.held = h
	b.mu.Unlock()
	go b.heartbeat(h, tried)
	return li.ID, nil
}

// heartbeat pushes the lock's expiry forward every third of the TTL until
// it is stopped. It marks the lock lost when the row no longer carries the
// lock's ID, or when no renewal has succeeded for a whole TTL: by then
// another process may have taken the lock over, so the holder must stop
// writing. renewed is when the last successful renewal (or the Lock)
// began: the expiry it set is later than that plus the TTL.
func (b *Backend) heartbeat(h *heldLock, renewed time.Time) {
	defer close(h.done)
	ttl := b.store.ttl
	interval := ttl / 3
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		began := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		tag, err := b.store.pool.Exec(ctx, "UPDATE "+b.store.locks+" SET expires_at = now() + $3 * interval '1 millisecond' WHERE workspace = $1 AND id = $2",
			b.workspace, h.id, ttl.Milliseconds())
		cancel()
		switch {
		case err == nil && tag.RowsAffected() == 1:
			renewed = began
			t.Reset(interval)
		case err == nil:
			h.markLost(b.lostBecause(h.id))
			return
		case time.Since(renewed) >= ttl:
			h.markLost(fmt.Errorf("%w: it could not be renewed for %s (the lock TTL), after which another process may take it over: %v", ErrLockLost, ttl, err))
			return
		default:
			// Try again soon: the lock has until renewed + ttl.
			t.Reset(min(interval, time.Second))
		}
	}
}

// lostBecause explains the loss of lock id, found gone from its row.
func (b *Backend) lostBecause(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	h, err := b.holder(ctx)
	switch {
	case err == nil && h == nil:
		return fmt.Errorf("%w: lock %s was released by someone else (force-unlock)", ErrLockLost, id)
	case err == nil:
		return fmt.Errorf("%w: lock %s was taken over by %s (pid %d) for %s, lock ID %s", ErrLockLost, id, h.Who, h.PID, h.Operation, h.ID)
	default:
		return fmt.Errorf("%w: lock %s is no longer in its row", ErrLockLost, id)
	}
}

// Lost returns a channel that is closed when the lock this Backend holds
// is found lost (writes then fail with ErrLockLost), or nil when it holds
// none. A long operation may watch it to stop early.
func (b *Backend) Lost() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held == nil {
		return nil
	}
	return b.held.lost
}

// fence returns the ID of the lock this Backend holds, which its writes
// must find still in the lock row, or "" when it holds none. A lock known
// to be lost is an error.
func (b *Backend) fence() (string, error) {
	b.mu.Lock()
	h := b.held
	b.mu.Unlock()
	if h == nil {
		return "", nil
	}
	if err := h.lostError(); err != nil {
		return "", err
	}
	return h.id, nil
}

// checkFence is called when a fenced statement changed nothing: it says
// whether that was because the lock is lost (and marks it so) rather
// than a race with another writer.
func (b *Backend) checkFence(ctx context.Context, id string) error {
	h, err := b.holder(ctx)
	if err != nil {
		return err
	}
	if h != nil && h.ID == id {
		return nil
	}
	lost := b.lostBecause(id)
	b.mu.Lock()
	if b.held != nil && b.held.id == id {
		b.held.markLost(lost)
	}
	b.mu.Unlock()
	return lost
}

// stopHeartbeat stops renewing the lock this Backend holds, if any,
// without releasing it.
func (b *Backend) stopHeartbeat() {
	b.mu.Lock()
	h := b.held
	b.mu.Unlock()
	if h != nil {
		h.stopHeartbeat()
	}
}

// Unlock stops the heartbeat of the lock this Backend took with id and
// deletes its row. A lock that was lost meanwhile is an error wrapping
// ErrLockLost.
func (b *Backend) Unlock(ctx context.Context, id string) error {
	b.mu.Lock()
	h := b.held
	if h == nil || h.id != id {
		b.mu.Unlock()
		return fmt.Errorf("unlocking state: %s", b.notOurs(ctx, id))
	}
	b.held = nil
	b.mu.Unlock()
	h.stopHeartbeat()
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queryTimeout)
	defer cancel()
	tag, err := b.store.pool.Exec(qctx, "DELETE FROM "+b.store.locks+" WHERE workspace = $1 AND id = $2", b.workspace, id)
	if err != nil {
		return fmt.Errorf("unlocking state in %s: %w", b.Path(), err)
	}
	if tag.RowsAffected() == 0 {
		lost := h.lostError()
		if lost == nil {
			lost = b.lostBecause(id)
		}
		return fmt.Errorf("unlocking state: %w", lost)
	}
	return nil
}

// ForceUnlock deletes the lock row if it carries id, whoever holds it: a
// live holder then finds its lock lost at its next write or heartbeat.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	b.mu.Lock()
	ours := b.held != nil && b.held.id == id
	b.mu.Unlock()
	if ours {
		return b.Unlock(ctx, id)
	}
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queryTimeout)
	defer cancel()
	tag, err := b.store.pool.Exec(qctx, "DELETE FROM "+b.store.locks+" WHERE workspace = $1 AND id = $2", b.workspace, id)
	if err != nil {
		return fmt.Errorf("force-unlocking state in %s: %w", b.Path(), err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("force-unlocking state: %s", b.notOurs(qctx, id))
	}
	return nil
}

// notOurs explains why id is not a lock this Backend may release.
func (b *Backend) notOurs(ctx context.Context, id string) string {
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queryTimeout)
	defer cancel()
	h, err := b.holder(qctx)
	switch {
	case err != nil:
		return fmt.Sprintf("lock ID %s was not taken through this backend (and the current lock cannot be read: %v)", id, err)
	case h == nil:
		return fmt.Sprintf("lock ID %s is not held: the state in %s is not locked", id, b.Path())
	case h.ID == id:
		return fmt.Sprintf("lock ID %s was taken by another process (%s, pid %d); only force-unlock releases it from here", id, h.Who, h.PID)
	default:
		return fmt.Sprintf("lock ID %s does not match the current lock %s held by %s (pid %d) for %s", id, h.ID, h.Who, h.PID, h.Operation)
	}
}
