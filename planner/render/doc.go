// Package render draws every view of a plan and of state: the human plan
// (Human), the pull-request comment (Markdown), the versioned JSON plan
// (JSON), and the views of state behind `show`, `state show` and
// `output -json` (HumanState, HumanResource, StateJSON, OutputsJSON).
//
// What must stay true:
//   - every plan view is rendered from the one plans.Plan, and nothing
//     else; a view never decides what the plan does, only how it reads;
//   - sensitive values never appear in the human, markdown or JSON plan
//     views, nor in the human state views: a value at or under a
//     sensitive path is written as "(sensitive value)" or, in JSON, as
//     null with true at its place in the *_sensitive mirror;
//   - output is deterministic: attributes and keys are sorted, and the
//     same plan renders to the same bytes (colour only when asked for);
//   - the JSON documents only grow within a format major: fields are
//     added, never renamed, removed or given a new meaning.
package render
