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
//
// This package imports only vocabulary packages (lang/addrs and cty); the
// planner, the applier and the CLI import it, never the reverse.
package state
