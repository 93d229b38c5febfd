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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/state"
)

// lockPoll is how often Lock looks at a Lease that another holder has:
// from 100ms, by half again each time, at most a second, with jitter so
// that waiters do not ask together.
var lockPoll = wait.Backoff{Duration: 100 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Cap: time.Second, Steps: math.MaxInt32}

// tryAttempts bounds the conflicts one look at the Lease retries at once
// (another waiter took or created it between our read and our write).
const tryAttempts = 5

// heldLock is a lock this Backend holds, and its renewal.
type heldLock struct {
	id   string
	stop chan struct{}
	done chan struct{}

	mu       sync.Mutex
	lease    *coordinationv1.Lease // as last written
	renewed  time.Time             // when the last successful renewal was sent (local, monotonic)
	lost     error                 // why the lock is no longer ours, once it is not
	renewErr error                 // the last renewal's error, if it failed
}

// errLost is wrapped by every error that says a lock was lost.
var errLost = errors.New("the state lock was lost")

// Lock takes the workspace's Lease for info.ID and keeps it renewed until
// Unlock. While another holder has it, Lock looks again with backoff until
// ctx is done, and then returns a *state.LockedError naming the holder. A
// Lease left by a holder that stopped renewing it is taken once it has
// run out. Each look is made whatever ctx says, so that a ctx that is
// already done (-lock-timeout=0s) still tries once.
func (b *Backend) Lock(ctx context.Context, info *state.LockInfo) (string, error) {
	if info == nil || info.ID == "" {
		return "", errors.New("locking state: the lock info has no ID")
	}
	li := *info
	li.Path = b.s.ns + "/" + b.s.pointerName(b.ws)
	record, err := json.Marshal(&li)
	if err != nil {
		return "", fmt.Errorf("locking state: %w", err)
	}
	var (
		holder *state.LockInfo
		taken  *coordinationv1.Lease
		seen   observed
		tryErr error
	)
	err = lockPoll.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
		defer cancel()
		var h *state.LockInfo
		taken, h, tryErr = b.tryAcquire(tctx, li.ID, string(record), &seen)
		if h != nil {
			holder = h
		}
		// An API server that is busy or restarting is waited for as a
		// holder is; any other error ends the wait.
		return taken != nil || (tryErr != nil && !transient(tryErr)), nil
	})
	switch {
	case tryErr != nil && (!transient(tryErr) || holder == nil):
		return "", fmt.Errorf("locking state: %w", tryErr)
	case taken != nil:
		// Others may have used the journal since this process last
		// did: a long-running process (reconcile) locks once a round.
		b.jstore.forget()
		b.hold(li.ID, taken)
		return li.ID, nil
	case holder != nil:
		return "", &state.LockedError{Info: holder, Err: err}
	default:
		return "", fmt.Errorf("locking state: %w", err)
	}
}

// observed is what a waiter saw of a Lease, and since when.
type observed struct {
	version string
	since   time.Time
}

// tryAcquire takes the Lease if it is free or has run out, and returns it;
// otherwise it returns its holder.
func (b *Backend) tryAcquire(ctx context.Context, id, record string, seen *observed) (*coordinationv1.Lease, *state.LockInfo, error) {
	leases := b.s.client.CoordinationV1().Leases(b.s.ns)
	name := b.s.leaseName(b.ws)
	for range tryAttempts {
		lease, err := leases.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			lease = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: b.s.labels(b.ws, roleLock)}}
			b.claim(lease, id, record)
			created, err := leases.Create(ctx, lease, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				continue
			}
			return created, nil, err
		}
		if err != nil {
			return nil, nil, err
		}
		if h := lease.Spec.HolderIdentity; h != nil && *h != "" && !b.runOut(lease, seen) {
			return nil, holderOf(lease), nil
		}
		if h := lease.Spec.HolderIdentity; h != nil && *h != "" {
			transitions := ptrOr(lease.Spec.LeaseTransitions, 0) + 1
			lease.Spec.LeaseTransitions = &transitions
		}
		b.claim(lease, id, record)
		updated, err := leases.Update(ctx, lease, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			continue
		}
		return updated, nil, err
	}
	// Others keep changing the Lease: it is theirs for now.
	return nil, nil, nil
}

// claim makes lease name this lock as its holder, renewed now.
func (b *Backend) claim(lease *coordinationv1.Lease, id, record string) {
	now := metav1.NewMicroTime(b.s.clock.now())
	seconds := int32(b.s.lease / time.Second)
	lease.Spec.HolderIdentity = &id
	lease.Spec.LeaseDurationSeconds = &seconds
	lease.Spec.AcquireTime = &now
	lease.Spec.RenewTime = &now
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[annLockInfo] = record
}

// runOut says whether a held Lease has run out: renewed longer than its
// duration ago on the API server's clock, or seen unchanged by this
// waiter for that long.
func (b *Backend) runOut(lease *coordinationv1.Lease, seen *observed) bool {
	d := time.Duration(ptrOr(lease.Spec.LeaseDurationSeconds, int32(b.s.lease/time.Second))) * time.Second
	if r := lease.Spec.RenewTime; r != nil && b.s.clock.now().After(r.Add(d)) {
		return true
	}
	if seen.version != lease.ResourceVersion {
		*seen = observed{version: lease.ResourceVersion, since: time.Now()}
		return false
	}
	return time.Since(seen.since) > d
}

// holderOf is the LockInfo a Lease's holder recorded, or as much as the
// Lease says when the record is missing.
func holderOf(lease *coordinationv1.Lease) *state.LockInfo {
	var li state.LockInfo
	if err := json.Unmarshal([]byte(lease.Annotations[annLockInfo]), &li); err == nil && li.ID != "" {
		return &li
	}
	li = state.LockInfo{ID: ptrOr(lease.Spec.HolderIdentity, ""), Who: "an unknown holder", Operation: "an unknown operation"}
	if t := lease.Spec.AcquireTime; t != nil {
		li.Created = t.Time
	}
	return &li
}

// hold records a lock this Backend took and starts renewing it.
func (b *Backend) hold(id string, lease *coordinationv1.Lease) {
	h := &heldLock{id: id, stop: make(chan struct{}), done: make(chan struct{}), lease: lease, renewed: time.Now()}
	b.mu.Lock()
	b.locks[id] = h
	b.mu.Unlock()
	go b.renew(h)
}

// renew renews h's Lease every third of the lease duration, and sooner
// after a failure, until h is stopped or found lost.
func (b *Backend) renew(h *heldLock) {
	defer close(h.done)
	period := b.s.lease / 3
	t := time.NewTimer(period)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.mu.Lock()
		lease, lost := h.lease.DeepCopy(), h.lost != nil // a write may have found it lost
		h.mu.Unlock()
		if lost {
			return
		}
		sent := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), period)
		renewed, err := b.renewOnce(ctx, h.id, lease)
		cancel()
		h.mu.Lock()
		switch {
		case err == nil:
			h.lease, h.renewed, h.renewErr = renewed, sent, nil
		case errors.Is(err, errLost):
			if h.lost == nil {
				h.lost = err
			}
		default:
			h.renewErr = err
		}
		lost = h.lost != nil
		h.mu.Unlock()
		if lost {
			return
		}
		next := period
		if err != nil {
			next = min(period, time.Second)
		}
		t.Reset(next)
	}
}

// renewOnce writes a new renewTime into lease, which must still name id.
func (b *Backend) renewOnce(ctx context.Context, id string, lease *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	leases := b.s.client.CoordinationV1().Leases(b.s.ns)
	uid := lease.UID
	for range tryAttempts {
		now := metav1.NewMicroTime(b.s.clock.now())
		lease.Spec.RenewTime = &now
		updated, err := leases.Update(ctx, lease, metav1.UpdateOptions{})
		if err == nil {
			return updated, nil
		}
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			return nil, err
		}
		// Someone else wrote the Lease: see whether it is still ours.
		if lease, err = leases.Get(ctx, b.s.leaseName(b.ws), metav1.GetOptions{}); apierrors.IsNotFound(err) {
			lease = nil
		} else if err != nil {
			return nil, err
		}
		if err := b.leaseLost(id, uid, lease); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("the Lease %s/%s kept changing while it was renewed", b.s.ns, b.s.leaseName(b.ws))
}

// leaseLost says why lease, as the API server returned it (nil: there is
// none), shows that lock id, which took the Lease of UID uid, is lost; it
// is nil while the Lease is still that lock's.
func (b *Backend) leaseLost(id string, uid types.UID, lease *coordinationv1.Lease) error {
	where := b.s.ns + "/" + b.s.leaseName(b.ws)
	switch {
	case lease == nil:
		return fmt.Errorf("%w: its Lease %s was deleted (force-unlock?)", errLost, where)
	case ptrOr(lease.Spec.HolderIdentity, "") == id && lease.UID == uid:
		return nil
	case lease.UID != uid:
		h := holderOf(lease)
		return fmt.Errorf("%w: its Lease %s was deleted (force-unlock?), and %s (pid %d) has taken the lock since, for %s", errLost, where, h.Who, h.PID, h.Operation)
	default:
		h := holderOf(lease)
		return fmt.Errorf("%w: %s (pid %d) took it for %s after it was not renewed in time", errLost, h.Who, h.PID, h.Operation)
	}
}

// confirmLock says, as lockLost does, why a write through this Backend
// must not go ahead, and then asks the API server: it reads the Lease, and
// a Lease that is gone (force-unlock) or names another holder means the
// lock is lost, which is remembered, so lockLost says so from then on.
// Renewals come a third of the lease duration apart; without this read a
// holder would write for that long into the state of a process that took
// the lock after a force-unlock. Writes call it just before the step that
// makes what they wrote count: the pointer switch, the last part of a
// journal record. It costs one GET when the Backend holds a lock, none
// when it holds none. A Lease that cannot be read is an error as well: a
// write must not go ahead without the answer.
func (b *Backend) confirmLock(ctx context.Context) error {
	if err := b.lockLost(); err != nil {
		return err
	}
	b.mu.Lock()
	held := make([]*heldLock, 0, len(b.locks))
	for _, h := range b.locks {
		held = append(held, h)
	}
	b.mu.Unlock()
	if len(held) == 0 {
		return nil
	}
	lease, err := b.s.client.CoordinationV1().Leases(b.s.ns).Get(ctx, b.s.leaseName(b.ws), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		lease = nil
	} else if err != nil {
		return fmt.Errorf("the state lock cannot be confirmed: its Lease %s/%s cannot be read: %w", b.s.ns, b.s.leaseName(b.ws), err)
	}
	for _, h := range held {
		h.mu.Lock()
		uid := h.lease.UID
		h.mu.Unlock()
		lost := b.leaseLost(h.id, uid, lease)
		if lost == nil {
			continue
		}
		h.mu.Lock()
		if h.lost == nil {
			h.lost = lost
		}
		lost = h.lost
		h.mu.Unlock()
		return lost
	}
	return nil
}

// lockLost says why a Write through this Backend must not go ahead: a lock
// it took is lost, or has gone unrenewed so long that another process may
// have taken it. It is nil when the Backend holds no lock. It asks the API
// server nothing: it knows what the last renewal, or the last
// confirmLock, learnt.
func (b *Backend) lockLost() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.locks {
		h.mu.Lock()
		lost, since, last := h.lost, time.Since(h.renewed), h.renewErr
		h.mu.Unlock()
		if lost != nil {
			return lost
		}
		if since > b.s.lease {
			return fmt.Errorf("%w: its Lease %s/%s has not been renewed for %s, longer than its %s duration, so another process may hold it now (last error: %v)",
				errLost, b.s.ns, b.s.leaseName(b.ws), since.Round(time.Second), b.s.lease, last)
		}
	}
	return nil
}

// Unlock stops renewing the lock taken with id and deletes its Lease.
func (b *Backend) Unlock(ctx context.Context, id string) error {
	if err := b.release(ctx, id); err != nil {
		return fmt.Errorf("unlocking state: %w", err)
	}
	return nil
}

// release is Unlock, without its prefix.
func (b *Backend) release(ctx context.Context, id string) error {
	b.mu.Lock()
	h := b.locks[id]
	delete(b.locks, id)
	b.mu.Unlock()
	if h == nil {
		return b.notOurs(ctx, id)
	}
	close(h.stop)
	<-h.done
	h.mu.Lock()
	lost := h.lost
	h.mu.Unlock()
	if lost != nil {
		return lost
	}
	return b.deleteLease(context.WithoutCancel(ctx), id)
}

// ForceUnlock deletes the Lease of the lock with id, whoever holds it. A
// holder that is still running finds its lock lost at its next renewal or
// its next write, whichever comes first, and its writes refuse from then
// on.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	b.mu.Lock()
	_, ours := b.locks[id]
	b.mu.Unlock()
	if ours {
		return b.Unlock(ctx, id)
	}
	if err := b.deleteLease(ctx, id); err != nil {
		return fmt.Errorf("force-unlocking state: %w", err)
	}
	return nil
}

// deleteLease deletes the Lease, on condition that it still names id.
func (b *Backend) deleteLease(ctx context.Context, id string) error {
	leases := b.s.client.CoordinationV1().Leases(b.s.ns)
	name := b.s.leaseName(b.ws)
	for range tryAttempts {
		lease, err := leases.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("lock ID %s is not held: the state is not locked", id)
		}
		if err != nil {
			return err
		}
		if ptrOr(lease.Spec.HolderIdentity, "") != id {
			return b.describeMismatch(id, lease)
		}
		rv := lease.ResourceVersion
		err = leases.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &lease.UID, ResourceVersion: &rv}})
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			continue
		}
		return err
	}
	return fmt.Errorf("the Lease %s/%s kept changing while it was deleted", b.s.ns, name)
}

// notOurs explains why id is not a lock this Backend may release.
func (b *Backend) notOurs(ctx context.Context, id string) error {
	lease, err := b.s.client.CoordinationV1().Leases(b.s.ns).Get(context.WithoutCancel(ctx), b.s.leaseName(b.ws), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("lock ID %s is not held: the state is not locked", id)
	case err != nil:
		return fmt.Errorf("lock ID %s was not taken by this process, and its Lease cannot be read: %w", id, err)
	case ptrOr(lease.Spec.HolderIdentity, "") == id:
		h := holderOf(lease)
		return fmt.Errorf("lock ID %s was taken by another process (%s, pid %d); release it there, or with force-unlock", id, h.Who, h.PID)
	default:
		return b.describeMismatch(id, lease)
	}
}

func (b *Backend) describeMismatch(id string, lease *coordinationv1.Lease) error {
	if ptrOr(lease.Spec.HolderIdentity, "") == "" {
		return fmt.Errorf("lock ID %s is not held: the state is not locked", id)
	}
	h := holderOf(lease)
	return fmt.Errorf("lock ID %s does not match the current lock %s held by %s (pid %d) for %s", id, h.ID, h.Who, h.PID, h.Operation)
}

// transient says whether err is the API server being busy or briefly
// unavailable, which a retry may get past.
func transient(err error) bool {
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err)
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
