// Package command holds the CLI's operations: each takes typed arguments
// (filled from flags by package main), does its work through lang,
// planner and state, reports through a views.View and returns the exit
// code. Nothing here knows about cobra or flag parsing.
//
// What must stay true: every operation that reads state for writing takes
// the state lock first and releases it on every path; every started
// provider is stopped before the operation returns; exit codes follow
// Terraform (0 success, 1 error, 2 changes present with
// -detailed-exitcode).
package command
