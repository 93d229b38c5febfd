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

// Package builtin is the contract between slipway's core and its built-in
// providers: the resource types the core lowers block kinds to, and the
// names of their attributes. Both sides import these constants, so a
// renamed type or attribute fails to compile on the side that was not
// changed, instead of failing at run time.
//
// It lives in slipway's module, not in the plugin-sdk module: the names
// change with slipway's own providers, and a third-party provider has no
// use for them, so keeping them here lets them change without a release
// of the SDK.
//
// What must stay true: this package holds names, the few value types
// both sides build and the one rule both sides apply to a directory
// (DetectTool: which tool renders an app), nothing else; it imports
// go-cty and the standard library only.
package builtin
