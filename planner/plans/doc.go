// Package plans is slipway's plan model: the one description of every
// effect a plan proposes, from which every view (human, JSON, markdown,
// HTML) is rendered and which apply carries out.
//
// What must stay true: a Plan is built by the planner and not changed
// afterwards, except by apply's own bookkeeping on a copy; values may hold
// unknowns (known after apply) but never marks; sensitive paths are kept
// beside the values, and every view must mask them.
package plans
