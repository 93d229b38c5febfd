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

// Package pg is state backend "pg": states, locks and intent journals kept
// in PostgreSQL, through pgx, in three tables of one schema (Config's
// SchemaName): states (a row per workspace: the state document
// gzip-compressed and then sealed when a state.Sealer is set, its serial,
// its lineage and a digest of its content), locks (a row per locked
// workspace: the holder's state.LockInfo, the lock ID and an expiry) and
// journal (a row per journal entry). The journal is a state.StoreJournal
// over that table: its group commit, compaction and decoding are the ones
// every backend's journal shares.
//
// What must stay true:
//   - A write is one statement that replaces one row, so a reader sees the
//     old state or the new one. It is compare-and-swap on the serial (an
//     UPDATE that names the serial it read, or an INSERT of the first
//     row), so two writers never store the same serial and a serial never
//     goes back, with or without the lock; a writer that loses the race
//     reads again and writes after the winner.
//   - WriteSerial (a state moved here, keeping its serial) stores through
//     the same compare-and-swap, fenced statement as Write, after
//     state.CheckReplace allows it. Reseal stores the row and the journal
//     entries again, sealed by the current Sealer, in one transaction that
//     locks and opens them all before it writes any, fenced by the lock
//     the same way; the serial does not move.
//   - A lock expires: its row carries an expiry on the database's clock
//     (now(); no client clock is ever compared), which a heartbeat pushes
//     forward every third of the TTL while the lock is held. A row whose
//     expiry has passed is taken over atomically by the next Lock. A holder
//     that was killed therefore blocks others for one TTL at most.
//   - The lock ID is a fencing token: while a Backend holds a lock, its
//     state writes and journal appends happen only if the lock row still
//     carries that ID, in the same statement, and a journal compaction
//     only in a transaction that holds a share lock on that row. A holder
//     whose lock was taken over (it could not renew it for a TTL, or
//     someone ran force-unlock) writes nothing more: its writes fail with
//     ErrLockLost, and so does its Unlock. Lost reports the loss as it is
//     found.
//   - Only what a Sealer sealed is stored for state and journal content
//     when one is set; the content digest is sealed too, so nothing
//     derived from plain state is stored in clear. Lineage and serial are
//     stored in clear.
//
// The package imports state, pgx and apimachinery's wait; nothing in it
// knows about planning or the CLI.
package pg
