// Package rollout is the rollout block kind: a progressive delivery
// strategy (canary, blue-green) that apps name. This version parses and
// orders rollout blocks in the graph, checks their references, and warns
// that their effects are not planned yet.
//
// What must stay true: this package imports neither the engine (package
// planner) nor another kind; the engine reaches it only through kind.Kind.
package rollout
