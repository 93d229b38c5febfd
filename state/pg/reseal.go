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
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/state"
)

var _ state.Resealer = (*Backend)(nil)

// Reseal stores the workspace's state, its content digest and its journal
// entries again, sealed by the Store's Sealer as it now is
// (state.Resealer), with the serial unchanged. It does so in one
// transaction that locks the rows it reads and opens every one of them
// before it writes any, so a key that cannot open one of them changes
// nothing, and a reader sees everything as it was or everything
// resealed. Like Write, it writes only while the lock this Backend holds
// is still its own (ErrLockLost otherwise), and finishes what it starts
// whatever ctx says (within writeTimeout).
func (b *Backend) Reseal(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	fence, err := b.fence()
	if err != nil {
		return fmt.Errorf("storing the state again in %s: %w", b.Path(), err)
	}
	return pgx.BeginFunc(ctx, b.store.pool, func(tx pgx.Tx) error {
		r, err := b.readRow(ctx, tx, "FOR UPDATE")
		if err != nil {
			return err
		}
		var gz, digest []byte
		if r != nil {
			if gz, err = b.open(r.data); err != nil {
				return fmt.Errorf("reading state from %s: %w", b.Path(), err)
			}
			if digest, err = b.open(r.digest); err != nil {
				return fmt.Errorf("reading state from %s: its digest: %w", b.Path(), err)
			}
		}
		seqs, lines, err := b.openJournal(ctx, tx, "FOR UPDATE")
		if err != nil {
			return fmt.Errorf("reading the intent journal in %s: %w", b.Path(), err)
		}
		if r != nil {
			if r.data, err = b.seal(gz); err != nil {
				return fmt.Errorf("storing the state again in %s: %w", b.Path(), err)
			}
			if r.digest, err = b.seal(digest); err != nil {
				return fmt.Errorf("storing the state again in %s: %w", b.Path(), err)
			}
			ok, err := b.put(ctx, tx, fence, &r.serial, r)
			if err != nil {
				return err
			}
			if !ok {
				// The row is locked by this transaction: nothing else
				// can have changed it.
				return fmt.Errorf("storing the state again in %s: the row changed while it was locked", b.Path())
			}
		}
		return b.resealJournal(ctx, tx, fence, seqs, lines)
	})
}

// resealJournal stores the journal entries numbered seqs again, lines
// sealed, in one statement fenced by the lock as the journal's inserts
// are.
func (b *Backend) resealJournal(ctx context.Context, tx pgx.Tx, fence string, seqs []int64, lines [][]byte) error {
	if len(seqs) == 0 {
		return nil
	}
	entries := make([][]byte, len(lines))
	for i, line := range lines {
		var err error
		if entries[i], err = b.seal(line); err != nil {
			return fmt.Errorf("storing the intent journal again in %s: %w", b.Path(), err)
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE `+b.store.journal+` AS j SET entry = u.entry
FROM unnest($2::bigint[], $3::bytea[]) AS u(seq, entry)
WHERE j.workspace = $1 AND j.seq = u.seq
AND ($4 = '' OR EXISTS (SELECT 1 FROM `+b.store.locks+` WHERE workspace = $1 AND id = $4 FOR SHARE))`, b.workspace, seqs, entries, fence)
	if err != nil {
		return fmt.Errorf("storing the intent journal again in %s: %w", b.Path(), err)
	}
	if tag.RowsAffected() != int64(len(seqs)) {
		if fence != "" {
			if err := b.checkFence(ctx, fence); err != nil {
				return fmt.Errorf("storing the intent journal again in %s: %w", b.Path(), err)
			}
		}
		return fmt.Errorf("storing the intent journal again in %s: %d of its %d entries were stored", b.Path(), tag.RowsAffected(), len(seqs))
	}
	return nil
}
