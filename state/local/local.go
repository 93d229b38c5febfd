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
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"slipway.dev/slipway/state"
)

var _ state.Backend = (*Backend)(nil)

// Backend stores state in one file. Its methods may be called from several
// goroutines.
type Backend struct {
	path string

	mu       sync.Mutex // serializes Writes; guards backedUp, locks and stale
	backedUp bool
	locks    map[string]*os.File // lock ID → the open lock file holding the flock
	stale    error               // see StaleRecord

	journalOnce sync.Once
	journal     *state.FileJournal
}

var _ state.Journaled = (*Backend)(nil)

// Journal is the intent journal beside the state file (PATH.journal).
func (b *Backend) Journal() state.Journal {
	b.journalOnce.Do(func() { b.journal = state.NewFileJournal(b.path + ".journal") })
	return b.journal
}

// Options are the settings of backend "local" beyond the state's path.
type Options struct {
	// WorkspaceDir is the directory that holds the states of the
	// workspaces other than the default one, one sub-directory each.
	// Empty means PATH.d beside the default state.
	WorkspaceDir string
	// Sealer, when set, encrypts the state, its backup and its journal.
	Sealer state.Sealer
}

// New returns a Backend that stores state at path.
func New(path string) *Backend {
	return &Backend{path: path, locks: map[string]*os.File{}}
}

// Path returns where the state is stored.
func (b *Backend) Path() string { return b.path }

// Read returns the stored state, or state.NewState() when the file does not
// exist.
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	data, err := os.ReadFile(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return state.NewState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state: %w", err)
	}
	return b.decode(data)
}

func (b *Backend) decode(data []byte) (*state.State, error) {
	s, err := state.Decode(data)
	if fe := (*state.FileError)(nil); errors.As(err, &fe) {
		fe.Name = b.path
	}
	return s, err
}

// Write stores s as the state.Backend contract says. Before its first write
// it copies the file it replaces to PATH.backup. Like Read, it finishes
// what it starts whatever ctx says: a state half-recorded because an apply
// was interrupted would be worse than a short wait.
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	old, err := os.ReadFile(b.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing state: %w", err)
	}
	c := *s
	c.Serial = 0 // what nothing stored counts as; the caller's serial is never used
	if old != nil {
		var stored struct{ Serial uint64 }
		if err := json.Unmarshal(old, &stored); err != nil {
			return fmt.Errorf("writing state: will not replace %s, which is not a state file: %w", b.path, err)
		}
		c.Serial = stored.Serial
		data, err := state.Encode(&c)
		if err != nil {
			return err
		}
		if bytes.Equal(data, old) {
			s.Serial = c.Serial
			return nil
		}
	}
	c.Serial++
	data, err := state.Encode(&c)
	if err != nil {
		return err
	}
	if !b.backedUp && old != nil {
		if err := writeFile(b.path+".backup", old); err != nil {
			return fmt.Errorf("backing up state: %w", err)
		}
	}
	b.backedUp = true
	if err := writeFile(b.path, data); err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	s.Serial = c.Serial
	return nil
}

// writeFile replaces path with data atomically and durably, making its
// directory (a workspace's) when it does not exist.
func writeFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}
