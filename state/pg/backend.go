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
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"slipway.dev/slipway/state"
)

// writeTimeout bounds a Write, which does not stop when its context is
// cancelled.
const writeTimeout = 5 * time.Minute

// maxWriteAttempts bounds how often a Write reads again after another
// writer got in first.
const maxWriteAttempts = 100

// Backend is one workspace's state, lock and journal. Its methods may be
// called from several goroutines.
type Backend struct {
	store     *Store
	workspace string

	writeMu sync.Mutex // one Write at a time from this Backend

	mu   sync.Mutex // guards held
	held *heldLock  // the lock taken through this Backend, if any

	journalOnce sync.Once
	journal     *state.StoreJournal
}

var (
	_ state.Backend   = (*Backend)(nil)
	_ state.Journaled = (*Backend)(nil)
)

// Path names where the state is kept: the database, schema and
// workspace (never a password).
func (b *Backend) Path() string {
	return b.store.where + ", workspace " + b.workspace
}

// Read returns the stored state, or state.NewState() when the workspace
// has none. One row is one state, so a Read during a Write sees the old
// state or the new one.
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	r, err := b.readRow(ctx, b.store.pool, "")
	if err != nil {
		return nil, err
	}
	if r == nil {
		return state.NewState(), nil
	}
	return b.decode(r.data)
}

// stateRow is a workspace's row as it is stored.
type stateRow struct {
	serial  int64
	lineage string
	digest  []byte // sealed
	data    []byte // compressed, then sealed
}

// readRow reads the workspace's row, with forUpdate appended to the query
// (in a transaction: "FOR UPDATE"), or returns nil when there is none.
func (b *Backend) readRow(ctx context.Context, q querier, forUpdate string) (*stateRow, error) {
	var r stateRow
	err := q.QueryRow(ctx, "SELECT serial, lineage, content_digest, data FROM "+b.store.states+" WHERE workspace = $1 "+forUpdate, b.workspace).
		Scan(&r.serial, &r.lineage, &r.digest, &r.data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state from %s: %w", b.Path(), err)
	}
	return &r, nil
}

// unpack opens and decompresses a row's data: the state document.
func (b *Backend) unpack(data []byte) ([]byte, error) {
	data, err := b.open(data)
	if err != nil {
		return nil, fmt.Errorf("reading state from %s: %w", b.Path(), err)
	}
	doc, err := gunzip(data)
	if err != nil {
		return nil, &state.FileError{Name: "in " + b.Path(), Err: err}
	}
	return doc, nil
}

// decode is the state a row's data holds.
func (b *Backend) decode(data []byte) (*state.State, error) {
	doc, err := b.unpack(data)
	if err != nil {
		return nil, err
	}
	s, err := state.Decode(doc)
	if fe := (*state.FileError)(nil); errors.As(err, &fe) {
		fe.Name = "in " + b.Path()
	}
	return s, err
}

// Write stores s as the state.Backend contract says, by compare-and-swap
// on the serial: it reads the stored serial and content digest, writes
// nothing when the content is the same, and otherwise replaces the row
// only if its serial is still the one it read, or inserts the first row
// only if there is none. Having lost to another writer, it reads again,
// so the last writer wins and every write takes a serial of its own.
// While this Backend holds the lock, the row is written only if the lock
// is still its own (ErrLockLost otherwise). Like the local backend's, a
// Write finishes what it starts whatever ctx says (within writeTimeout).
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	c := *s
	var (
		doc          []byte // c encoded with serial encodedFor
		encodedFor   uint64
		digest       []byte // of c's content, whatever its serial
		data, sealed []byte // doc packed and digest sealed, for the row
	)
	for range maxWriteAttempts {
		fence, err := b.fence()
		if err != nil {
			return fmt.Errorf("writing state to %s: %w", b.Path(), err)
		}
		var serial int64
		var stored []byte
		err = b.store.pool.QueryRow(ctx, "SELECT serial, content_digest FROM "+b.store.states+" WHERE workspace = $1", b.workspace).Scan(&serial, &stored)
		found := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("writing state to %s: %w", b.Path(), err)
		}
		next := uint64(serial) + 1
		if encodedFor != next {
			c.Serial = next
			if doc, err = state.Encode(&c); err != nil {
				return err
			}
			encodedFor, data = next, nil
			if digest == nil {
				if digest, err = contentDigest(&c, doc); err != nil {
					return err
				}
			}
		}
		if found {
			same, err := b.sameDigest(stored, digest)
			if err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			}
			if same {
				s.Serial = uint64(serial)
				return nil
			}
		}
		if data == nil {
			if data, err = b.pack(doc); err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			}
		}
		if sealed == nil {
			if sealed, err = b.seal(digest); err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			}
		}
		var old *int64
		if found {
			old = &serial
		}
		ok, err := b.put(ctx, b.store.pool, fence, old, &stateRow{serial: int64(next), lineage: c.Lineage, digest: sealed, data: data})
		if err != nil {
			return err
		}
		if ok {
			s.Serial = next
			return nil
		}
		// Another writer got in first: read again.
	}
	return fmt.Errorf("writing state to %s: gave up after %d attempts, each overtaken by another writer", b.Path(), maxWriteAttempts)
}

var _ state.SerialWriter = (*Backend)(nil)

// WriteSerial stores s with its own serial, for a state moved here from
// another backend (state.SerialWriter): by compare-and-swap on the serial
// it read, and fenced by the lock, as Write is. It refuses, writing
// nothing, what state.CheckReplace refuses; it reads the stored state for
// that, so it costs a Read more than a Write.
func (b *Backend) WriteSerial(ctx context.Context, s *state.State) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	doc, err := state.Encode(s)
	if err != nil {
		return err
	}
	digest, err := contentDigest(s, doc)
	if err != nil {
		return err
	}
	var data, sealed []byte
	for range maxWriteAttempts {
		fence, err := b.fence()
		if err != nil {
			return fmt.Errorf("writing state to %s: %w", b.Path(), err)
		}
		r, err := b.readRow(ctx, b.store.pool, "")
		if err != nil {
			return err
		}
		var old *int64
		if r != nil {
			cur, err := b.decode(r.data)
			if err != nil {
				return fmt.Errorf("writing state: will not replace the state in %s: %w", b.Path(), err)
			}
			if err := state.CheckReplace(cur, s); err != nil {
				if ce := (*state.SerialConflictError)(nil); errors.As(err, &ce) {
					ce.Workspace = b.workspace
				}
				return err
			}
			if same, err := b.sameDigest(r.digest, digest); err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			} else if same && uint64(r.serial) == s.Serial {
				return nil // stored already
			}
			old = &r.serial
		}
		if data == nil {
			if data, err = b.pack(doc); err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			}
			if sealed, err = b.seal(digest); err != nil {
				return fmt.Errorf("writing state to %s: %w", b.Path(), err)
			}
		}
		ok, err := b.put(ctx, b.store.pool, fence, old, &stateRow{serial: int64(s.Serial), lineage: s.Lineage, digest: sealed, data: data})
		if err != nil || ok {
			return err
		}
		// Another writer got in first: read again, and check again.
	}
	return fmt.Errorf("writing state to %s: gave up after %d attempts, each overtaken by another writer", b.Path(), maxWriteAttempts)
}

// put stores row r by compare-and-swap: it replaces the row whose serial
// is *old, or inserts the first row when old is nil, and only if fence
// (the ID of the lock this Backend holds, or "") is still the lock's:
// the check takes a share lock on the lock's row, so a takeover that has
// begun is waited for and then seen, and one that begins waits for the
// write, which the new holder's first read then sees. It
// reports whether it stored r; false means another writer got in first.
// A fence found gone is ErrLockLost. Write, WriteSerial and Reseal store
// through it.
func (b *Backend) put(ctx context.Context, q execer, fence string, old *int64, r *stateRow) (bool, error) {
	// $6 is the fence.
	sql := `INSERT INTO ` + b.store.states + ` (workspace, serial, lineage, content_digest, data)
SELECT $1, $2, $3, $4, $5 WHERE ($6 = '' OR EXISTS (SELECT 1 FROM ` + b.store.locks + ` WHERE workspace = $1 AND id = $6 FOR SHARE))
ON CONFLICT (workspace) DO NOTHING`
	args := []any{b.workspace, r.serial, r.lineage, r.digest, r.data, fence}
	if old != nil {
		sql = `UPDATE ` + b.store.states + ` SET serial = $2, lineage = $3, content_digest = $4, data = $5, updated_at = now()
WHERE workspace = $1 AND serial = $7 AND ($6 = '' OR EXISTS (SELECT 1 FROM ` + b.store.locks + ` WHERE workspace = $1 AND id = $6 FOR SHARE))`
		args = append(args, *old)
	}
	tag, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return false, fmt.Errorf("writing state to %s: %w", b.Path(), err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	if fence != "" {
		if err := b.checkFence(ctx, fence); err != nil {
			return false, fmt.Errorf("writing state to %s: %w", b.Path(), err)
		}
	}
	return false, nil
}

// execer is what put needs of a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// contentDigest is the SHA-256 of state c's content (everything but its
// serial), given doc, its encoding. Encode writes the serial and the
// checksum (which covers the serial) as members of their own lines in
// the document's head, before the resources; the digest is of the
// document without those two lines, so the document Write stores serves
// for both. Should Encode's layout change so that the lines are not
// found, the digest is of c encoded with serial 0: a second encoding,
// but the same answer.
func contentDigest(c *state.State, doc []byte) ([]byte, error) {
	if end := bytes.Index(doc, resourcesLine); end > 0 {
		head := doc[:end:end]
		found := 0
		for _, member := range [][]byte{serialLine, checksumLine} {
			i := bytes.Index(head, member)
			if i < 0 {
				break
			}
			n := bytes.IndexByte(head[i+1:], '\n')
			if n < 0 {
				n = len(head) - (i + 1) // the head's last line
			}
			// Drop from the newline before the member to the one
			// after it, exclusive; head's capacity makes append copy.
			head = append(head[:i:i], head[i+1+n:]...)
			found++
		}
		if found == 2 {
			h := sha256.New()
			h.Write(head)
			h.Write(doc[end:])
			return h.Sum(nil), nil
		}
	}
	zero := *c
	zero.Serial = 0
	doc, err := state.Encode(&zero)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(doc)
	return sum[:], nil
}

// The lines of an encoded state that contentDigest looks for, each with
// the newline before it; members of the top-level object are indented by
// two spaces, nested ones by more.
var (
	resourcesLine = []byte("\n  \"resources\": ")
	serialLine    = []byte("\n  \"serial\": ")
	checksumLine  = []byte("\n  \"checksum\": ")
)

// pack compresses a state document and seals it when there is a Sealer.
func (b *Backend) pack(doc []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(doc) / 4)
	zw, err := gzip.NewWriterLevel(&buf, gzipLevel)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(doc); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.seal(buf.Bytes())
}

// gzipLevel trades size for time: a state is written after every change
// an apply makes.
const gzipLevel = gzip.BestSpeed

// gunzip decompresses a state document that pack compressed.
func gunzip(data []byte) ([]byte, error) {
	doc, err := state.Gunzip(data)
	if err != nil {
		return nil, fmt.Errorf("compressed state document: %w", err)
	}
	return doc, nil
}

func (b *Backend) seal(plain []byte) ([]byte, error) {
	if b.store.sealer == nil {
		return plain, nil
	}
	return b.store.sealer.Seal(plain)
}

// open opens what seal sealed; without a Sealer, it refuses what a Sealer
// sealed with state.ErrEncrypted.
func (b *Backend) open(stored []byte) ([]byte, error) {
	return state.Open(b.store.sealer, stored)
}

// sameDigest says whether the stored (maybe sealed) digest is digest.
func (b *Backend) sameDigest(stored, digest []byte) (bool, error) {
	plain, err := b.open(stored)
	if err != nil {
		return false, fmt.Errorf("the stored state's digest: %w", err)
	}
	return bytes.Equal(plain, digest), nil
}
