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
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/state"
)

// Journal is the workspace's intent journal: a state.StoreJournal over
// the journal table, which commits the entries that arrive while an
// INSERT is in flight together in the next one.
func (b *Backend) Journal() state.Journal {
	b.journalOnce.Do(func() {
		b.journal = state.NewStoreJournal("in "+b.Path(), journalStore{b})
	})
	return b.journal
}

// journalStore keeps a workspace's journal in the journal table: a row
// per line (an entry, as state.EncodeJournalEntry encodes it, its newline
// included), in the order of the seq column, sealed on its own when there
// is a Sealer. A row is written whole by its INSERT, so unlike a file's
// last line none is ever cut short. While the Backend holds the lock, its
// writes happen only if the lock is still its own (ErrLockLost
// otherwise), and finish whatever ctx says (within writeTimeout).
type journalStore struct{ b *Backend }

var _ state.JournalStore = journalStore{}

// Append inserts a row per line of records, in one statement.
func (s journalStore) Append(ctx context.Context, records []byte) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	rows, err := s.b.sealLines(records)
	if err != nil {
		return err
	}
	fence, err := s.b.fence()
	if err != nil {
		return err
	}
	return s.b.insertJournal(ctx, s.b.store.pool, fence, rows)
}

// Load returns the lines of the workspace's rows, opened, in order.
func (s journalStore) Load(ctx context.Context) ([]byte, error) {
	_, lines, err := s.b.openJournal(ctx, s.b.store.pool, "")
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, line := range lines {
		out.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			// A row is a whole line, even one stored without its
			// newline.
			out.WriteByte('\n')
		}
	}
	return out.Bytes(), nil
}

// Replace deletes the workspace's rows and inserts a row per line of
// records, in one transaction. While the Backend holds the lock, the
// transaction first takes a share lock on the lock's row, so the lock
// cannot be taken over before it commits.
func (s journalStore) Replace(ctx context.Context, records []byte) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	rows, err := s.b.sealLines(records)
	if err != nil {
		return err
	}
	fence, err := s.b.fence()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.b.store.pool, func(tx pgx.Tx) error {
		if fence != "" {
			var one int
			err := tx.QueryRow(ctx, "SELECT 1 FROM "+s.b.store.locks+" WHERE workspace = $1 AND id = $2 FOR SHARE", s.b.workspace, fence).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				if err := s.b.checkFence(ctx, fence); err != nil {
					return err
				}
				return errors.New("the lock changed hands while it was checked")
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+s.b.store.journal+" WHERE workspace = $1", s.b.workspace); err != nil {
			return err
		}
		return s.b.insertJournal(ctx, tx, "", rows)
	})
}

// sealLines cuts records into lines, each with its newline, sealed when
// there is a Sealer: the rows that hold them.
func (b *Backend) sealLines(records []byte) ([][]byte, error) {
	var rows [][]byte
	for len(records) > 0 {
		line := records
		if i := bytes.IndexByte(records, '\n'); i >= 0 {
			line = records[:i+1]
		}
		records = records[len(line):]
		row, err := b.seal(line)
		if err != nil {
			return nil, fmt.Errorf("sealing a journal entry: %w", err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// insertJournal inserts rows in their order, in one statement that, when
// fence (the ID of the lock this Backend holds) is set, inserts only if
// the lock is still its own.
func (b *Backend) insertJournal(ctx context.Context, q execer, fence string, rows [][]byte) error {
	if len(rows) == 0 {
		return nil
	}
	tag, err := q.Exec(ctx, `INSERT INTO `+b.store.journal+` (workspace, entry)
SELECT $1, e.entry FROM unnest($2::bytea[]) WITH ORDINALITY AS e(entry, n)
WHERE $3 = '' OR EXISTS (SELECT 1 FROM `+b.store.locks+` WHERE workspace = $1 AND id = $3 FOR SHARE)
ORDER BY e.n`, b.workspace, rows, fence)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != int64(len(rows)) {
		if fence != "" {
			if err := b.checkFence(ctx, fence); err != nil {
				return err
			}
		}
		return fmt.Errorf("%d of %d entries were inserted", tag.RowsAffected(), len(rows))
	}
	return nil
}

// openJournal reads and opens the workspace's journal rows, in order,
// with forUpdate appended to the query (in a transaction: "FOR UPDATE"),
// and returns their numbers and plain lines.
func (b *Backend) openJournal(ctx context.Context, q rowsQuerier, forUpdate string) ([]int64, [][]byte, error) {
	rows, err := q.Query(ctx, "SELECT seq, entry FROM "+b.store.journal+" WHERE workspace = $1 ORDER BY seq "+forUpdate, b.workspace)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var seqs []int64
	var lines [][]byte
	for rows.Next() {
		var seq int64
		var stored []byte
		if err := rows.Scan(&seq, &stored); err != nil {
			return nil, nil, err
		}
		line, err := b.open(stored)
		if err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", seq, err)
		}
		seqs = append(seqs, seq)
		lines = append(lines, line)
	}
	return seqs, lines, rows.Err()
}

// rowsQuerier is what openJournal needs of a pool or a transaction.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}
