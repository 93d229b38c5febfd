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

// Package distribution is a slipway provider for an OCI distribution
// registry's tags: the resource type distribution_tag (a tag copied from a
// source tag or digest) and the source type distribution_tags (a
// repository's tags). client.go is the registry's HTTP API, through
// net/http alone; provider.go, tag.go and tags.go are the provider.
//
// What must stay true: the package imports the SDK, go-cty and the
// standard library only; every state upgrader, once released, is kept
// (distribution_tag's schema version 0 stored source_ref = "REPO@REF");
// destroying a tag never deletes a manifest another tag points at.
package distribution
