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

// Package helm is slipway's helm provider: resource "helm_release", an
// app whose manifests come from a Helm chart — a local directory (from a
// git source), an HTTP chart repository, or an OCI registry — installed,
// upgraded, rolled back and uninstalled with Helm's own actions
// (helm.sh/helm/v3/pkg/action).
//
// A plan renders the chart (a client-only install, or a dry-run upgrade
// of the existing release) and asks the API server, by server-side apply
// in dry-run, what each rendered object would become. Objects are shown
// as kubernetes_app shows them: by ID "GROUP/VERSION KIND NAMESPACE/NAME",
// without server-managed noise and Helm's ownership marks, limited to the
// fields the chart renders. Hooks are Helm's business and are not among
// them; CRDs from crds/ are, the subcharts' too, as Helm treats them
// (created at install when missing, never changed afterwards). Helm's
// record of a release keeps its chart without subcharts, so their CRDs
// are kept in Private. Helm's hooks are waited for up to the wait
// timeout, or the helm CLI's 5 minutes without one (defaultTimeout).
//
// A release is upgraded only when what Helm would send differs from the
// last release: the chart or the values (compared with the release, and
// with a digest of chart, subcharts and values kept as Private), or a
// rendered object compared with the live one. The revision counter never
// decides. Plan renders twice with the same inputs; fields that differ
// (randAlphaNum, now, uuidv4) are random_fields, pointers into the objects
// as the plan shows them (a Secret's stringData in its data): they keep
// their live value while the release stays and are unknown when it is
// upgraded.
//
// A release never installed may adopt the objects Argo CD or Flux synced
// from the chart (adopt): those that exist and carry the tool's tracking
// for that Application or Kustomization (kube.Adoption) are planned as
// adopted, compared with what is live, and the install takes them over
// in place with Helm's TakeOwnership, then removes the tracking marks the
// chart does not set itself. An object of the chart that exists without
// that tracking, and is not Helm's for this release, is refused by plan
// and apply alike, as Helm's install would refuse it.
//
// What must stay true:
//
//   - Plan never changes the cluster: it renders client-side or in a
//     dry-run upgrade, reads, and dry-runs; only Apply installs, upgrades,
//     rolls back or uninstalls.
//   - Release storage is Helm's own (Secrets in the release namespace), so
//     `helm list`, `helm history` and `helm rollback` agree with slipway.
//   - The provider never touches an object outside the release: every
//     change goes through Helm, which acts on the release's manifest only,
//     but for the tracking marks it removes from objects it adopted, and
//     the manifest of a custom resource it applies after an upgrade when
//     Helm's two-way patch left a hand edit (putBack).
//   - An install that adopted objects is never undone by an uninstall:
//     they existed before it.
//   - After an apply, state describes what is live, also after a failed
//     upgrade that was rolled back.
//   - A chart from a directory is read only within it: a symbolic link
//     that leads out of the chart, or a values file reached through one,
//     is refused (chartLinks, valuesLink), so no file of the machine ends
//     up in the rendered objects.
//
// The provider is safe for concurrent use; it talks to the core only
// through plugin-sdk. What it shares with the kubernetes provider (the
// cluster connection, object IDs, normalisation, health, server-side
// apply) is in providers/internal/kube.
package helm
