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

// Package kubernetes is state backend "kubernetes": the states of a
// configuration's workspaces kept in Secrets of one namespace, locked by
// coordination.k8s.io/v1 Leases, with the intent journal in Secrets too.
// Credentials follow kubectl: an explicit kubeconfig path, else KUBECONFIG,
// else ~/.kube/config, with an optional context; and the pod's service
// account when none of them exists or in-cluster is asked for.
//
// Objects, for workspace W and secret suffix X (names join with '.', which
// neither a workspace name nor a suffix may hold, so no two
// configurations' names can collide):
//
//   - slipway-state.W.X, the pointer: a small Secret naming the current
//     generation, its serial, lineage, chunk count and checksum.
//   - slipway-state.W.X.G.I, chunk I of generation G: the state document,
//     gzip-compressed, sealed when a Sealer is set, cut into pieces small
//     enough for a Secret (1 MiB less headroom). Chunks are immutable.
//   - slipway-journal.W.X.N.P, part P of journal record N: one group
//     commit of the intent journal (see state.StoreJournal).
//   - slipway-lock.W.X, the Lease that is the lock.
//
// Every object carries labels naming the suffix, workspace and role, which
// is how Workspaces finds workspaces and how garbage is found.
//
// What must stay true:
//
//   - A reader never sees half a state. Write creates every chunk of a new
//     generation first, then switches the pointer with one update that is
//     conditional on the resourceVersion it read, and only then deletes
//     older generations. A reader reads the pointer, then that
//     generation's chunks; a chunk deleted under it (a newer pointer won)
//     makes it read the pointer again. A checksum over the chunks guards
//     the rest.
//   - A writer that dies mid-write leaves chunks no pointer names. The next
//     successful Write deletes every chunk of another generation whose
//     serial is not above its own: such a writer read an older pointer, so
//     its switch can no longer succeed.
//   - Two writes racing without the lock cannot both win: the pointer
//     update is a compare-and-swap, and the loser fails, saying so, having
//     changed nothing a reader sees.
//   - Serial is as state.Backend says: a Write whose content equals what
//     is stored writes nothing. The pointer keeps a digest of the stored
//     document (sealed, when a Sealer is set, so it says nothing of the
//     plain text) to tell without reading the chunks.
//   - WriteSerial (a state moved here, keeping its serial) and Reseal (the
//     same state and serial, sealed by the current Sealer) store a new
//     generation exactly as Write does, through one function, so every
//     rule here holds for them too. WriteSerial refuses what
//     state.CheckReplace refuses. Reseal opens the state, its digest and
//     every journal record before it writes anything; it then writes the
//     state, and the journal as one base record.
//   - An object whose data a Sealer encrypted is annotated as sealed, and
//     only such an object: a Store without a Sealer refuses to read or
//     replace it, saying it is encrypted, and reads what was stored
//     unencrypted (by slipway state decrypt) as any other.
//   - The lock is a Lease whose holderIdentity is the lock ID and whose
//     annotation holds the state.LockInfo. Its holder renews it every
//     third of the lease duration; a waiter takes it once renewTime is
//     older than the duration. Times are read on the API server's clock
//     (estimated from the Date header of its responses), so clients with
//     skewed clocks agree; a waiter also takes a Lease it has watched go
//     unrenewed for a whole duration, whatever the clocks say.
//   - A holder that cannot renew learns that it lost the lock: once its
//     last successful renewal is older than the lease duration, or the
//     Lease names another holder or is gone (force-unlock), every Write
//     and journal append through that Backend refuses with an error
//     saying so, and Unlock reports it. Renewals are a third of the lease
//     duration apart, so a Write also reads the Lease just before it
//     switches the pointer, and a journal append just before the part
//     that makes its record count: one GET each, which finds a Lease
//     deleted or taken by another since the last renewal. Kubernetes has
//     no transaction across a Lease and a Secret, and no precondition on
//     one object's update that names another, so this cannot fence a
//     write whose lock is lost between that read and the switch: a
//     window of one request, unless the process stalls there. For a
//     lease that runs out, the lease duration is the margin.
//   - Every write finishes what it starts whatever its context says, as
//     the local backend does; each request is bounded by a timeout.
//
// This package imports state, client-go (with k8s.io/api and apimachinery)
// and x/sync only; nothing in it knows about planning or the CLI.
package kubernetes
