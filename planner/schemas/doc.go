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

// Package schemas is the documented form of slipway's schemas: the
// providers' (the JSON document `slipway providers schema -json` prints,
// shaped as Terraform's `providers schema -json`) and the blocks of the
// language (Blocks), which the reference pages of the documentation site
// are generated from.
//
// What must stay true:
//   - a provider's document says what its sdk.ProviderSchemas says and
//     nothing else: descriptions come from the providers' schemas, never
//     from here;
//   - output is deterministic: maps marshal with sorted keys, lists are
//     sorted by name;
//   - the JSON document only grows within a format major (FormatVersion):
//     fields are added, never renamed, removed or given a new meaning.
package schemas
