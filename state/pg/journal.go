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
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// Journal is a workspace's intent journal: a row per entry in the journal
// table, in the order of its seq column, each entry encoded as a line of
// state.FileJournal (state.EncodeJournalEntry) and sealed when there is a
// Sealer. An entry is durable once its INSERT has committed.
//
// Begin, End and Resolve may be called from several goroutines. As in
// state.FileJournal, calls that arrive while an INSERT is in flight share
// the next one: every round trip to the database carries all the entries
// queued meanwhile.
type Journal struct {
	b *Backend

	mu       sync.Mutex
	cond     *sync.Cond
	queue    [][]byte // entries waiting for the next INSERT
	queued   uint64   // entries queued so far
	stored   uint64   // entries durable so far
	flushing bool
	err      error // the first failed INSERT: every later call fails
}

var _ state.Journal = (*Journal)(nil)

// Journal is the workspace's intent journal.
func (b *Backend) Journal() state.Journal {
	b.journalOnce.Do(func() {
		b.journal = &Journal{b: b}
		b.journal.cond = sync.NewCond(&b.journal.mu)
	})
	return b.journal
}

// Begin makes op's intent durable.
func (j *Journal) Begin(ctx context.Context, op state.Operation) error {
	return j.append(ctx, state.JournalEntry{Kind: "begin", Time: time.Now(), Operation: op})
}

// End makes a change's outcome durable.
func (j *Journal) End(ctx context.Context, id string, addr addrs.ResourceInstance, now *state.ResourceInstance) error {
	return j.append(ctx, state.JournalEntry{Kind: "end", Time: time.Now(), Operation: state.Operation{ID: id, Addr: addr}, Now: now})
}

// Resolve records that an interrupted change was read back.
func (j *Journal) Resolve(ctx context.Context, id string) error {
	return j.append(ctx, state.JournalEntry{Kind: "resolve", Time: time.Now(), Operation: state.Operation{ID: id}})
}

// append queues an entry and returns once it is durable. The first caller
// to find no INSERT in flight inserts everything queued; the others wait
// for it.
func (j *Journal) append(ctx context.Context, e state.JournalEntry) error {
	line, err := state.EncodeJournalEntry(e)
	if err != nil {
		return err
	}
	entry, err := j.b.seal(line)
	if err != nil {
		return fmt.Errorf("sealing a journal entry: %w", err)
	}
	// An entry once queued is written whatever happens to the caller
	// that queued it, or to the caller whose INSERT carries it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.queue = append(j.queue, entry)
	j.queued++
	mine := j.queued
	for j.stored < mine && j.err == nil {
		if j.flushing {
			j.cond.Wait()
			continue
		}
		j.flushing = true
		batch, upto := j.queue, j.queued
		j.queue = nil
		j.mu.Unlock()
		ierr := j.insert(ctx, batch)
		j.mu.Lock()
		j.flushing = false
		if ierr != nil {
			j.err = fmt.Errorf("writing the intent journal in %s: %w", j.b.Path(), ierr)
		} else {
			j.stored = upto
		}
		j.cond.Broadcast()
	}
	return j.err
}

// insert adds entries in their order, in one statement that, while the
// Backend holds the lock, inserts only if the lock is still its own.
func (j *Journal) insert(ctx context.Context, entries [][]byte) error {
	fence, err := j.b.fence()
	if err != nil {
		return err
	}
	tag, err := j.b.store.pool.Exec(ctx, `INSERT INTO `+j.b.store.journal+` (workspace, entry)
SELECT $1, e.entry FROM unnest($2::bytea[]) WITH ORDINALITY AS e(entry, n)
WHERE $3 = '' OR EXISTS (SELECT 1 FROM `+j.b.store.locks+` WHERE workspace = $1 AND id = $3)
ORDER BY e.n`, j.b.workspace, entries, fence)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != int64(len(entries)) {
		if err := j.b.checkFence(ctx, fence); err != nil {
			return err
		}
		return fmt.Errorf("%d of %d entries were inserted", tag.RowsAffected(), len(entries))
	}
	return nil
}

// row is one stored entry.
type row struct {
	seq   int64
	entry state.JournalEntry
}

func (j *Journal) rows(ctx context.Context, q pgx.Tx) ([]row, error) {
	var rs pgx.Rows
	var err error
	sql := "SELECT seq, entry FROM " + j.b.store.journal + " WHERE workspace = $1 ORDER BY seq"
	if q != nil {
		rs, err = q.Query(ctx, sql, j.b.workspace)
	} else {
		rs, err = j.b.store.pool.Query(ctx, sql, j.b.workspace)
	}
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var seq int64
		var stored []byte
		if err := rs.Scan(&seq, &stored); err != nil {
			return nil, err
		}
		line, err := j.b.open(stored)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", seq, err)
		}
		e, err := state.DecodeJournalEntry(line)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", seq, err)
		}
		out = append(out, row{seq, e})
	}
	return out, rs.Err()
}

// Entries reads the journal. Rows are written whole, so unlike a file's
// last line none is ever cut short: an entry that does not decode is an
// error.
func (j *Journal) Entries(ctx context.Context) ([]state.JournalEntry, error) {
	rows, err := j.rows(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the intent journal in %s: %w", j.b.Path(), err)
	}
	out := make([]state.JournalEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry
	}
	return out, nil
}

// Compact deletes every entry but the intents that never ended, in one
// transaction. Entries appended after it read the journal stay.
func (j *Journal) Compact(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flushing {
		j.cond.Wait()
	}
	if j.err != nil {
		return j.err
	}
	if _, err := j.b.fence(); err != nil {
		return fmt.Errorf("compacting the intent journal in %s: %w", j.b.Path(), err)
	}
	err := pgx.BeginFunc(ctx, j.b.store.pool, func(tx pgx.Tx) error {
		rows, err := j.rows(ctx, tx)
		if err != nil || len(rows) == 0 {
			return err
		}
		entries := make([]state.JournalEntry, len(rows))
		for i, r := range rows {
			entries[i] = r.entry
		}
		pending := map[string]bool{}
		for _, p := range state.Replay(state.NewState(), entries) {
			pending[p.ID] = true
		}
		var drop []int64
		for _, r := range rows {
			if r.entry.Kind == "begin" && pending[r.entry.ID] {
				continue
			}
			drop = append(drop, r.seq)
		}
		_, err = tx.Exec(ctx, "DELETE FROM "+j.b.store.journal+" WHERE workspace = $1 AND seq = ANY($2)", j.b.workspace, drop)
		return err
	})
	if err != nil {
		return fmt.Errorf("compacting the intent journal in %s: %w", j.b.Path(), err)
	}
	return nil
}
