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

// Package views renders what the CLI shows: diagnostics, plans, apply
// progress and state, for people (colour when the terminal wants it) or
// as JSON. Operations hand views data; views never decide what to do.
//
// What must stay true: human output goes to the View's streams only, is
// coloured only when Color is set, and never shows a sensitive value.
// Carriage returns and cursor codes (Progress's live status line) are
// written only when Progress.Live is set, which NewProgress does only on
// a coloured terminal outside automation; every other write through the
// View clears that line first. The text of diagnostics (summary, detail,
// file name, source lines), errors, provider log lines and progress
// messages (what a provider or a pipeline stage said) is escaped through
// termtext, its secrets masked, so that none of it can move the terminal;
// the JSON events carry it as it is, JSON escaping control characters.
// With -json, the standard output of plan and apply holds JSON events,
// one per line, and nothing else (StartStream): diagnostics and errors
// are events too. Every event is valid against
// website/schema/ui-events.schema.json, generated from eventJSON.
package views
