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

// Package agent is how `slipway plan` asks `slipway agent`, a process
// that stays running in a configuration directory, to make a plan for it:
// the socket, the request, and the streams and exit code sent back; and
// whether plan asks an agent, or starts one (ModeOf).
//
// What must stay true:
//   - The agent listens on a Unix socket in the directory's .slipway
//     (SocketPath), which only its owner may open, and serves only a
//     client of its own user (the peer's credentials are checked on every
//     connection) running the same slipway build, in the same directory,
//     with the same environment but for the variables a shell or terminal
//     sets (Refusal). Anything else is refused before any output, and the
//     client then plans by itself: the agent never changes what a plan
//     says, only how long it takes.
//   - The agent serves one request at a time, in the order they arrive.
//   - A client that goes away, or is interrupted, ends its request: the
//     agent cancels it.
//   - Nothing in this package runs a command: Serve takes the handler
//     that does, and the client starts an agent itself.
//   - ModeOf never says start in CI or automation unless SLIPWAY_AGENT
//     says on: a process left behind on a CI machine outlives its job.
package agent
