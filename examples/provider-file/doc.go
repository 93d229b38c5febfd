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

// Command provider-file is a complete slipway provider with one resource
// type, "file": a local file with the content and mode the configuration
// gives. It is the example to copy when writing a provider of your own:
// package file is the whole provider, file_test.go tests it through the
// real plugin protocol with sdktest, and main.go serves it.
//
//	resource "file" "motd" {
//	  path    = "/tmp/slipway/motd"
//	  content = "hello\n"
//	  mode    = "0600" # optional, "0644" when unset
//	}
//
// It is a Go module of its own, as a provider outside slipway's repository
// is: its go.mod requires the SDK module alone, with a replace to the SDK
// beside it in the repository. Build it with `go build` in this directory
// and let `slipway init` find the binary; started by hand it only says
// that it is a plugin.
//
// Its reference pages, in docs/, are written by `slipway providers docs
// file -examples .. -out ../../docs` run in examples/provider, from its
// schema and the example configurations in examples/ (see "Documenting a
// provider" in the documentation).
//
// What must stay true: it uses nothing but plugin-sdk (and go-cty), its
// module graph holds nothing of Kubernetes or Helm (a test in cmd/slipway
// builds it as an outside module and checks), and the provider stays
// short enough to read in one sitting.
package main
