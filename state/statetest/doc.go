// Package statetest holds what tests of state backends share: TestBackend,
// the conformance test every state.Backend must pass, and Sample and Diff
// for tests that need a rich state or must compare two.
//
// Of slipway's packages it imports only state and lang/addrs; only tests
// may import it.
package statetest
