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
// Third-party providers are executables named slipway-provider-NAME,
// found only on the user's search path: the directories of
// SLIPWAY_PROVIDER_PATH, the provider_dirs of ~/.slipway/config.hcl, and
// ~/.slipway/providers. The .slipway/providers directory beside the
// configuration, which a repository can commit, is searched last and only
// when the user trusts it from outside the repository
// (SLIPWAY_TRUST_LOCAL_PROVIDERS=1, or trust_local_providers in
// ~/.slipway/config.hcl). `slipway init` pins each provider in the lock
// file (.slipway.lock.hcl) by version and the hashes of its binary, never
// by path; every later start runs the first binary on the search path
// whose hash is pinned, and refuses when there is none. The binary that is
// hashed is the one that runs: it is opened once, hashed through the open
// file, and executed from that file. Built-in providers are served by the
// slipway binary itself (`slipway provider serve NAME`), still as a child
// process over the same protocol, and are pinned by slipway's version.
//
// A provider whose required_providers source names a repository in an OCI
// registry is pulled by init (package oci) into ~/.slipway/providers, in
// the mirror layout the search path reads, and pinned with its source and
// the digest of the index it came from as well. A pulled binary is
// installed only when its hash is pinned, or when no pin exists yet, or
// when it comes from the very index the pin names.
//
// What must stay true: no provider binary runs unless it is on the search
// path and its hash is pinned (init runs an unpinned one to learn its
// version, from the search path only); nothing the configuration's
// directory supplies is run unless the user trusts it; every started
// process is ended by Close.
package plugins
