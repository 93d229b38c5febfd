// Package builtin is the contract between slipway's core and its built-in
// providers: the resource types the core lowers block kinds to, and the
// names of their attributes. Both sides import these constants, so a
// renamed type or attribute fails to compile on the side that was not
// changed, instead of failing at run time.
//
// What must stay true: this package holds names and the few value types
// both sides build, nothing else; it imports go-cty only, so that a
// third-party provider can import plugin-sdk without anything of
// Kubernetes or Helm.
package builtin
