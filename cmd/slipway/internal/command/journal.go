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

package command

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"slipway.dev/slipway/state"
)

// readJournaled reads the state with the finished changes of the intent
// journal replayed onto it (an apply that was killed recorded them there
// first), and the changes that began and never finished.
func readJournaled(ctx context.Context, b state.Backend) (*state.State, []state.Pending, error) {
	st, pending, _, err := readJournal(ctx, b)
	return st, pending, err
}

// readJournal is readJournaled, and the mark of what the journal held
// (state.JournalMark: "" when nothing).
func readJournal(ctx context.Context, b state.Backend) (*state.State, []state.Pending, string, error) {
	return readJournalWith(ctx, b, b.Read, false)
}

// readJournalWith is readJournal with the state read by read. When shared,
// read may return a state it keeps (Resident.readState), and the
// journal's changes are replayed into a copy of it.
func readJournalWith(ctx context.Context, b state.Backend, read func(context.Context) (*state.State, error), shared bool) (*state.State, []state.Pending, string, error) {
	st, err := read(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	jb, ok := b.(state.Journaled)
	if !ok {
		return st, nil, "", nil
	}
	entries, err := jb.Journal().Entries(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	if shared && len(entries) > 0 {
		st = st.DeepCopy()
	}
	return st, state.Replay(st, entries), state.JournalMark(entries), nil
}

// checkpoint writes a state that the journal's replayed changes are in,
// and compacts the journal: an apply that has nothing to change still
// folds what an interrupted one left in the journal into the state.
func (s *session) checkpoint(ctx context.Context) error {
	if !s.replayed {
		return nil
	}
	st := s.ctx.State.DeepCopy()
	if err := s.backend.Write(ctx, st); err != nil {
		return err
	}
	return compactJournal(ctx, s.backend)
}

// foldJournal writes st, read with the journal's finished changes
// replayed (readJournal, whose mark says the journal held entries), back
// to the backend, and compacts the journal, before a command changes st:
// a command that wrote its change and then compacted left, when the
// compaction failed or was interrupted, the journal's changes beside a
// state that no longer agrees with them, and the next read replayed them
// over the change (state mv: the old address back beside the new, whose
// object the next plan then deleted). Folded first, the journal holds
// nothing a later write can contradict. Neither step stops halfway for
// an interrupt.
func foldJournal(ctx context.Context, b state.Backend, st *state.State, mark string) error {
	if mark == "" {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if err := b.Write(ctx, st); err != nil {
		return err
	}
	return compactJournal(ctx, b)
}

// compactJournal drops from the journal what a durable state now holds,
// keeping the changes that began and were never resolved.
func compactJournal(ctx context.Context, b state.Backend) error {
	if jb, ok := b.(state.Journaled); ok {
		return jb.Journal().Compact(ctx)
	}
	return nil
}

// journalOf is the backend's intent journal, or nil.
func journalOf(b state.Backend) state.Journal {
	if jb, ok := b.(state.Journaled); ok {
		return jb.Journal()
	}
	return nil
}

// erroredStateName is the fallback file's name, as Terraform writes
// errored.tfstate.
const erroredStateName = "slipway.slipstate.errored"

// writeErrored writes a state that could not be saved to a fallback file,
// sealed as the state is: beside the configuration, or in the temporary
// directory when that cannot be written. It returns the file's path.
func writeErrored(dir string, st *state.State, sealer state.Sealer) (string, error) {
	data, err := state.Encode(st)
	if err != nil {
		return "", err
	}
	if data, err = state.Seal(sealer, data); err != nil {
		return "", err
	}
	var errs []error
	for _, d := range []string{dir, os.TempDir()} {
		p, _ := filepath.Abs(filepath.Join(d, erroredStateName))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			os.Remove(p)
			errs = append(errs, err)
			continue
		}
		return p, nil
	}
	return "", fmt.Errorf("writing the fallback state: %v", errs)
}
