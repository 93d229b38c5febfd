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
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"slipway.dev/slipway/state"
)

var _ state.Store = (*Store)(nil)

// Store is backend "local" with its workspaces: the default workspace's
// state at the configured path, as it has always been, and every other
// workspace's in a directory of its own, PATH.d/NAME/BASE (BASE being the
// last element of PATH), or WORKSPACE_DIR/NAME/BASE when
// Options.WorkspaceDir is set. Each workspace has its own state file,
// backup, journal and lock file, so workspaces never block each other.
type Store struct {
	path string
	opts Options

	mu       sync.Mutex
	backends map[string]*Backend // by workspace; one per workspace, so its locks are seen
}

// NewStore returns the Store whose default workspace's state is at path.
func NewStore(path string, opts Options) state.Store {
	return &Store{path: path, opts: opts, backends: map[string]*Backend{}}
}

// Path returns where workspace name's state is stored.
func (s *Store) Path(name string) string {
	if name == state.DefaultWorkspace {
		return s.path
	}
	return filepath.Join(s.workspaceDir(), name, filepath.Base(s.path))
}

func (s *Store) workspaceDir() string {
	if s.opts.WorkspaceDir != "" {
		return s.opts.WorkspaceDir
	}
	return s.path + ".d"
}

// Backend returns workspace name's Backend; the same one each time, so
// that a lock taken through it is known to the Store. It creates nothing:
// the workspace's directory is made by its first Lock or Write.
func (s *Store) Backend(name string) (state.Backend, error) {
	if err := state.ValidWorkspaceName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.backends[name]
	if b == nil {
		b = s.newBackend(s.Path(name))
		s.backends[name] = b
	}
	return b, nil
}

// newBackend makes the Backend of one workspace's state file; every
// Backend of the Store is made here, so each has the Store's Options.
func (s *Store) newBackend(path string) *Backend {
	return NewBackend(path, Options{Sealer: s.opts.Sealer})
}

// Workspaces lists the default workspace and every directory of the
// workspace directory that holds a state file and is named as a
// workspace may be.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	names := []string{state.DefaultWorkspace}
	entries, err := os.ReadDir(s.workspaceDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("listing workspaces: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == state.DefaultWorkspace || state.ValidWorkspaceName(name) != nil {
			continue
		}
		if _, err := os.Stat(s.Path(name)); err == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// DeleteWorkspace removes workspace name's directory: its state, backup,
// journal and lock file. It takes the workspace's lock first, without
// waiting, and refuses while anyone holds it, this process included.
func (s *Store) DeleteWorkspace(ctx context.Context, name string) error {
	if name == state.DefaultWorkspace {
		return fmt.Errorf("the %q workspace cannot be deleted", state.DefaultWorkspace)
	}
	if err := state.ValidWorkspaceName(name); err != nil {
		return err
	}
	path := s.Path(name)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("workspace %q does not exist", name)
		}
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	b, _ := s.Backend(name)
	lb := b.(*Backend)
	f, err := openLock(lb.lockPath(), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	defer f.Close()
	if err := tryLock(f); err != nil {
		if errors.Is(err, errHeld) {
			var holder *state.LockInfo
			if li, rerr := lb.readRecord(); rerr == nil {
				holder = li
			}
			return fmt.Errorf("deleting workspace %q: %w", name, &state.LockedError{Info: holder, Err: err})
		}
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	// Under the lock nothing else writes the workspace. The lock file
	// goes last, still locked: a process that opened it before and takes
	// its lock after finds it no longer at its path and locks the one
	// there (Lock), so no two holders ever lock two files. Where an open
	// file cannot be removed (Windows) it goes once released.
	s.mu.Lock()
	delete(s.backends, name)
	s.mu.Unlock()
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		unlock(f)
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	// The state file goes last (before the lock file): a delete that
	// fails partway leaves the workspace whole for the next delete, never
	// a journal without a state, which a new workspace of the same name
	// would inherit and replay.
	for _, p := range deleteOrder(dir, entries, path, lb.lockPath()) {
		if err := os.RemoveAll(p); err != nil {
			unlock(f)
			return fmt.Errorf("deleting workspace %q: %w", name, err)
		}
	}
	removed := os.Remove(lb.lockPath()) == nil
	unlock(f)
	f.Close()
	if !removed {
		if err := os.Remove(lb.lockPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("deleting workspace %q: %w", name, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	return nil
}

// deleteOrder lists the paths of entries of a workspace's directory that
// DeleteWorkspace removes, in order: everything but the state file and
// the lock file, then the state file.
func deleteOrder(dir string, entries []fs.DirEntry, statePath, lockPath string) []string {
	var out []string
	last := false
	for _, e := range entries {
		switch p := filepath.Join(dir, e.Name()); p {
		case lockPath:
		case statePath:
			last = true
		default:
			out = append(out, p)
		}
	}
	if last {
		out = append(out, statePath)
	}
	return out
}

var _ state.SerialWriter = (*Backend)(nil)

// WriteSerial stores s with its own serial, for a state moved here from
// another backend (state.SerialWriter). It writes the way Write does,
// backup included, and refuses what state.CheckReplace refuses.
func (b *Backend) WriteSerial(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = nil
	old, err := os.ReadFile(b.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing state: %w", err)
	}
	if old != nil {
		stored, err := b.decode(old)
		if err != nil {
			return fmt.Errorf("writing state: will not replace %s: %w", b.path, err)
		}
		if err := state.CheckReplace(stored, s); err != nil {
			return err
		}
	}
	data, err := state.EncodeCompact(s)
	if err != nil {
		return err
	}
	var oldPlain []byte
	if old != nil {
		if oldPlain, err = b.plain(old); err != nil {
			return fmt.Errorf("writing state: will not replace %s: %w", b.path, err)
		}
		if bytes.Equal(data, oldPlain) {
			return nil
		}
	}
	return b.replace(data, old, oldPlain)
}
