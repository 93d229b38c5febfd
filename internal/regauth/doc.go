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

// Package regauth holds the guards every registry call of slipway's goes
// through, so that the registry provider (image sources and builds) and
// the core's OCI provider installation (slipway init, slipway providers
// push) keep the same two rules. Both call registries with
// go-containerregistry and read credentials from docker configuration
// files, and neither rule is something that library enforces:
//
//   - A docker config names credential helpers (credsStore, credHelpers),
//     and docker/cli runs docker-credential-NAME for them. A NAME holding
//     a path separator is run as a path relative to the working
//     directory, which may be a checkout under review, so a repository
//     could commit a config naming its own program beside it.
//     CheckHelpers refuses a helper name that is not a plain program name;
//     DefaultKeychain is authn.DefaultKeychain behind that check, over
//     every file it may read (DOCKER_CONFIG or ~/.docker/config.json,
//     REGISTRY_AUTH_FILE, podman's containers/auth.json).
//   - go-containerregistry picks plain HTTP by itself for more hosts than
//     loopback ones (private addresses, *.localhost names, racing HTTPS
//     against HTTP), and no option turns that off. RefusePlainHTTP wraps
//     the transport under every registry call (remote.WithTransport) and
//     refuses an http:// request to any other host unless the caller
//     allows plain HTTP, the ping, token services and redirects included.
//
// What must stay true: a helper whose name is not a plain program name
// never runs, and DefaultKeychain resolves nothing while any file the
// default keychain may read names one; a plain name is run as docker runs
// it, found on PATH. No request goes over plain HTTP to a host other than
// localhost, 127.0.0.0/8 or ::1 unless the caller said it may; nothing is
// sent to a refused host, credentials included. Callers say what the user
// can do about a refusal (the errors are *HelperError and
// *PlainHTTPError); the messages here say what was refused and why.
//
// The package lives in slipway's module and imports go-containerregistry
// and docker/cli only, so that both the core (planner) and the built-in
// providers may use it.
package regauth
