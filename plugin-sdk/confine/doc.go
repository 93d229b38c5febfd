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
// It is part of plugin-sdk so that the core and every provider, the
// built-in ones and third-party ones that read files a configuration
// names, confine paths the same way.
//
// What must stay true: a path it returns is inside the root it was given,
// after every link on the way is followed; it never follows a link out.
package confine
