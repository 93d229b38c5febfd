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

// Command provider-distribution is a slipway provider for the repositories
// and tags of an OCI (Docker) distribution registry, talking to it over
// the distribution HTTP API with net/http. It is the second example
// provider, beside provider-file, and shows what a provider for a real
// service needs: a provider block (the registry's URL and credentials),
// a nested block, validators, plan modifiers, an import and a state
// upgrade, all written against the SDK module alone.
//
// It is named distribution, after the registry API it speaks, for
// slipway's built-in provider is already called registry (it builds
// images) and owns the registry_ type names.
//
//	provider "distribution" {
//	  url = "https://registry.example.com"
//	}
//
//	resource "distribution_tag" "stable" {
//	  repository = "team/app"
//	  tag        = "stable"
//	  source {
//	    repository = "team/app"
//	    reference  = "1.4.2"
//	  }
//	}
//
//	source "distribution_tags" "releases" {
//	  repository = "team/app"
//	  match      = "^1\\."
//	}
//
// Package distribution is the whole provider; main.go serves it. Its own
// tests run offline (schemas, validators, the state upgrade through the
// plugin protocol); the end-to-end test against a real registry lives in
// slipway's repository (internal/exampletest), which can start one, so
// that this module needs nothing of slipway's.
//
// Deleting a tag: the distribution API deletes manifests by digest, not
// tags, so destroying a distribution_tag deletes the manifest it points at;
// the provider refuses when another tag of the repository points at the
// same manifest, and says which (see distribution.tag). The registry must
// allow deletes (storage: delete: enabled: true).
//
// Its reference pages, in docs/, are written by `go generate ./website`
// (website/refgen) exactly as `slipway providers docs distribution
// -examples .. -out ../../docs` run in examples/provider writes them, from
// its schemas and the example configurations in examples/; refgen's test
// fails when they are out of date.
//
// What must stay true: it uses nothing but plugin-sdk (and go-cty and the
// standard library), its module graph holds nothing of Kubernetes, Helm
// or go-containerregistry (a test in cmd/slipway builds it as an outside
// module and checks), and it stays short enough to read in one sitting.
package main
