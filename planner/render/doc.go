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

// Package render draws every view of a plan and of state: the human plan
// (Human), the pull-request comment (Markdown), the versioned JSON plan
// (JSON), the plan page (HTML, and HTMLViewer, the same page with no plan,
// which opens a JSON plan file), and the views of state behind `show`,
// `state show` and `output -json` (HumanState, HumanResource, StateJSON,
// OutputsJSON).
//
// What must stay true:
//   - every plan view is rendered from the one plans.Plan, and nothing
//     else; a view never decides what the plan does, only how it reads;
//   - sensitive values never appear in the human, markdown or JSON plan
//     views, nor in the human state views: a value at or under a
//     sensitive path is written as "(sensitive value)" or, in JSON, as
//     null with true at its place in the *_sensitive mirror;
//   - the Markdown comment shows plan data as text only: in code and
//     table cells every character Markdown or HTML could read as syntax
//     is a character reference (mdLiteral), free text is escaped
//     (mdText), no @ in it mentions anyone, and values in diffs are in
//     fences longer than any run of backticks they hold;
//   - the plan page is drawn in the browser from the JSON plan alone,
//     embedded with no raw '<'; its script (planpage/page.js) puts plan
//     data in the page as text only (textContent, never innerHTML), with
//     bidi and zero-width characters written as \uXXXX, keeps plan data
//     in maps with no prototype, and the page loads nothing from the
//     network;
//   - output is deterministic: attributes and keys are sorted, and the
//     same plan renders to the same bytes (colour only when asked for);
//   - a Markdown comment given a limit is never over it, and leaves out
//     the biggest diffs before any address; its counts are always exact,
//     and its last line says what it left out and where the full plan is;
//     the policies' verdict is in its head and never left out, and
//     warnings are left out before any error;
//   - a partial plan (-target, -exclude) says so in every plan view, and
//     a failed plan never says "No changes.";
//   - the JSON documents only grow within a format major: fields are
//     added, never renamed, removed or given a new meaning.
package render
