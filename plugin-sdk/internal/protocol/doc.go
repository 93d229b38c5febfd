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

// Package protocol holds the Go code generated from
// plugin-sdk/proto/slipway/provider/v1/provider.proto by `make generate`
// (protoc, protoc-gen-go and protoc-gen-go-grpc at pinned versions). Only
// this doc.go is written by hand.
//
// What must stay true: the generated files are never edited, and they match
// the .proto (`make check-generate` fails otherwise). The package is internal
// to plugin-sdk: provider authors and slipway's core see the SDK's plain Go
// types, never these messages. An incompatible change to the .proto bumps
// the protocol version in package wire.
package protocol
