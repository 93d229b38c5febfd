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

// Package kubernetes is slipway's kubernetes provider: resource type
// "kubernetes_app", into which the core lowers each instance of an `app`
// block — Argo CD's sync, done as plan and apply.
//
// An app is a directory of manifests (a kustomization rendered with
// kustomize's krusty, or plain YAML/JSON files read recursively), told
// apart by builtin.DetectTool as the core told them apart when it lowered
// the app; a render error says what the directory was taken for. Plan
// shows, per object, what the API server would make of it: a server-side
// apply dry-run (field manager "slipway") compared with the live object,
// both normalised — server-managed noise dropped (managedFields,
// resourceVersion, status, ...) and limited to the fields the manifests
// set, so defaulted fields the user never wrote stay out of the diff.
// Apply is server-side apply in order: Namespaces, then CRDs (waited for
// until established), then pre-sync hooks, pruning (unless prune_last),
// the sync waves (annotation slipway.dev/sync-wave) in ascending order,
// each wave by kind in Helm's install order with up to 8 objects at once,
// the health wait (kstatus, when wait_timeout is set), post-sync hooks,
// and pruning last when prune_last. Objects the plan found exactly as
// slipway last applied them (privateData.Unchanged) are not applied
// again. Health waits watch the objects (kube.Watches: one informer per
// kind for the process, shared by every app; in each namespace while the
// waits are in at most eight, across the cluster beyond) and poll only
// what cannot be watched; the wait that ends a sync, with nothing to write after it,
// tells slipway through sdk.ApplyRequest.Waiting, which frees the apply's
// parallelism slot. Transient API errors are retried with the app's
// backoff. Deletion goes the other way round, in the foreground.
// The state's `objects` holds every object by ID ("apps/v1 Deployment
// web/web"); `inventory` lists the IDs the app owns. Hooks (objects
// annotated slipway.dev/hook: pre-sync or post-sync) run at every apply
// and are not among the app's objects.
//
// Plans are batched: one LIST per kind for every app of a batch (objects
// labelled app.kubernetes.io/managed-by=slipway), in each of the apps'
// namespaces when they are at most eight (kube.FetchLive), plus LISTs
// restricted to the namespaces and kinds of desired objects that LIST did
// not return, but for namespaces the apps create that do not exist yet,
// which hold nothing (one LIST of Namespaces decides them).
// An object whose manifest hash matches the one recorded at the last
// apply (Private) and whose fields are still owned by slipway with the
// manifest's values needs no dry-run: it is planned as the live object.
// A plan LISTs the kinds of the apps' inventories while it renders their
// manifests, and splits each LIST into its items without decoding them
// (see kube.LiveSet.FetchLazy); the work of each app (rendering,
// conversions to cty) runs on every CPU.
// A refresh compares each live object with its recorded value straight
// from the JSON the LIST returned, without decoding it (asLiveJSONOf;
// kube.Live decodes an object only when asked), and says the app is
// unchanged when every object is as recorded; only the objects that
// differ are decoded and built into new values. The last apply records a
// digest of what the app's manifests were made from (the plain files and
// the configuration that shapes them, inputsDigest); a plan that finds the
// same digest for an app the refresh found as recorded plans it without
// decoding a manifest (planUnchanged): its plan carries no manifests, and
// apply, if the configuration changed (a new revision), renders them
// again and refuses to go on if they are not those of the digest.
// An app's Private also records where apply read each of its objects
// (elision: the object's resourceVersion, and the digest of slipway's
// entries of its managedFields) and a digest of the
// configuration it applied. With them the app answers the SDK's elided
// refresh and plan (sdk.ResourceWithElidedState): slipway sends no state
// for an app whose every object is live where recorded (the same
// resourceVersion, or slipway's entries unchanged, as they are through status
// writes) and whose configuration and inputs are those applied; any other
// app is sent its state and read and planned as above. The elided refresh
// reads the marks from the objects' metadata alone (kube.FetchMeta: LISTs
// of PartialObjectMetadata, in protobuf: at 1,000 apps, about a third of
// the wall clock of LISTs of the whole objects in JSON); the apps it
// cannot answer are LISTed again in full. A process the host keeps for
// the plans that follow (sdk.ConfigureRequest.Resident: slipway agent)
// watches what those LISTs read across the cluster (kube.MetaWatch), and
// answers them from the watches once they have synced: a watch holds what
// a LIST made a moment earlier would have found, and an object written
// since (by an apply the watch has not caught up with) does not match
// its recorded mark, so its app is read in full. A refresh in full that
// finds every object of such an app with its recorded value reads the
// marks anew and, when they say more than the record (renewedElision),
// returns them in Private, which slipway records when it applies the
// plan, even a plan that changes nothing.
// The benchmarks BenchmarkNoopPlan and BenchmarkListFloor hold a no-op
// refresh and plan against the LISTs they cannot avoid.
//
// What must stay true:
//
//   - slipway never touches an object it does not own: it deletes (prune,
//     destroy) only objects in the app's inventory that carry both labels
//     app.kubernetes.io/managed-by=slipway and slipway.dev/app=NAME, and it
//     never deletes a namespace it created for create_namespace;
//   - a plan never mutates the cluster: it makes only reads (LIST,
//     discovery) and dry-run applies;
//   - a plan with nothing to do makes no per-object request: no GET, no
//     dry-run — its cost is one LIST per kind (per kind and namespace,
//     for apps in at most eight namespaces), whatever the number of
//     objects, and none for a kind a kept process watches;
//   - apply applies exactly the manifests the plan showed (they travel in
//     PlannedPrivate, or, for a plan made from the digest, are checked
//     against it), not whatever the directory holds by then, and of them
//     only those the plan did not find unchanged;
//   - a plan made without rendering says only what the full plan would:
//     an app is planned so only when its digest is the recorded one, the
//     refresh found every object with its recorded value, and nothing
//     else can change (no rollout, nothing left to prune); inputsScheme
//     is raised whenever the same inputs would make other objects;
//   - an elided refresh or plan says unchanged only where the full one
//     would: each mark pairs with the recorded value it was read with
//     (apply takes both from the same object, or from the plan's read of
//     an object it did not apply again; a refresh in full, from the
//     object it found with the recorded value), a mark matches by
//     slipway's managedFields entries only while slipway owns every
//     recorded field (a field slipway applied cannot change without its
//     entry changing; a field given back by hand can), Secrets match by
//     resourceVersion alone, and elideScheme is raised whenever a record
//     would stand for something else;
//   - after calling Waiting, an apply makes no change to the cluster;
//   - rendering reads only the app's files: no program runs and nothing is
//     fetched (kustomize's plugins and helm inflation are off, and a
//     kustomization naming a remote base or file is refused before
//     kustomize runs: localKustomization).
//
// The provider uses nothing of slipway but plugin-sdk and
// providers/internal/kube (what it shares with the helm provider: the
// cluster connection, object IDs, normalisation, health and the LISTs of
// FetchLive), and is safe for concurrent use once configured.
package kubernetes
