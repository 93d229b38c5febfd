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

// Package registry is slipway's built-in registry provider, built on
// go-containerregistry. It talks to OCI registries over their HTTP API;
// there is no Docker daemon. The one kind of program it runs is a docker
// credential helper, as docker runs it: when the docker config in use
// names one for a registry it reaches (credsStore, or credHelpers for
// that registry), docker/cli runs docker-credential-NAME get, found on
// PATH, for that registry's credentials (Go's os/exec refuses what a
// relative PATH entry such as "." finds). That holds for docker_config
// and for the default config alike. A NAME that is not a plain name (one
// holding a path separator or starting with a dot) is refused before
// anything runs: docker/cli would run it by a path relative to the
// working directory, which may be a checkout under review, so a
// repository naming its own config and helper would run a program of
// its own during plan. Without a helper named, nothing runs (the
// platform's default store is not looked for). The check is
// internal/regauth's (CheckHelpers, DefaultKeychain), which slipway's own
// provider installation from OCI registries uses too.
//
// It serves:
//
//   - the source type "image": a repository and a tag, or a version
//     constraint (semver = "~1.4") resolved to the highest tag that
//     satisfies it, resolved at every plan to the digest of the tag's
//     manifest or index, with a pinned ref ("REPOSITORY@DIGEST");
//   - the resource type "registry_image": an image built from files on
//     local disk (one layer) on a base image or on scratch, with its
//     entrypoint, command, environment and labels, pushed to one or more
//     tags.
//
// Credentials come from the provider block's username and password, then
// from a docker config.json (docker_config, or go-containerregistry's
// default keychain: DOCKER_CONFIG or ~/.docker/config.json, else
// REGISTRY_AUTH_FILE or podman's containers/auth.json). Plain HTTP goes
// only to loopback hosts (localhost, 127.0.0.0/8, ::1) unless insecure is
// set: go-containerregistry picks plain HTTP by itself for more than
// that (private addresses, *.localhost names), so the transport under
// every registry call (internal/regauth's RefusePlainHTTP) refuses an
// http:// request to any other host, the ping, token services and
// redirects included.
//
// Planning an image reads its files but not the registry: an unchanged
// configuration whose files are unchanged too (a digest of them is kept in
// the state's private data) plans no change; anything else plans a new
// build and push, in place. Files missing at plan are no error then (a
// pipeline's stages make them before apply); apply names any still
// missing. Refreshing an image checks that its digest is still in the
// registry (the state goes when it is not) and drops from tags those that
// no longer name it, so the next plan pushes them again.
//
// What must stay true:
//   - Builds are reproducible: the same base manifest, the same file
//     contents and execute bits and the same configuration give the same
//     digest on any machine, from any directory, at any time. The layer's
//     entries are sorted by path, owned by root with no user or group
//     names, dated SOURCE_DATE_EPOCH (the Unix epoch when unset) with no
//     access or change times, and their modes are 0755 or 0644 (0755 for
//     directories); the layer is gzipped at a fixed level; the image's
//     created time is the same date. Only the default platform of a scratch
//     image, or of an image built on a multi-platform base, depends on the
//     machine; setting platform removes that. (A Go release that compressed
//     differently would change digests; the one the provider is built with
//     is part of its version.)
//   - Nothing needs a Docker daemon or any program besides the provider,
//     and nothing runs but the credential helpers, found on PATH, that
//     the docker config in use names; never a program the working
//     directory holds.
//   - Credentials and images cross the network over plain HTTP only to
//     loopback hosts, or where insecure says so.
//   - Nothing is ever deleted from a registry: destroying a registry_image
//     forgets it and keeps the image and its tags (Terraform's
//     keep_remotely = true). Registries often forbid deletes, and a digest
//     someone deployed must stay pullable.
//   - Reads are read-only: sources and refreshes only list tags and read
//     manifests, never push, tag or delete.
//   - A push writes the tags that look immutable first and "latest" last,
//     and a push that fails part way says which tags it wrote: the failed
//     apply's new state holds the image under those tags alone.
//
// The package imports plugin-sdk, go-containerregistry and slipway's
// root internal packages (builtin, confine, regauth), nothing of
// slipway's core.
package registry
