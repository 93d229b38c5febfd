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

// Package planfile saves a plan to a file (`slipway plan -out FILE`) and
// reads it back, so that apply carries out exactly what was shown.
//
// A plan file is a gzip-compressed JSON document, sealed by a state.Sealer
// when the configuration encrypts saved plans (WriteSealed, ReadSealed). Its "format" field is
// always "slipway-plan" and its "format_version" is plans.FormatVersion.
// Values are stored with their types beside them, in an encoding of this
// package's own (see value.go) that keeps unknown values, their
// refinements, and the difference between a null value and a missing one.
//
// What must stay true: Read(Write(p)) equals p, field for field, with
// unknowns intact; a file from a newer format major is refused, never
// half-read; Write replaces the destination atomically, so a reader sees
// the old file or the complete new one; the file is created readable by
// its owner only, because plans hold variable values.
package planfile
