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

// Package host is slipway's side of the provider protocol: it launches a
// provider plugin (a provider binary, or `slipway provider serve NAME` for
// the built-in ones), checks the handshake, and offers each RPC as a method
// taking and returning the SDK's plain Go types. slipway's core uses it;
// provider authors meet it only through package sdktest.
//
// Values are encoded and decoded against the schema of each request's type
// (fetched once per Client), so unknown values survive and cty.NilVal goes
// as null. Problems the provider reports are diagnostics in the responses;
// a returned error means the call itself failed: the context ended, the
// client was closed (ErrClosed), or the process died (ErrProviderCrashed,
// with the plugin's last output in the message).
//
// The two ends admit each other by go-plugin's automatic mutual TLS, or,
// for a provider built into slipway (LaunchConfig.Peer), by each other's
// process as the kernel records it for the socket between them.
//
// A provider process never outlives slipway: on Linux the kernel kills it
// when slipway dies (a parent-death signal), and everywhere the SDK's
// Serve exits when its parent is gone. A launch that is cancelled kills
// the process it started and returns within two seconds, even when the
// process never answers the handshake.
//
// Halt is how slipway stops a provider when the user stops it at once:
// Stop, a grace period for the calls in flight to return, and a kill
// when they have not.
//
// What must stay true: a Client is safe for concurrent use; Apply hands
// each item's result to the caller as soon as the provider finishes it;
// the package exposes no generated protocol type; and the protocol version
// it speaks is bumped (in internal/wire) on any incompatible change.
package host
