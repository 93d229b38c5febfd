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

// Package kube is what slipway's two Kubernetes providers, kubernetes
// (kubernetes_app) and helm (helm_release), share: the cluster connection
// (kubeconfig, context, rate limits, dynamic client and a RESTMapper
// cached for the process), object IDs, what plans and state show of an
// object (Normalise), health in Argo CD's words (kstatus underneath),
// server-side apply and its dry-run, the LISTs that find many live
// objects at once (LiveSet), the watches that waits share (Watches), and
// the tracking marks of Argo CD and Flux by which an app adopts their
// objects (Adoption).
//
// What must stay true:
//
//   - Both providers show the same object the same way: one ID format
//     ("GROUP/VERSION KIND NAMESPACE/NAME"), one normalisation, one health,
//     so a user reading a plan cannot tell which provider made it.
//   - Nothing here changes the cluster except Mappings.Apply without
//     dryRun and Mappings.DropMarks; everything else only reads.
//   - A wait costs O(kinds) watches for the whole process, not requests
//     per object or per round: Watches polls only what it cannot watch.
//   - A watch's store is read as the cluster's only while it is current
//     (streams): a stream open that delivered lately, no error since its
//     last sync. client-go's informers do not say so; every informer
//     here is built on streams.listWatch.
//   - The package imports nothing of slipway but plugin-sdk, and nothing of
//     Helm: it is the providers' common ground, not a third provider.
//     Anything only one provider needs stays in that provider.
package kube
