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
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/klauspost/compress/gzip"

	"slipway.dev/slipway/state"
)

var _ state.Backend = (*Backend)(nil)

// Backend stores state in one file. Its methods may be called from several
// goroutines.
type Backend struct {
	path   string
	sealer state.Sealer

	mu       sync.Mutex // serializes Writes; guards backedUp, locks and stale
	backedUp bool
	locks    map[string]*os.File // lock ID → the open lock file holding the flock
	stale    error               // see StaleRecord

	journalOnce sync.Once
	journal     *state.FileJournal

	// last is what this Backend's last Write left in the file, while no
	// one has replaced it since; nil before then. Guarded by mu.
	last *lastWrite
	// readsOnWrite counts the Writes that read the file (for tests).
	readsOnWrite int
}

// lastWrite is a state file as the Write that wrote it knows it: apply
// writes the whole state every few seconds, and reading back what it
// just wrote (2 MB compressed, 14 MB of JSON for 1,000 apps) only to
// learn its serial and compare it cost each write a tenth of a CPU-second
// and as many megabytes as the document.
type lastWrite struct {
	info   fs.FileInfo // the file's, after its rename into place
	serial uint64
	sum    [sha256.Size]byte // of the document
}

// unchangedSince reports whether the file is still the one last describes:
// the same file (a Write replaces it by a rename, which makes another), of
// the same size and modification time.
func (last *lastWrite) unchangedSince(path string) bool {
	if last == nil {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && os.SameFile(info, last.info) && info.Size() == last.info.Size() && info.ModTime().Equal(last.info.ModTime())
}

var _ state.Journaled = (*Backend)(nil)

// Journal is the intent journal beside the state file (PATH.journal).
func (b *Backend) Journal() state.Journal {
	b.journalOnce.Do(func() { b.journal = state.NewSealedFileJournal(b.path+".journal", b.sealer) })
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
func New(path string) *Backend { return NewBackend(path, Options{}) }

// NewBackend returns a Backend that stores state at path, sealed by
// o.Sealer when it is set.
func NewBackend(path string, o Options) *Backend {
	return &Backend{path: path, sealer: o.Sealer, locks: map[string]*os.File{}}
}

// Path returns where the state is stored.
func (b *Backend) Path() string { return b.path }

// Read returns the stored state, or state.NewState() when the file does not
// exist.
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	data, err := b.ReadRaw(ctx)
	if err != nil {
		return nil, err
	}
	return b.DecodeRaw(data)
}

var _ state.RawReader = (*Backend)(nil)

// ReadRaw returns the state file's bytes, or nil when it does not exist.
func (b *Backend) ReadRaw(context.Context) ([]byte, error) {
	data, err := os.ReadFile(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state: %w", err)
	}
	return data, nil
}

// CheckRaw reports whether the Sealer opens the bytes ReadRaw returned,
// with Read's error when it does not.
func (b *Backend) CheckRaw(data []byte) error {
	if data == nil {
		return nil
	}
	if _, err := state.Open(b.sealer, data); err != nil {
		return fmt.Errorf("reading state file %s: %w", b.path, err)
	}
	return nil
}

// DecodeRaw decodes the bytes ReadRaw returned; nil is an empty state.
func (b *Backend) DecodeRaw(data []byte) (*state.State, error) {
	if data == nil {
		return state.NewState(), nil
	}
	return b.decode(data)
}

func (b *Backend) decode(data []byte) (*state.State, error) {
	data, err := b.plain(data)
	if fe := (*state.FileError)(nil); errors.As(err, &fe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file %s: %w", b.path, err)
	}
	s, err := state.Decode(data)
	if fe := (*state.FileError)(nil); errors.As(err, &fe) {
		fe.Name = b.path
	}
	return s, err
}

// Write stores s as the state.Backend contract says. Before its first write
// it copies the file it replaces to PATH.backup, sealed as the state is
// now sealed. An old state its Sealer cannot open stops it before
// anything is written. Like Read, it finishes
// what it starts whatever ctx says: a state half-recorded because an apply
// was interrupted would be worse than a short wait.
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A lock whose file was removed or replaced since (rm of a lock file
	// taken for stale) guards nothing: the next run locks the file now at
	// the path. As a kubernetes lock that was lost, it stops writes.
	for _, f := range b.locks {
		if !stillAt(f, b.lockPath()) {
			return fmt.Errorf("writing state: the lock file %s was removed or replaced while this run held the lock, so another run may hold it now; nothing was written. Never remove the lock file: a lock is held by a running process and goes with it, so none is ever stale", b.lockPath())
		}
	}
	var serial uint64 // what nothing stored counts as; the caller's is never used
	var old, oldPlain []byte
	// stored reports whether a document is the one the file holds; nil
	// when there is no file.
	var stored func(doc []byte) bool
	if last := b.last; b.backedUp && last.unchangedSince(b.path) {
		serial = last.serial
		stored = func(doc []byte) bool { return sha256.Sum256(doc) == last.sum }
	} else {
		b.last = nil
		b.readsOnWrite++
		var err error
		old, err = os.ReadFile(b.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("writing state: %w", err)
		}
		if old != nil {
			if oldPlain, err = b.plain(old); err != nil {
				return fmt.Errorf("writing state: will not replace %s: %w", b.path, err)
			}
			if serial, err = state.StoredSerial(oldPlain); err != nil {
				return fmt.Errorf("writing state: will not replace %s, which is not a state file: %w", b.path, err)
			}
			stored = func(doc []byte) bool { return bytes.Equal(doc, oldPlain) }
		}
	}
	// Encoded once for both documents: the state at the stored serial,
	// and at the next.
	enc, err := state.NewCompactEncoding(s)
	if err != nil {
		return err
	}
	var data []byte
	if stored != nil {
		if data, err = enc.Document(serial); err != nil {
			return err
		}
		if stored(data) {
			s.Serial = serial
			return nil
		}
	}
	serial++
	data, err = enc.AppendDocument(data, serial)
	if err != nil {
		return err
	}
	b.last = nil
	if err := b.replace(data, old, oldPlain); err != nil {
		return err
	}
	s.Serial = serial
	b.remember(serial, data)
	return nil
}

// remember records what Write just put in the file.
func (b *Backend) remember(serial uint64, doc []byte) {
	info, err := os.Stat(b.path)
	if err != nil {
		b.last = nil
		return
	}
	b.last = &lastWrite{info: info, serial: serial, sum: sha256.Sum256(doc)}
}

// replace stores the document plain in the state file, first backing up
// the file it replaces (old, whose document is oldPlain) if this Backend
// has not done so yet, in the stored form it now writes.
func (b *Backend) replace(plain, old, oldPlain []byte) error {
	data, err := b.stored(plain)
	if err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	if !b.backedUp && old != nil {
		backup, err := b.stored(oldPlain)
		if err != nil {
			return fmt.Errorf("backing up state: %w", err)
		}
		if err := writeFile(b.path+".backup", backup); err != nil {
			return fmt.Errorf("backing up state: %w", err)
		}
	}
	b.backedUp = true
	if err := writeFile(b.path, data); err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	return nil
}

// stored is what the state file holds for the JSON document plain: the
// document gzip-compressed (a state of 1,000 apps of 10 objects takes a
// tenth of its size), then sealed when the Backend has a Sealer.
func (b *Backend) stored(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(plain) / 8)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(plain); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return state.Seal(b.sealer, buf.Bytes())
}

// plain is the JSON document a state file holds: opened by the Sealer,
// and decompressed when it is compressed. A file that slipway 0.1 wrote,
// or a person, is plain JSON and is read as it is.
func (b *Backend) plain(data []byte) ([]byte, error) {
	data, err := state.Open(b.sealer, data)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, gzipMagic) {
		return data, nil
	}
	out, err := state.Gunzip(data)
	if err != nil {
		return nil, &state.FileError{Name: b.path, Err: fmt.Errorf("its compressed data cannot be read: %w", err)}
	}
	return out, nil
}

// gzipMagic begins every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

var _ state.Resealer = (*Backend)(nil)

// Reseal stores the state, its backup and its journal again, sealed by
// the Backend's Sealer, as state.Resealer says: everything is opened
// before anything is written.
func (b *Backend) Reseal(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = nil
	type file struct {
		path  string
		plain []byte
	}
	var files []file
	for _, p := range []string{b.path, b.path + ".backup"} {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		plain, err := b.plain(data)
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		files = append(files, file{p, plain})
	}
	j := b.Journal().(*state.FileJournal)
	if _, err := j.Entries(ctx); err != nil {
		return err
	}
	for _, f := range files {
		data, err := b.stored(f.plain)
		if err != nil {
			return err
		}
		if err := writeFile(f.path, data); err != nil {
			return fmt.Errorf("rewriting %s: %w", f.path, err)
		}
	}
	return j.Reseal(ctx)
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
