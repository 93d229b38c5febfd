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

// Command viewerpage writes the plan viewer, the plan page with no plan in
// it, to the file it is given. `go generate ./planner/render` runs it to
// make the docs site's viewer (website/static/viewer/index.html).
//
// What must stay true: the file it writes is HTMLViewer's page byte for
// byte, so check-generate can compare it with the committed one.
package main
