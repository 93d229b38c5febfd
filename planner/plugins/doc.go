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
