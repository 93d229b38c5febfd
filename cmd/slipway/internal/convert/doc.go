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

// Package convert turns Argo CD and Flux manifests into slipway
// configuration: Argo CD's Application and ApplicationSet, and Flux's
// GitRepository, HelmRepository, Kustomization and HelmRelease become
// source and app blocks, written with hclwrite in slipway's canonical
// layout.
//
// What must stay true: nothing is dropped silently. Every field that has
// no equivalent is an Issue, reported to the caller and written as a
// comment at its place in the output. The output always parses and, for
// the fields converted, validates: a field that cannot be written validly
// is reported instead of written. The package reads files and nothing
// else; it neither reaches a cluster nor a git remote.
package convert
