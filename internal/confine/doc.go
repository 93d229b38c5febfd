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

// Package confine resolves paths that configuration or a repository names
// inside a directory (a workspace, a checkout) with their symbolic links
// followed, so that a link cannot take a read or a write outside it: the
// containment check is made on where the path really leads, not on how
// it is spelled.
//
// The core and every built-in provider use it, so they all confine paths
// the same way. It lives in slipway's module, not in the plugin-sdk
// module, because it is built on filepath-securejoin and the SDK depends
// on nothing but go-plugin, gRPC, protobuf and go-cty; a third-party
// provider that reads files a configuration names can use
// filepath-securejoin or os.Root directly.
//
// OpenFile is the other side of the same care: where slipway writes a
// file of its own in a directory a repository fills (the local state's
// lock, an agent's log), it opens no link the repository may have put
// there in its place.
//
// What must stay true: a path it returns is inside the root it was given,
// after every link on the way is followed; it never follows a link out;
// OpenFile never opens through a link at the path's last element.
package confine
