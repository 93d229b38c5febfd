// Package plugins finds, pins and starts provider plugins.
//
// Third-party providers are executables named slipway-provider-NAME found
// in the directories of SLIPWAY_PROVIDER_PATH, .slipway/providers beside
// the configuration, and ~/.slipway/providers. `slipway init` records each
// one's path, version and sha256 in the lock file (.slipway.lock.hcl);
// every later start checks the binary against that checksum and refuses a
// binary that changed. Built-in providers are served by the slipway binary
// itself (`slipway provider serve NAME`), still as a child process over the
// same protocol, and need no lock entry.
//
// What must stay true: no provider binary runs unless its checksum matches
// the lock file; every started process is ended by Close.
package plugins
