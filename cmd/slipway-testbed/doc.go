// Command slipway-testbed runs slipway's testbed (package
// providers/testbed) outside of tests, for `make demo` and for people:
//
//	slipway-testbed build            build the control-plane binaries once
//	slipway-testbed up --dir DIR     start a cluster, a git server and an image registry in the background
//	slipway-testbed down --dir DIR   stop them
//
// up re-executes the command as `slipway-testbed serve --dir DIR` in a new
// session, so the testbed outlives the shell that started it. serve writes
// DIR/testbed.pid at once and DIR/env (shell exports of KUBECONFIG,
// SLIPWAY_GIT_URL, SLIPWAY_GIT_ROOT and SLIPWAY_REGISTRY) once everything
// is ready, and stops every component when it gets SIGTERM, which is what
// down sends. Each up starts afresh: it replaces DIR/cluster, DIR/git and
// DIR/registry.
package main
