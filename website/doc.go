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

// Package website is slipway's documentation site: the Markdown pages in
// docs/ (docs/reference/ is generated, see below), the hugo configuration
// (hugo.toml), the site's own layouts and static files, and the plan
// viewer in static/viewer/. `make site` builds it with Debian's hugo.
//
// The Go code here is the site's checks and generator: a test builds the
// site with hugo, serves it and follows every internal link in a headless
// Chromium; refgen writes the reference pages from the block and provider
// schemas, the providers' pages with package planner/provdocs as `slipway
// providers docs` does (and examples/provider-file/docs the same way).
//
// What must stay true: the built site needs nothing from the network (no
// theme download, no CDN), every internal link resolves and every anchor
// exists, and docs/reference/ and examples/provider-file/docs are what
// `go generate ./website` writes (refgen's test and make check-generate
// fail otherwise).
package website

//go:generate go run ./refgen -out docs/reference
