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

// Package peercred tells who is at the other end of a Unix socket, from
// the kernel's record of the socket (SO_PEERCRED on Linux,
// LOCAL_PEERCRED and LOCAL_PEERPID on macOS): the user and the process
// that connected, or, on the connecting side, that listened.
//
// slipway checks with it that only the process that started a built-in
// provider talks to it, and the provider's own process answers (the
// plugin's transport credentials, instead of a certificate made and
// checked at each start), and that only the agent's user talks to the
// agent.
//
// What must stay true: every function fails, never guesses, where the
// system cannot say (Supported says why), so that a check built on them
// refuses rather than lets a stranger in.
package peercred
