// Package local is the default state backend: a file beside the
// configuration (state.DefaultLocalPath unless configured otherwise), with
// PATH.backup holding the state as it was before this process first wrote
// it and PATH.lock carrying the lock.
//
// What must stay true:
//   - The state file is never half-written: Write writes a temporary file
//     in the same directory, syncs it, renames it over the state and syncs
//     the directory, so a Write that returned is durable and a crash leaves
//     the old state or the new one.
//   - The lock is an flock on PATH.lock, which the kernel drops when its
//     holder dies, so a killed apply never blocks the next one. The lock
//     file records the holder's state.LockInfo so a waiter can name it; the
//     file is never removed, because a holder's lock lives on its inode.
//
// This package imports state and the standard library only; nothing in it
// knows about planning or the CLI.
package local
