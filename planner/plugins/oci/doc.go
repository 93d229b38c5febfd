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

// Package oci publishes and fetches provider binaries as artifacts in OCI
// registries, with go-containerregistry and no container daemon.
//
// The artifact has the shape OpenTofu 1.10 gave provider mirrors in OCI
// registries, so the field's tooling (oras, registry UIs, copy and
// signing tools) handles it as it handles those:
//
//   - the version's tag (the semantic version, "+" written "_", since a
//     tag cannot hold "+") names an OCI image index whose artifactType is
//     ArtifactProvider;
//   - the index lists one image manifest per platform, each descriptor
//     carrying its platform (os, architecture);
//   - each manifest has artifactType ArtifactTarget, the empty JSON
//     config, and one layer of media type archive/zip: a zip holding the
//     executable slipway-provider-NAME (.exe on Windows).
//
// The artifact types name slipway rather than OpenTofu because the
// binaries speak slipway's plugin protocol, not OpenTofu's: a tool that
// selects by type must not take one for the other.
//
// What must stay true: every byte read from a registry is checked against
// the digest that named it before it is used (go-containerregistry checks
// manifests fetched by digest and blobs as they are read); sizes are
// bounded before anything is buffered; Push is reproducible, so pushing
// the same binaries again gives the same digests. Credentials come from
// the docker configuration (authn.DefaultKeychain, behind
// internal/regauth's check) unless the caller gives a keychain; a
// credential helper it names runs only if its name is a plain program
// name, found on PATH, never one docker/cli would run by a path relative
// to the working directory (a checkout, possibly one under review).
// Plain HTTP goes to registries on loopback hosts alone (localhost,
// 127.0.0.0/8, ::1): the transport under every call refuses it for any
// other host (internal/regauth's RefusePlainHTTP), though
// go-containerregistry would pick it by itself for private addresses and
// *.localhost names, and sends such a host nothing.
//
// The package knows nothing of lock files or search paths: callers hash
// and install what Fetch returns.
package oci
