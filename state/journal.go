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
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// A Journal is the intent journal kept beside a state: an append-only log
// of the changes an apply starts and finishes. Apply makes a change's
// intent durable before a provider is asked to make it, and its outcome
// durable before the provider may start another change in its place
// (unless the change said it only waits, when its place is freed at
// once; its outcome is still recorded when it ends); the state itself is
// written less often. After a crash, Replay gives back the
// state with every finished change in it, and the changes that started
// and never finished, which the next plan reads back through their
// providers instead of making them twice.
//
// Begin, End and Resolve may be called from several goroutines; calls
// that arrive while a write is in flight share the next write and its
// fsync.
type Journal interface {
	// Begin makes op's intent durable.
	Begin(ctx context.Context, op Operation) error
	// End makes the outcome of the change op.ID durable: the instance as
	// it now is, or nil when it no longer exists.
	End(ctx context.Context, id string, addr addrs.ResourceInstance, now *ResourceInstance) error
	// Resolve records that an interrupted change was read back and its
	// outcome is in the state the caller is about to write.
	Resolve(ctx context.Context, id string) error
	// Entries reads the journal. A last line that a crash cut short is
	// left out.
	Entries(ctx context.Context) ([]JournalEntry, error)
	// Compact drops every entry but the intents that never ended, once a
	// state holding every finished change is durable.
	Compact(ctx context.Context) error
}

// Journaled is a Backend that keeps an intent journal beside its state.
type Journaled interface {
	Journal() Journal
}

// Operation is a change apply is about to ask a provider for.
type Operation struct {
	ID     string
	Addr   addrs.ResourceInstance
	Action string // create, update, delete
	// Planned is the instance as planned, values known only after apply
	// null; for a delete, the instance as it is.
	Planned *ResourceInstance
	// Deposed marks the delete of the object a create-before-destroy
	// replaced: its outcome changes no state entry.
	Deposed bool
}

// JournalEntry is one line of a journal.
type JournalEntry struct {
	Kind string // "begin", "end" or "resolve"
	Time time.Time
	Operation
	// Now is the outcome of an "end": the instance, or nil when gone.
	Now *ResourceInstance
}

// Pending is a change that began and never ended: a crash interrupted it,
// and whether it happened is known only to its provider.
type Pending struct {
	Operation
	Began time.Time
}

// NewOperationID returns a new, random operation ID.
func NewOperationID() string { return "op-" + newID() }

// Replay applies the outcomes of the finished changes in entries to st,
// in order, and returns the changes that never finished. st is changed in
// place: pass a copy to keep the original.
func Replay(st *State, entries []JournalEntry) []Pending {
	ended := map[string]bool{}
	deposed := map[string]bool{}
	for _, e := range entries {
		switch e.Kind {
		case "end", "resolve":
			ended[e.ID] = true
		case "begin":
			deposed[e.ID] = e.Deposed
		}
	}
	var pending []Pending
	for _, e := range entries {
		switch e.Kind {
		case "begin":
			if !ended[e.ID] {
				pending = append(pending, Pending{Operation: e.Operation, Began: e.Time})
			}
		case "end":
			if deposed[e.ID] {
				// The delete of a replaced object changes no entry.
				continue
			}
			if e.Now == nil {
				delete(st.Resources, e.Addr.String())
			} else {
				st.Resources[e.Addr.String()] = e.Now
			}
		}
	}
	return pending
}

// journalLine is the JSON of one journal entry.
type journalLine struct {
	Kind    string        `json:"kind"`
	ID      string        `json:"id"`
	Time    time.Time     `json:"time"`
	Address string        `json:"address,omitempty"`
	Action  string        `json:"action,omitempty"`
	Deposed bool          `json:"deposed,omitempty"`
	Planned *fileResource `json:"planned,omitempty"`
	Now     *fileResource `json:"now,omitempty"`
}

// EncodeJournalEntry encodes e as one line of a journal, its newline
// included: how a Journal kept elsewhere than in a file (a database row,
// say) stores an entry, in the format FileJournal writes.
func EncodeJournalEntry(e JournalEntry) ([]byte, error) { return encodeEntry(e) }

// DecodeJournalEntry decodes what EncodeJournalEntry returned.
func DecodeJournalEntry(b []byte) (JournalEntry, error) { return decodeEntry(b) }

func encodeEntry(e JournalEntry) ([]byte, error) {
	l := journalLine{Kind: e.Kind, ID: e.ID, Time: e.Time.UTC(), Action: e.Action, Deposed: e.Deposed}
	if e.Kind != "resolve" {
		l.Address = e.Addr.String()
	}
	for _, p := range []struct {
		ri  *ResourceInstance
		out **fileResource
	}{{e.Planned, &l.Planned}, {e.Now, &l.Now}} {
		if p.ri == nil {
			continue
		}
		known := *p.ri
		known.Value = nullUnknowns(known.Value)
		fr, err := encodeResource(&known)
		if err != nil {
			return nil, fmt.Errorf("journal entry for %s: %w", e.Addr, err)
		}
		*p.out = &fr
	}
	b, err := marshal(l, "")
	if err != nil {
		return nil, fmt.Errorf("journal entry for %s: %w", e.Addr, err)
	}
	return b, nil
}

func decodeEntry(b []byte) (JournalEntry, error) {
	var l journalLine
	if err := json.Unmarshal(b, &l); err != nil {
		return JournalEntry{}, err
	}
	switch l.Kind {
	case "begin", "end", "resolve":
	default:
		return JournalEntry{}, fmt.Errorf("unknown entry kind %q", l.Kind)
	}
	if l.ID == "" {
		return JournalEntry{}, errors.New("entry without an id")
	}
	e := JournalEntry{Kind: l.Kind, Time: l.Time, Operation: Operation{ID: l.ID, Action: l.Action, Deposed: l.Deposed}}
	if l.Kind != "resolve" {
		addr, diags := addrs.ParseResourceInstance(l.Address)
		if diags.HasErrors() {
			return JournalEntry{}, fmt.Errorf("address %q: %s", l.Address, diags.Error())
		}
		e.Addr = addr
	}
	var err error
	if l.Planned != nil {
		if e.Planned, err = decodeResource(*l.Planned); err != nil {
			return JournalEntry{}, fmt.Errorf("%s: planned: %w", l.Address, err)
		}
	}
	if l.Now != nil {
		if e.Now, err = decodeResource(*l.Now); err != nil {
			return JournalEntry{}, fmt.Errorf("%s: %w", l.Address, err)
		}
	}
	return e, nil
}

// nullUnknowns replaces the values known only after apply with null: the
// journal records what is known when a change starts.
func nullUnknowns(v cty.Value) cty.Value {
	if v == cty.NilVal || v.IsWhollyKnown() {
		return v
	}
	out, _ := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsKnown() {
			return cty.NullVal(v.Type()), nil
		}
		return v, nil
	})
	return out
}

// FileJournal is a Journal kept in a file: one JSON document a line,
// appended and fsync'd. With a Sealer, each line is its entry sealed on
// its own and base64-encoded, so that lines stay independent: a crash
// still cuts only the last one short.
type FileJournal struct {
	path   string
	sealer Sealer

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	queued   uint64 // entries appended to buf so far
	synced   uint64 // entries durable so far
	flushing bool
	err      error // the first failed write: every later call fails
}

var _ Journal = (*FileJournal)(nil)

// NewFileJournal returns the journal kept at path.
func NewFileJournal(path string) *FileJournal { return NewSealedFileJournal(path, nil) }

// NewSealedFileJournal returns the journal kept at path, its lines sealed
// by s; a nil s seals nothing.
func NewSealedFileJournal(path string, s Sealer) *FileJournal {
	j := &FileJournal{path: path, sealer: s}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// encode is the line of e: its JSON, or that sealed and base64-encoded,
// which never begins with '{' and holds no newline.
func (j *FileJournal) encode(e JournalEntry) ([]byte, error) {
	b, err := encodeEntry(e)
	if err != nil || j.sealer == nil {
		return b, err
	}
	sealed, err := j.sealer.Seal(bytes.TrimSuffix(b, []byte("\n")))
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

// decodeLine reads one line that encode made.
func (j *FileJournal) decodeLine(line []byte) (JournalEntry, error) {
	stored := line
	if line[0] != '{' {
		stored = make([]byte, base64.StdEncoding.DecodedLen(len(line)))
		n, err := base64.StdEncoding.Decode(stored, line)
		if err != nil {
			return JournalEntry{}, fmt.Errorf("neither an entry nor a sealed one: %w", err)
		}
		stored = stored[:n]
	}
	plain, err := Open(j.sealer, stored)
	if err != nil {
		return JournalEntry{}, err
	}
	return decodeEntry(plain)
}

// Path is the journal file's path.
func (j *FileJournal) Path() string { return j.path }

// Begin makes op's intent durable.
func (j *FileJournal) Begin(_ context.Context, op Operation) error {
	return j.append(JournalEntry{Kind: "begin", Time: time.Now(), Operation: op})
}

// End makes a change's outcome durable.
func (j *FileJournal) End(_ context.Context, id string, addr addrs.ResourceInstance, now *ResourceInstance) error {
	return j.append(JournalEntry{Kind: "end", Time: time.Now(), Operation: Operation{ID: id, Addr: addr}, Now: now})
}

// Resolve records that an interrupted change was read back.
func (j *FileJournal) Resolve(_ context.Context, id string) error {
	return j.append(JournalEntry{Kind: "resolve", Time: time.Now(), Operation: Operation{ID: id}})
}

// append adds an entry and returns once it is durable. The first caller to
// find no write in flight writes everything queued, with one fsync; the
// others wait for it.
func (j *FileJournal) append(e JournalEntry) error {
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
		werr := appendSync(j.path, buf)
		j.mu.Lock()
		j.flushing = false
		if werr != nil {
			j.err = fmt.Errorf("writing the intent journal %s: %w", j.path, werr)
		} else {
			j.synced = upto
		}
		j.cond.Broadcast()
	}
	return j.err
}

// appendSync appends b to the file at path and makes it durable.
func appendSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Entries reads the journal.
func (j *FileJournal) Entries(context.Context) ([]JournalEntry, error) {
	data, err := os.ReadFile(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the intent journal: %w", err)
	}
	return j.decode(data)
}

// decode decodes a journal's lines. Only a last line without its newline
// may be cut short (a crash while it was written) and is left out when it
// does not decode; a bad line anywhere else is an error, since entries
// after it could not be trusted.
func (j *FileJournal) decode(data []byte) ([]JournalEntry, error) {
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
			return nil, fmt.Errorf("intent journal %s, line %d: %w", j.path, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Compact rewrites the journal with only the intents that never ended,
// or removes it when there are none.
func (j *FileJournal) Compact(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flushing {
		j.cond.Wait()
	}
	if j.err != nil {
		return j.err
	}
	entries, err := j.Entries(ctx)
	if err != nil {
		return err
	}
	pending := Replay(NewState(), entries)
	if len(pending) == 0 {
		if err := os.Remove(j.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the intent journal: %w", err)
		}
		return nil
	}
	var buf bytes.Buffer
	for _, p := range pending {
		b, err := j.encode(JournalEntry{Kind: "begin", Time: p.Began, Operation: p.Operation})
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return writeFileSync(j.path, buf.Bytes())
}

// Reseal rewrites every entry sealed by the journal's Sealer as it now
// is. It reads the whole journal before it writes, so an entry the Sealer
// cannot open leaves the file as it was.
func (j *FileJournal) Reseal(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flushing {
		j.cond.Wait()
	}
	if j.err != nil {
		return j.err
	}
	entries, err := j.Entries(ctx)
	if err != nil || entries == nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range entries {
		b, err := j.encode(e)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	if err := writeFileSync(j.path, buf.Bytes()); err != nil {
		return fmt.Errorf("rewriting the intent journal: %w", err)
	}
	return nil
}

// writeFileSync replaces the file at path with data, atomically and
// durably.
func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// decodeJournal decodes unsealed journal lines, as a FileJournal without a
// Sealer writes them; name is where they were read, for errors.
func decodeJournal(name string, data []byte) ([]JournalEntry, error) {
	return (&FileJournal{path: name}).decode(data)
}
