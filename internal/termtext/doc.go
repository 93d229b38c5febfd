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

// Package termtext writes text slipway did not write itself (values, the
// lines of a configuration file, what a provider or a pipeline stage
// said, a diagnostic's message) so that a terminal only shows it: every
// character that is not printable is written as an escape, \u001B for
// ESC, \u202E for a bidi override, so that no such text can move the
// cursor, rewrite a line, set the clipboard or the title, or reorder
// what is shown.
//
// The plan views (planner/render), the diagnostics (lang.WriteDiagnostics)
// and the CLI's lines for people (cmd/slipway/internal/views) all escape
// through it, so they agree on what is escaped and how. It lives here,
// not in render, because lang sits under render and views and must be
// able to import it.
//
// What must stay true:
//   - nothing but a printable character (unicode.IsPrint), a space and
//     the whitespace a function names (tab; newline for Lines) comes out
//     as itself: C0 and C1 controls, DEL, bidi controls, zero-width and
//     other format characters, line and paragraph separators and invalid
//     UTF-8 are all escaped;
//   - printable text comes out unchanged, byte for byte;
//   - it imports the standard library only, so every package may import it.
package termtext
