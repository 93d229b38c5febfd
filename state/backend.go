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

package state

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"time"
)

// Backend stores state and locks it. A Backend value is used by one process;
// its methods may be called from several goroutines. Lock provides exclusion
// between processes (and between Lock calls within one).
type Backend interface {
	// Read returns the stored state, or NewState() when nothing is stored.
	Read(ctx context.Context) (*State, error)
	// Write stores s atomically: readers see the old state or the new one,
	// never a mixture. The state is durable when Write returns. Write sets
	// s.Serial to the serial stored: the previous serial plus one when the
	// content (everything but the serial) differs from what is stored, and
	// the previous serial, with nothing written, when it does not. The
	// caller must not touch s while Write runs.
	Write(ctx context.Context, s *State) error
	// Lock takes the state's lock for info.ID, which must be set
	// (NewLockInfo sets it), and returns that ID. While another holder has
	// the lock it waits until ctx is done, which is how -lock-timeout is
	// applied, then returns a *LockedError naming the holder. A lock whose
	// holder died never blocks it.
	Lock(ctx context.Context, info *LockInfo) (string, error)
	// Unlock releases the lock taken with id, and fails for any other id.
	Unlock(ctx context.Context, id string) error
	// ForceUnlock releases the lock taken with id although its holder did
	// not, for a holder that died or lost track of it. It fails when id is
	// not the current lock's, and may refuse while the holder still runs
	// if the backend cannot break its lock.
	ForceUnlock(ctx context.Context, id string) error
}

// A RawReader is a Backend whose stored bytes can be read apart from
// their decoding. A process that keeps the decoded state between
// operations (slipway agent) reads the bytes, and decodes them only when
// they are not the ones it decoded last: at 1,000 apps, reading and
// comparing the bytes is a few milliseconds and decoding them a third of
// a second.
type RawReader interface {
	// ReadRaw returns the stored bytes as stored (compressed, sealed),
	// or nil when nothing is stored.
	ReadRaw(ctx context.Context) ([]byte, error)
	// CheckRaw returns the error Read would return for these bytes before
	// decoding them: sealed bytes the backend's Sealer cannot open, or
	// sealed bytes with no Sealer, or plain bytes a Sealer refuses. A
	// process that kept the state decoded from these bytes under other
	// keys must not hand it to an operation that could not read it.
	CheckRaw(data []byte) error
	// DecodeRaw decodes what ReadRaw returned, as Read would have: nil
	// decodes to NewState().
	DecodeRaw(data []byte) (*State, error)
}

// LockInfo says who holds a lock and why.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Created   time.Time `json:"created"`
	// Version is the version of slipway that took the lock; callers set it.
	Version string `json:"version,omitempty"`
	// Path is where the state is stored; backends set it.
	Path string `json:"path,omitempty"`
}

// NewLockInfo describes a lock this process takes for operation (plan,
// apply, ...), with a random ID.
func NewLockInfo(operation string) *LockInfo {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return &LockInfo{
		ID:        newID(),
		Operation: operation,
		Who:       name + "@" + host,
		Host:      host,
		PID:       os.Getpid(),
		Created:   time.Now().UTC().Truncate(time.Second),
	}
}

// A LockedError is Lock giving up because someone else holds the lock. Info
// describes the holder, or is nil when the holder recorded nothing; Err is
// why Lock stopped waiting, usually ctx.Err().
type LockedError struct {
	Info *LockInfo
	Err  error
}

func (e *LockedError) Error() string {
	if e.Info == nil {
		return "state is locked by another process, which has not said who it is"
	}
	return fmt.Sprintf("state is locked by %s (pid %d) for %s since %s (lock ID %s)",
		e.Info.Who, e.Info.PID, e.Info.Operation, e.Info.Created.Format(time.RFC3339), e.Info.ID)
}

func (e *LockedError) Unwrap() error { return e.Err }

// DefaultWorkspace is the workspace every Store has, and the one a
// configuration uses until another is selected.
const DefaultWorkspace = "default"

// A Store is where a configuration's backend keeps its states: one state,
// with its own lock (and journal, if the backend keeps one), per workspace.
// Backend "kubernetes", for example, is a Store over one namespace's
// Secrets and Leases. A Store value is used by one process; its methods
// may be called from several goroutines.
type Store interface {
	// Workspaces lists the workspaces that have a state, sorted, with
	// DefaultWorkspace always among them.
	Workspaces(ctx context.Context) ([]string, error)
	// Backend returns the Backend of workspace name, which must pass
	// ValidWorkspaceName. It creates nothing: a workspace exists once a
	// state is written to it.
	Backend(name string) (Backend, error)
	// DeleteWorkspace removes workspace name's state, journal and lock.
	// It refuses DefaultWorkspace, and a workspace whose lock is held.
	DeleteWorkspace(ctx context.Context, name string) error
}

// ValidWorkspaceName says why name cannot name a workspace, or nil: a
// name is 1 to 63 lower-case letters, digits and '-', starting and
// ending with a letter or digit, so that every backend can use it in
// names (Kubernetes object names, file names, SQL keys) as it is.
func ValidWorkspaceName(name string) error {
	if name == "" || len(name) > 63 {
		return fmt.Errorf("workspace name %q must be 1 to 63 characters long", name)
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0 && i < len(name)-1:
		default:
			return fmt.Errorf("workspace name %q may hold only lower-case letters, digits and '-' (not first or last)", name)
		}
	}
	return nil
}

// A Sealer encrypts what a backend stores: state documents, and journal
// records. Backends seal the bytes they are about to store (after any
// compression) and open the bytes they read (before decompression);
// nothing else of the state package knows of encryption.
type Sealer interface {
	// Seal returns plain encrypted, in a self-describing form that Open
	// recognises.
	Seal(plain []byte) ([]byte, error)
	// Open returns the plain bytes of what Seal made. Bytes that are not
	// sealed are returned as they are only when the Sealer is set up to
	// accept unencrypted input (while migrating to encryption); otherwise
	// Open refuses them. A wrong key is an error that says so.
	Open(stored []byte) ([]byte, error)
}
