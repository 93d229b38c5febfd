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

// Package state holds slipway's state model — what exists, as of the last
// apply — its versioned file format, the Backend contract that stores and
// locks it, and the Recorder that persists it while an apply runs.
//
// What must stay true:
//   - A State holds only wholly known values; sensitive parts are recorded
//     as paths beside the value, never as marks inside it.
//   - Encode is deterministic: equal states encode to equal bytes, so a
//     backend can tell whether a Write changes anything.
//   - Decode refuses a document it cannot read completely (invalid JSON, a
//     checksum mismatch, a newer format, a missing lineage) rather than
//     return part of it.
//   - Backends never leave a half-written state behind, a Write that has
//     returned is durable, and a lock whose holder died never blocks the
//     next run.
//   - Serial belongs to backends: callers never set it; Write sets it.
//     The one exception is a state moved to another backend (Migrate),
//     which keeps its lineage and serial through SerialWriter.
//   - Encryption is behind Sealer: backends seal what they store and open
//     what they read; sealed bytes begin with SealedPrefix, so that a
//     reader without a key says the state is encrypted rather than
//     corrupted. Package state/encryption implements Sealer.
//   - Every backend's intent journal is a StoreJournal over a JournalStore
//     of its own (a file, Secrets, rows): group commit, compaction and
//     decoding exist once. The local journal file keeps its format, a
//     JSON document a line or that sealed and base64-encoded, byte for
//     byte; testdata/journal pins it.
//
// This package imports only vocabulary packages (lang/addrs and cty) and
// internal/par, the module's parallel loop; the planner, the applier and
// the CLI import it, never the reverse.
package state
