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

// Package schema generates the JSON Schemas of slipway's JSON output
// from the Go types that write it: the JSON plan, the state and outputs
// views, status, validate and version documents, and the events of the
// machine-readable UI (`plan -json`, `apply -json`). `go generate` writes
// them to website/schema/, where they are published; the tests of
// package main validate every JSON output of the end-to-end tests
// against those files.
//
// What must stay true:
//   - the schemas are generated, never edited: website/schema/ is what
//     Generate returns, byte for byte (TestCommitted; make check-generate);
//   - a schema changes only with its format's version: each document's
//     History records the digest of its schema at each version, and
//     TestHistory fails when the schema moved but the version did not;
//   - the schemas are strict (no property the types do not declare), so
//     an output that grows without its schema fails the tests.
package schema

//go:generate go run ./schemagen -out ../../../../website/schema
