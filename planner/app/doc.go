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

// Package app is the app block kind (CD, Argo CD's Application): the HCL
// schema of an app block (source or chart, destination, sync,
// ignore_differences); its decoding and lowering to one provider resource
// per instance, builtin.KubernetesApp for plain YAML and kustomize or
// builtin.HelmRelease for a chart (a chart block, a helm block, or a
// source directory found to hold a Chart.yaml when the app is planned;
// apply follows the plan's choice); the per-object changes a plan shows of
// it; how a pending promote to its source shows in its plan; and its sync
// history in state, for status and rollback.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through kind.Kind
// and kind.Nester. Attribute names of the lowered resources come from
// internal/builtin, never string literals. An apply holds an app to
// the manifests its plan showed (Lowering.Hold), so a saved plan or a
// rollback applies exactly what it displayed.
package app
