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

// Package wire is the glue both ends of the provider protocol share: the
// go-plugin handshake and plugin map entry, the gRPC options, the
// transport credentials by which a built-in provider and its host admit
// each other's process alone (PeerEnv), and the conversions between
// go-cty values or paths and protocol messages.
//
// Conversions of SDK types (schemas, diagnostics, requests) live with the
// side that needs them: package sdk encodes what a provider sends, package
// host decodes it. They cannot live here because package sdk imports wire to
// serve, and wire importing sdk would be a cycle.
//
// Values cross in go-cty's msgpack form, written by go-cty. They are read
// by a decoder of this package that reads the types of dynamic values in
// one pass, and leaves to go-cty's decoder every value it does not read
// itself (unknown values, errors): the result is always the one go-cty's
// decoder gives, which FuzzDecode checks.
//
// What must stay true: ProtocolVersion is bumped on every incompatible
// change to the protocol, and Handshake changes only with it; the magic
// cookie never changes. The peer credentials admit nothing they cannot
// check: no connection but over a Unix socket, none when the process
// to admit is not known. Nothing outside plugin-sdk imports this package.
package wire
