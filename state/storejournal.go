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
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"slipway.dev/slipway/lang/addrs"
)

// A JournalStore is where a StoreJournal keeps its records: journal
// lines, each a JSON document ending in a newline, kept in the order they
// were appended. A store may seal what it keeps, whole records or line by
// line, as long as Load gives back the lines it was given.
type JournalStore interface {
	// Append makes records, one or more whole lines, durable after
	// everything appended before: all of them, or, when it fails or its
	// process dies, none — except that a store which cannot promise
	// that (a file) may keep the last line cut short, without its
	// newline, for Load to return as it is.
	Append(ctx context.Context, records []byte) error
	// Load returns every record appended since the last Replace, in
	// order, or nothing when there are none.
	Load(ctx context.Context) ([]byte, error)
	// Replace atomically makes records, which may be empty, the whole
	// journal.
	Replace(ctx context.Context, records []byte) error
}

// StoreJournal is a Journal kept in a JournalStore, and the one
// implementation of what every journal does: group commit, compaction
// and decoding. It commits in groups: the entries that arrive while an
// Append is in flight share the next one, so a store that costs an fsync
// or a round trip per Append is asked once per group, not once per entry.
type StoreJournal struct {
	name  string
	store JournalStore
	// lines, when set, seals each line on its own, in the format of
	// FileJournal; stores that seal what they keep leave it nil.
	lines Sealer

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	queued   uint64 // entries appended to buf so far
	synced   uint64 // entries durable so far
	flushing bool
	err      error // the first failed Append: every later call fails
	// tailed: the store's last line was checked before the first Append
	// (see endTornLine). Read and set only by the one flushing.
	tailed bool
}

var _ Journal = (*StoreJournal)(nil)

// NewStoreJournal returns the journal kept in store; name says where it is
// in error messages.
func NewStoreJournal(name string, store JournalStore) *StoreJournal {
	return newStoreJournal(name, store, nil)
}

// newStoreJournal returns the journal kept in store, each line sealed on
// its own by lines unless it is nil.
func newStoreJournal(name string, store JournalStore, lines Sealer) *StoreJournal {
	j := &StoreJournal{name: name, store: store, lines: lines}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// Begin makes op's intent durable.
func (j *StoreJournal) Begin(ctx context.Context, op Operation) error {
	return j.append(ctx, JournalEntry{Kind: "begin", Time: time.Now(), Operation: op})
}

// End makes a change's outcome durable.
func (j *StoreJournal) End(ctx context.Context, id string, addr addrs.ResourceInstance, now *ResourceInstance) error {
	return j.append(ctx, JournalEntry{Kind: "end", Time: time.Now(), Operation: Operation{ID: id, Addr: addr}, Now: now})
}

// Resolve records that an interrupted change was read back.
func (j *StoreJournal) Resolve(ctx context.Context, id string) error {
	return j.append(ctx, JournalEntry{Kind: "resolve", Time: time.Now(), Operation: Operation{ID: id}})
}

// append adds an entry and returns once it is durable. The first caller to
// find no Append in flight appends everything queued; the others wait for
// it. The Append runs to its end whatever ctx says, as a record half-made
// would help no one.
func (j *StoreJournal) append(ctx context.Context, e JournalEntry) error {
	b, err := j.encode(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.buf = append(j.buf, b...)
	j.queued++
	mine := j.queued
	for j.synced < mine && j.err == nil {
		if j.flushing {
			j.cond.Wait()
			continue
		}
		j.flushing = true
		buf, upto := j.buf, j.queued
		j.buf = nil
		j.mu.Unlock()
		var werr error
		if !j.tailed {
			werr = j.endTornLine(context.WithoutCancel(ctx))
			j.tailed = werr == nil
		}
		if werr == nil {
			werr = j.store.Append(context.WithoutCancel(ctx), buf)
		}
		j.mu.Lock()
		j.flushing = false
		if werr != nil {
			j.err = fmt.Errorf("writing the intent journal %s: %w", j.name, werr)
		} else {
			j.synced = upto
		}
		j.cond.Broadcast()
	}
	return j.err
}

// endTornLine ends the store's last line before this journal's first
// Append, when a process that died while writing it left it without its
// newline: appended after it, the next entry would join it in one line
// that decodes as neither, and every later read would refuse the journal
// (decode forgives a line cut short only at the end). A last line that is
// a whole entry gets its newline; one cut short, which decode leaves out,
// is dropped.
func (j *StoreJournal) endTornLine(ctx context.Context) error {
	data, err := j.store.Load(ctx)
	if err != nil || len(data) == 0 || data[len(data)-1] == '\n' {
		return err
	}
	start := bytes.LastIndexByte(data, '\n') + 1
	if line := bytes.TrimSpace(data[start:]); len(line) > 0 {
		if _, err := j.decodeLine(line); err == nil {
			return j.store.Replace(ctx, append(data, '\n'))
		}
	}
	return j.store.Replace(ctx, data[:start])
}

// Entries reads the journal.
func (j *StoreJournal) Entries(ctx context.Context) ([]JournalEntry, error) {
	data, err := j.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the intent journal %s: %w", j.name, err)
	}
	return j.decode(data)
}

// Compact replaces the journal with only the intents that never ended,
// as Replay finds them. Only those intents are decoded: of every other
// line, its kind and ID are read (and the line checked to be whole
// JSON), which is all it takes to tell an intent ended. Decoding every
// value of the journal of an apply of 1,000 apps (their intents and
// outcomes, 23 MB) took 0.85 s and 180 MB at its end, to keep none of
// them. A line whose kind and ID cannot be read is an error, as for
// Entries; the values of what compaction drops are not looked at.
func (j *StoreJournal) Compact(ctx context.Context) error {
	return j.replace(ctx, "compacting", j.neverEnded)
}

// neverEnded is the intents of the journal that never ended, in order.
func (j *StoreJournal) neverEnded(ctx context.Context) ([]JournalEntry, error) {
	data, err := j.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the intent journal %s: %w", j.name, err)
	}
	lines := bytes.Split(data, []byte("\n"))
	var begins []int // the lines of intents
	ids := make([]string, len(lines))
	ended := map[string]bool{}
	for i, line := range lines {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		kind, id, err := j.lineHead(line)
		if err != nil {
			if i == len(lines)-1 {
				break // no newline after it: cut short, as decode says
			}
			return nil, fmt.Errorf("intent journal %s, line %d: %w", j.name, i+1, err)
		}
		if kind == "begin" {
			begins = append(begins, i)
			ids[i] = id
		} else {
			ended[id] = true
		}
	}
	var keep []JournalEntry
	for _, i := range begins {
		if ended[ids[i]] {
			continue
		}
		e, err := j.decodeLine(bytes.TrimSpace(lines[i]))
		if err != nil {
			if i == len(lines)-1 {
				continue // as decode leaves out a last line cut short
			}
			return nil, fmt.Errorf("intent journal %s, line %d: %w", j.name, i+1, err)
		}
		keep = append(keep, JournalEntry{Kind: "begin", Time: e.Time, Operation: e.Operation})
	}
	return keep, nil
}

// reseal rewrites every entry as the journal now encodes it, sealed by
// its line Sealer as it now is. It reads the whole journal before it
// writes, so an entry that cannot be opened leaves the journal as it
// was.
func (j *StoreJournal) reseal(ctx context.Context) error {
	return j.replace(ctx, "rewriting", j.Entries)
}

// replace makes what entries returns the whole journal, once no Append
// is in flight and with none started until it is done; doing names it
// in errors.
func (j *StoreJournal) replace(ctx context.Context, doing string, entries func(context.Context) ([]JournalEntry, error)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flushing {
		j.cond.Wait()
	}
	if j.err != nil {
		return j.err
	}
	kept, err := entries(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range kept {
		b, err := j.encode(e)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	if err := j.store.Replace(context.WithoutCancel(ctx), buf.Bytes()); err != nil {
		return fmt.Errorf("%s the intent journal %s: %w", doing, j.name, err)
	}
	return nil
}

// encode is the line of e: its JSON, or, with a line Sealer, that sealed
// and base64-encoded, which never begins with '{' and holds no newline.
func (j *StoreJournal) encode(e JournalEntry) ([]byte, error) {
	b, err := encodeEntry(e)
	if err != nil || j.lines == nil {
		return b, err
	}
	sealed, err := j.lines.Seal(bytes.TrimSuffix(b, []byte("\n")))
	if err != nil {
		return nil, fmt.Errorf("journal entry for %s: %w", e.Addr, err)
	}
	if !IsSealed(sealed) {
		// The Sealer writes plain documents (while decrypting).
		return append(sealed, '\n'), nil
	}
	line := make([]byte, base64.StdEncoding.EncodedLen(len(sealed))+1)
	base64.StdEncoding.Encode(line, sealed)
	line[len(line)-1] = '\n'
	return line, nil
}

// decodeLine reads one line that encode made. A sealed line without a
// line Sealer is refused with ErrEncrypted.
func (j *StoreJournal) decodeLine(line []byte) (JournalEntry, error) {
	plain, err := j.openLine(line)
	if err != nil {
		return JournalEntry{}, err
	}
	return decodeEntry(plain)
}

// lineHead reads the kind and ID of one line that encode made, checking
// them as decodeEntry does, and the line to be JSON, but decoding
// nothing else.
func (j *StoreJournal) lineHead(line []byte) (kind, id string, err error) {
	plain, err := j.openLine(line)
	if err != nil {
		return "", "", err
	}
	var head struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal(plain, &head); err != nil {
		return "", "", err
	}
	switch head.Kind {
	case "begin", "end", "resolve":
	default:
		return "", "", fmt.Errorf("unknown entry kind %q", head.Kind)
	}
	if head.ID == "" {
		return "", "", errors.New("entry without an id")
	}
	return head.Kind, head.ID, nil
}

// openLine is the entry's JSON of one line that encode made: the line,
// or, sealed, the line base64-decoded and opened.
func (j *StoreJournal) openLine(line []byte) ([]byte, error) {
	stored := line
	if line[0] != '{' {
		stored = make([]byte, base64.StdEncoding.DecodedLen(len(line)))
		n, err := base64.StdEncoding.Decode(stored, line)
		if err != nil {
			return nil, fmt.Errorf("neither an entry nor a sealed one: %w", err)
		}
		stored = stored[:n]
	}
	return Open(j.lines, stored)
}

// decode decodes a journal's lines. Only a last line without its newline
// may be cut short (a crash while it was written) and is left out when it
// does not decode; a bad line anywhere else is an error, since entries
// after it could not be trusted.
func (j *StoreJournal) decode(data []byte) ([]JournalEntry, error) {
	var out []JournalEntry
	lines := bytes.Split(data, []byte("\n"))
	for i, line := range lines {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		e, err := j.decodeLine(line)
		if err != nil {
			if i == len(lines)-1 {
				break // no newline after it: cut short
			}
			return nil, fmt.Errorf("intent journal %s, line %d: %w", j.name, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}
