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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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

// JournalMark identifies what a journal holds: "" when it is empty, else
// a digest of its entries' kinds, operations and times. A saved plan
// records the mark of the journal it was made with, and applying it when
// the journal holds other entries (an apply ran, or was killed, since) is
// refused, as it is when the state's serial moved: replayed changes move
// no serial.
func JournalMark(entries []JournalEntry) string {
	if len(entries) == 0 {
		return ""
	}
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\n", e.Kind, e.ID, e.Addr, e.Time.UnixNano())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
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
			switch {
			case e.Now == nil:
				delete(st.Resources, e.Addr.String())
			case e.Now.Addr != e.Addr:
				// An entry whose object names another address is not one
				// slipway wrote: recorded, the state would hold that
				// address twice, and no read after it would succeed.
				continue
			default:
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
// included, in the format FileJournal writes and every JournalStore is
// given: a plain line, which a store may seal as it keeps it.
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
// still cuts only the last one short. It is a StoreJournal over the file.
type FileJournal struct {
	path    string
	journal *StoreJournal
}

var _ Journal = (*FileJournal)(nil)

// NewFileJournal returns the journal kept at path.
func NewFileJournal(path string) *FileJournal { return NewSealedFileJournal(path, nil) }

// NewSealedFileJournal returns the journal kept at path, its lines sealed
// by s; a nil s seals nothing.
func NewSealedFileJournal(path string, s Sealer) *FileJournal {
	return &FileJournal{path: path, journal: newStoreJournal(path, fileStore(path), s)}
}

// Path is the journal file's path.
func (j *FileJournal) Path() string { return j.path }

// Begin makes op's intent durable.
func (j *FileJournal) Begin(ctx context.Context, op Operation) error { return j.journal.Begin(ctx, op) }

// End makes a change's outcome durable.
func (j *FileJournal) End(ctx context.Context, id string, addr addrs.ResourceInstance, now *ResourceInstance) error {
	return j.journal.End(ctx, id, addr, now)
}

// Resolve records that an interrupted change was read back.
func (j *FileJournal) Resolve(ctx context.Context, id string) error {
	return j.journal.Resolve(ctx, id)
}

// Entries reads the journal. Only a last line without its newline may be
// cut short (a crash while it was written) and is left out when it does
// not decode; a bad line anywhere else is an error.
func (j *FileJournal) Entries(ctx context.Context) ([]JournalEntry, error) {
	return j.journal.Entries(ctx)
}

// Compact rewrites the journal with only the intents that never ended,
// or removes it when there are none.
func (j *FileJournal) Compact(ctx context.Context) error { return j.journal.Compact(ctx) }

// Reseal rewrites every entry sealed by the journal's Sealer as it now
// is. It reads the whole journal before it writes, so an entry the Sealer
// cannot open leaves the file as it was.
func (j *FileJournal) Reseal(ctx context.Context) error { return j.journal.reseal(ctx) }

// fileStore is the JournalStore of a FileJournal: the file at its path.
type fileStore string

var _ JournalStore = fileStore("")

// Append appends records to the file and makes them durable. A crash
// during the write may leave the last line cut short.
func (f fileStore) Append(_ context.Context, records []byte) error {
	return appendSync(string(f), records)
}

// Load reads the file; there is none before the first Append.
func (f fileStore) Load(context.Context) ([]byte, error) {
	data, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// Replace replaces the file with records atomically and durably, or
// removes it when there are none.
func (f fileStore) Replace(_ context.Context, records []byte) error {
	if len(records) == 0 {
		if err := os.Remove(string(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return syncDir(filepath.Dir(string(f)))
	}
	return writeFileSync(string(f), records)
}

// appendSync appends b to the file at path and makes it durable. When it
// creates the file, it syncs the directory too: the first intent is
// durable only once the file's name is.
func appendSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	created := errors.Is(err, fs.ErrNotExist)
	if created {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	}
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
	if err := f.Close(); err != nil {
		return err
	}
	if created {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// writeFileSync replaces the file at path with data, atomically and
// durably: a temporary file, synced, renamed over it, and its directory
// synced.
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
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename or a removal in dir durable. Windows cannot sync
// a directory, and NTFS journals its metadata, so there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
