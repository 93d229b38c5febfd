// Package views renders what the CLI shows: diagnostics, plans, apply
// progress and state, for people (colour when the terminal wants it) or
// as JSON. Operations hand views data; views never decide what to do.
//
// What must stay true: human output goes to the View's streams only, is
// coloured only when Color is set, and never shows a sensitive value.
package views
