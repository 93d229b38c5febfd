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
	"errors"
	"fmt"
)

// A SerialWriter is a Backend that can store a state under the serial it
// already has. Moving a state to another backend needs it: a state's
// lineage and serial are its identity, which saved plans and state push
// check, so a copy must keep both. Write, which numbers writes itself,
// cannot.
type SerialWriter interface {
	// WriteSerial stores s, atomically and durably as Write does, with
	// s.Serial as it is. It refuses, with a *SerialConflictError and
	// nothing written, when the stored state is not empty and has another
	// lineage, or has s's lineage and a higher serial, or s's lineage and
	// serial and other content.
	WriteSerial(ctx context.Context, s *State) error
}

// A SerialConflictError is a state that cannot replace another without
// losing history: the two are not earlier and later versions of one
// state.
type SerialConflictError struct {
	// Workspace is where the states are, when known.
	Workspace string
	// Stored is the lineage and serial of the state that is kept;
	// Incoming those of the state that was refused.
	StoredLineage, IncomingLineage string
	StoredSerial, IncomingSerial   uint64
}

func (e *SerialConflictError) Error() string {
	where := "the destination"
	if e.Workspace != "" {
		where = fmt.Sprintf("workspace %q of the destination", e.Workspace)
	}
	switch {
	case e.StoredLineage != e.IncomingLineage:
		return fmt.Sprintf("%s already holds a state of another lineage: %s (serial %d) there, %s (serial %d) to copy",
			where, e.StoredLineage, e.StoredSerial, e.IncomingLineage, e.IncomingSerial)
	case e.StoredSerial > e.IncomingSerial:
		return fmt.Sprintf("%s already holds a newer state of the same lineage %s: serial %d there, serial %d to copy",
			where, e.StoredLineage, e.StoredSerial, e.IncomingSerial)
	}
	return fmt.Sprintf("%s already holds another state of lineage %s with the same serial %d",
		where, e.StoredLineage, e.StoredSerial)
}

// CheckReplace says whether incoming may replace stored (nil when nothing
// is stored) under incoming's own serial: when stored is empty, or is an
// earlier version of incoming (same lineage, lower serial), or is
// incoming itself. SerialWriters and Migrate use it.
func CheckReplace(stored, incoming *State) error {
	if stored == nil || stored.Empty() {
		return nil
	}
	conflict := &SerialConflictError{StoredLineage: stored.Lineage, StoredSerial: stored.Serial,
		IncomingLineage: incoming.Lineage, IncomingSerial: incoming.Serial}
	switch {
	case stored.Lineage != incoming.Lineage, stored.Serial > incoming.Serial:
		return conflict
	case stored.Serial == incoming.Serial:
		a, err := Encode(stored)
		if err != nil {
			return err
		}
		b, err := Encode(incoming)
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			return conflict
		}
	}
	return nil
}

// MigrateOptions are how Migrate locks and asks.
type MigrateOptions struct {
	// Lock takes b's lock, for workspace, and returns the function that
	// releases it; nil means Migrate locks nothing (-lock=false).
	Lock func(ctx context.Context, b Backend, workspace string) (unlock func(), err error)
	// Confirm, when set, is asked once every workspace is checked and
	// before anything is copied, with what will be, when anything will.
	// false stops Migrate with ErrMigrateCancelled.
	Confirm func(plan []Migrated) (bool, error)
}

// ErrMigrateCancelled is Migrate's error when Confirm said no.
var ErrMigrateCancelled = errors.New("migration cancelled: nothing was copied")

// A Migrated is what Migrate does, or did, with one workspace.
type Migrated struct {
	Workspace string
	Lineage   string
	Serial    uint64
	// Copied says the state or journal entries are (to be) copied: false
	// when there is nothing to copy (a default workspace never written)
	// or the destination holds the same state already.
	Copied bool
	// Entries is how many intent journal entries are (to be) copied.
	Entries int
}

// Migrate copies the state of every workspace of from to the workspace
// of the same name in to, keeping each state's lineage and serial, and
// with it the entries of its intent journal, so that the destination
// reads exactly what the source does, interrupted changes included.
//
// It checks every workspace before it copies any, and refuses, copying
// nothing, when a destination holds a state that is not an earlier
// version of the source's (see CheckReplace), when to cannot store a
// given serial (it is no SerialWriter), or when a source journal holds
// entries and the destination keeps no journal. It copies one workspace
// at a time, holding both workspaces' locks while it checks again,
// copies, and reads the copy back. A workspace already copied is left as
// it is, so a Migrate that stopped part-way can run again.
func Migrate(ctx context.Context, from, to Store, opts MigrateOptions) ([]Migrated, error) {
	names, err := from.Workspaces(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the workspaces to copy: %w", err)
	}
	var errs []error
	var plan []Migrated
	copies := false
	for _, name := range names {
		m, err := migrateOne(ctx, from, to, name, opts, false)
		if err != nil {
			errs = append(errs, err)
		}
		plan = append(plan, m)
		copies = copies || m.Copied
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if copies && opts.Confirm != nil {
		ok, err := opts.Confirm(plan)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrMigrateCancelled
		}
	}
	var done []Migrated
	for _, name := range names {
		m, err := migrateOne(ctx, from, to, name, opts, true)
		if err != nil {
			return done, err
		}
		done = append(done, m)
	}
	return done, nil
}

// migrateOne checks workspace name, and when write is set copies it.
func migrateOne(ctx context.Context, from, to Store, name string, opts MigrateOptions, write bool) (m Migrated, err error) {
	m.Workspace = name
	fail := func(format string, args ...any) (Migrated, error) {
		return m, fmt.Errorf("workspace %q: "+format, append([]any{name}, args...)...)
	}
	src, err := from.Backend(name)
	if err != nil {
		return fail("%w", err)
	}
	dst, err := to.Backend(name)
	if err != nil {
		return fail("%w", err)
	}
	if opts.Lock != nil {
		unlock, err := opts.Lock(ctx, src, name)
		if err != nil {
			return fail("locking the state to copy: %w", err)
		}
		defer unlock()
		unlock2, err := opts.Lock(ctx, dst, name)
		if err != nil {
			return fail("locking the destination: %w", err)
		}
		defer unlock2()
	}
	st, srcEntries, err := readWithJournal(ctx, src)
	if err != nil {
		return fail("reading the state to copy: %w", err)
	}
	m.Lineage, m.Serial = st.Lineage, st.Serial
	if name == DefaultWorkspace && st.Serial == 0 && st.Empty() && len(srcEntries) == 0 {
		return m, nil // never written: nothing to copy
	}
	sw, ok := dst.(SerialWriter)
	if !ok {
		return fail("the destination backend cannot store a state under its own serial, so it cannot keep the state's lineage and serial")
	}
	stored, dstEntries, err := readWithJournal(ctx, dst)
	if err != nil {
		return fail("reading the destination: %w", err)
	}
	if stored.Serial == 0 && stored.Empty() {
		stored = nil // nothing stored
	}
	if err := CheckReplace(stored, st); err != nil {
		var ce *SerialConflictError
		if errors.As(err, &ce) {
			ce.Workspace = name
			return m, fmt.Errorf("%w; the state to copy was not changed. Delete the destination's state, or point the backend elsewhere, and run slipway init -migrate-state again", ce)
		}
		return fail("%w", err)
	}
	// The destination's journal must be a beginning of the source's: empty,
	// or left by a copy that stopped part-way.
	if len(dstEntries) > len(srcEntries) || !sameEntries(dstEntries, srcEntries[:len(dstEntries)]) {
		return fail("the destination's intent journal holds %d entries that are not the state's to copy; run slipway apply with the destination backend's own configuration to resolve them first", len(dstEntries))
	}
	rest := srcEntries[len(dstEntries):]
	var journal Journal
	if len(rest) > 0 {
		jb, ok := dst.(Journaled)
		if !ok {
			return fail("its intent journal holds %d entries of an apply that did not finish, and the destination backend keeps no journal to copy them to; "+
				"run slipway apply with the backend configuration the state is in now (the old one), which folds them into the state, then migrate again", len(rest))
		}
		journal = jb.Journal()
	}
	// CheckReplace let through a stored state of the same lineage and
	// serial only when it is the same state: a copy made before.
	same := stored != nil && stored.Lineage == st.Lineage && stored.Serial == st.Serial
	if !write {
		m.Copied, m.Entries = !same || len(rest) > 0, len(rest)
		return m, nil
	}
	if !same {
		if err := sw.WriteSerial(ctx, st.DeepCopy()); err != nil {
			return fail("writing the copy: %w", err)
		}
		m.Copied = true
	}
	for _, e := range rest {
		var err error
		switch e.Kind {
		case "begin":
			err = journal.Begin(ctx, e.Operation)
		case "end":
			err = journal.End(ctx, e.ID, e.Addr, e.Now)
		case "resolve":
			err = journal.Resolve(ctx, e.ID)
		}
		if err != nil {
			return fail("copying the intent journal: %w", err)
		}
		m.Entries++
		m.Copied = true
	}
	got, err := dst.Read(ctx)
	if err != nil {
		return fail("reading the copy back: %w", err)
	}
	if got.Lineage != st.Lineage || got.Serial != st.Serial {
		return fail("the copy reads back as lineage %s serial %d, not lineage %s serial %d", got.Lineage, got.Serial, st.Lineage, st.Serial)
	}
	return m, nil
}

// readWithJournal reads b's state as stored, and its journal's entries.
func readWithJournal(ctx context.Context, b Backend) (*State, []JournalEntry, error) {
	st, err := b.Read(ctx)
	if err != nil {
		return nil, nil, err
	}
	jb, ok := b.(Journaled)
	if !ok {
		return st, nil, nil
	}
	entries, err := jb.Journal().Entries(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the intent journal: %w", err)
	}
	return st, entries, nil
}

// sameEntries compares two journals entry by entry, by kind and change.
func sameEntries(a, b []JournalEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}
