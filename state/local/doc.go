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

// Package local is the default state backend: a file beside the
// configuration (state.DefaultLocalPath unless configured otherwise), with
// PATH.backup holding the state as it was before this process first wrote
// it and PATH.lock carrying the lock. Its Store keeps the default
// workspace's state at PATH and every other workspace's in a directory of
// its own, PATH.d/NAME/ (or WORKSPACE_DIR/NAME/), each with its own
// backup, journal and lock file.
//
// What must stay true:
//   - The state file is never half-written: Write writes a temporary file
//     in the same directory, syncs it, renames it over the state and syncs
//     the directory, so a Write that returned is durable and a crash leaves
//     the old state or the new one.
//   - A Write reads the file it replaces, for its serial and to leave an
//     unchanged state unwritten, unless the file is still the one this
//     Backend's last Write left (the same file by os.SameFile, size and
//     modification time): another process's write, or a copy put in place,
//     is always read.
//   - The lock is an flock on PATH.lock, which the kernel drops when its
//     holder dies, so a killed apply never blocks the next one. The lock
//     file records the holder's state.LockInfo so a waiter can name it; the
//     file is never removed, because a holder's lock lives on its inode.
//   - No content of the lock file makes slipway fail other than by a
//     clear error: one that holds no valid record (empty, cut short,
//     garbage) is a stale lock, taken over when no process holds the
//     flock, and reported as a NoRecordError inside the LockedError when
//     one does.
//   - With a Sealer (Options.Sealer), the state, its backup and each line
//     of its journal are stored sealed, and what cannot be opened is never
//     replaced: a wrong key stops Read, Write, the journal and Reseal
//     before they write anything.
//
// This package imports state and the standard library only; nothing in it
// knows about planning or the CLI.
package local
