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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/state"
)

// errHeld is tryLock's report that another open file holds the lock.
var errHeld = errors.New("lock is held")

// ErrNoRecord is what every NoRecordError is (errors.Is): the lock file
// holds nothing that names a holder.
var ErrNoRecord = errors.New("the lock file holds no valid record")

// A NoRecordError says why the lock file names no holder: it is empty,
// cut short, or not a lock record at all. A holder that crashed between
// emptying the file and writing its record leaves one behind, and so does
// any other program that writes to the file. Such a file is a stale lock:
// Lock takes the lock over when no process holds it. When a process does,
// Lock's LockedError has no Info and a NoRecordError as its Err.
type NoRecordError struct {
	// Path is the lock file.
	Path string
	// Reason says what is wrong with its content.
	Reason string
	// Err is why Lock stopped waiting, usually the context's error.
	Err error
}

func (e *NoRecordError) Error() string {
	return fmt.Sprintf("the lock file %s holds no valid record: %s", e.Path, e.Reason)
}

// Is makes every NoRecordError match ErrNoRecord.
func (e *NoRecordError) Is(target error) bool { return target == ErrNoRecord }

func (e *NoRecordError) Unwrap() error { return e.Err }

func (b *Backend) lockPath() string { return b.path + ".lock" }

// openLock opens the lock file at path with flag, never through a
// symbolic link (confine.OpenFile): locking writes the holder's record
// there and empties it at the end, and a link that a repository holds in
// its place (to a file of the user's, which a plan of a pull request
// would empty) is an error that says so.
func openLock(path string, flag int) (*os.File, error) {
	f, err := confine.OpenFile(path, flag, 0o644)
	if errors.Is(err, confine.ErrLink) || errors.Is(err, confine.ErrNotFile) {
		return nil, fmt.Errorf("the lock file %s %w; remove it (it holds only the record of who holds the lock)", path, errors.Unwrap(err))
	}
	return f, err
}

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
	if err := os.MkdirAll(filepath.Dir(b.path), 0o755); err != nil {
		return "", fmt.Errorf("locking state: %w", err)
	}
	f, err := openLock(b.lockPath(), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return "", fmt.Errorf("locking state: %w", err)
	}
	afterOpenLock()
	var lockErr error
	err = lockPoll.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		lockErr = tryLock(f)
		if lockErr == nil && !stillAt(f, b.lockPath()) {
			// The lock file was removed (its workspace deleted) or
			// replaced between our open and our flock: a lock of a file
			// no longer at the path guards nothing, as the next process
			// locks the file that is. Lock the one at the path.
			unlock(f)
			f.Close()
			if lockErr = os.MkdirAll(filepath.Dir(b.path), 0o755); lockErr != nil {
				f = nil
				return true, nil
			}
			if f, lockErr = openLock(b.lockPath(), os.O_RDWR|os.O_CREATE); lockErr != nil {
				return true, nil
			}
			lockErr = errHeld
		}
		return !errors.Is(lockErr, errHeld), nil
	})
	if err != nil {
		// The condition never fails, so err is the context's.
		var holder *state.LockInfo
		holder, lockErr = b.blocker(f)
		if errors.Is(lockErr, errHeld) {
			f.Close()
			if nr := (*NoRecordError)(nil); errors.As(lockErr, &nr) {
				nr.Err = err
				return "", &state.LockedError{Err: nr}
			}
			return "", &state.LockedError{Info: holder, Err: err}
		}
	}
	if lockErr != nil {
		f.Close()
		return "", fmt.Errorf("locking state: %w", lockErr)
	}
	// What a holder that is gone left behind: a record (overwritten
	// without a word, as any stale lock is), nothing (what every release
	// leaves), or something else, which StaleRecord reports.
	var stale error
	if old, err := readAll(f); err == nil && len(bytes.TrimSpace(old)) > 0 {
		if _, err := parseRecord(old); err != nil {
			if nr := (*NoRecordError)(nil); errors.As(err, &nr) {
				nr.Path = b.lockPath()
			}
			stale = err
		}
	}
	if err := record(f, data); err != nil {
		unlock(f)
		f.Close()
		return "", fmt.Errorf("locking state: recording the holder: %w", err)
	}
	b.mu.Lock()
	b.locks[li.ID] = f
	b.stale = stale
	b.mu.Unlock()
	return li.ID, nil
}

// afterOpenLock runs between Lock's open of the lock file and its first
// flock; tests use it to delete the workspace in that window.
var afterOpenLock = func() {}

// stillAt reports whether path names the file f is.
func stillAt(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, pi)
}

// StaleRecord is why the lock file held no valid record when Lock last
// took the lock over (a *NoRecordError), or nil when it held a record or
// nothing.
func (b *Backend) StaleRecord() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stale
}

// readAll reads f from its start.
func readAll(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, min(fi.Size(), 1<<20))
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// settleTries and settleWait bound how long blocker waits for a holder's
// record to become readable: a holder is between taking the flock and
// recording itself, or between emptying its record and releasing the
// flock (see release), for an instant only.
var (
	settleTries = 4
	settleWait  = 5 * time.Millisecond
)

// blocker says who holds the lock once Lock has stopped waiting for it.
// It returns the holder's record and errHeld; or errHeld wrapped in a
// NoRecordError when the holder recorded nothing readable; or nil when
// the lock turned out to be free and f now holds it; or the error of
// trying it. An unreadable record is read again a few times, trying the
// lock in between, so that a holder caught recording or releasing is not
// taken for one that recorded nothing.
func (b *Backend) blocker(f *os.File) (*state.LockInfo, error) {
	var rerr error
	for i := range settleTries {
		var info *state.LockInfo
		if info, rerr = b.readRecord(); rerr == nil {
			return info, errHeld
		}
		if err := tryLock(f); !errors.Is(err, errHeld) {
			return nil, err
		}
		if i < settleTries-1 {
			time.Sleep(settleWait)
		}
	}
	nr := &NoRecordError{Path: b.lockPath(), Reason: "reading it: " + rerr.Error()}
	if e := (*NoRecordError)(nil); errors.As(rerr, &e) {
		nr.Reason = e.Reason
	}
	return nil, fmt.Errorf("%w: %w", errHeld, nr)
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
// runs ForceUnlock refuses and says which process to stop. A lock file
// that holds no valid record is a stale lock whatever id is: it is
// cleared when no process holds the flock.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	b.mu.Lock()
	f, ours := b.locks[id]
	delete(b.locks, id)
	b.mu.Unlock()
	if ours {
		return release(f)
	}
	holder, rerr := b.readRecord()
	if errors.Is(rerr, ErrNoRecord) {
		return b.clearStale(id, rerr)
	}
	if holder == nil || holder.ID != id {
		return fmt.Errorf("force-unlocking state: %s", b.notOurs(id))
	}
	f, err := openLock(b.lockPath(), os.O_RDWR)
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

// clearStale empties a lock file that holds no valid record (why) and
// returns nil, unless a live process holds its flock. An empty file is
// what every release leaves: the state is not locked, and there is
// nothing to clear.
func (b *Backend) clearStale(id string, why error) error {
	f, err := openLock(b.lockPath(), os.O_RDWR)
	if err != nil {
		return fmt.Errorf("force-unlocking state: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if !errors.Is(err, errHeld) {
			return fmt.Errorf("force-unlocking state: %w", err)
		}
		return fmt.Errorf("force-unlocking state: %w, and a running process holds the lock, so slipway cannot say whose it is; "+
			"a local file lock cannot be broken from outside the process that holds it: "+
			"find that process (fuser %s) and stop it, and its lock is released as it exits", why, b.lockPath())
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		release(f)
		return fmt.Errorf("force-unlocking state: lock ID %s is not held: the state is not locked", id)
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
// none or it is not a valid record.
func (b *Backend) holder() *state.LockInfo {
	li, _ := b.readRecord()
	return li
}

// readRecord reads the holder's record from the lock file.
func (b *Backend) readRecord() (*state.LockInfo, error) {
	data, err := os.ReadFile(b.lockPath())
	if err != nil {
		return nil, err
	}
	li, err := parseRecord(data)
	if nr := (*NoRecordError)(nil); errors.As(err, &nr) {
		nr.Path = b.lockPath()
	}
	return li, err
}

// parseRecord reads a lock record: a JSON state.LockInfo with an ID.
// Whatever data holds it does not panic, and returns either a record or
// a *NoRecordError saying what is wrong.
func parseRecord(data []byte) (*state.LockInfo, error) {
	bad := func(reason string) (*state.LockInfo, error) { return nil, &NoRecordError{Reason: reason} }
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return bad("it is empty")
	}
	var li state.LockInfo
	if err := json.Unmarshal(trimmed, &li); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case trimmed[0] != '{':
			return bad(fmt.Sprintf("%d bytes that are not a JSON object", len(data)))
		case errors.As(err, &te) && te.Field != "":
			return bad(fmt.Sprintf("its %q is not a %s", te.Field, te.Type))
		case strings.Contains(err.Error(), "unexpected end of JSON input"):
			return bad(fmt.Sprintf("a JSON object cut short after %d bytes", len(data)))
		}
		msg := err.Error()
		if len(msg) > 100 {
			msg = msg[:100] + "…"
		}
		return bad(fmt.Sprintf("%d bytes that are not a lock record (%s)", len(data), strings.ToValidUTF8(msg, "?")))
	}
	if li.ID == "" {
		return bad("a record without a lock ID")
	}
	return &li, nil
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
