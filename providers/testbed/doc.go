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

// Package testbed runs the real parts that slipway's end-to-end tests and
// `make demo` work against: a Kubernetes control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler) whose pods run
// on a kwok fake node and become Ready, git's own smart-HTTP server, an
// image registry, PostgreSQL and Prometheus; it finds Chromium for the
// plan page's browser tests, and installs the Gateway API's CRDs into a
// cluster. Nothing is faked at the protocol level; only the
// kubelet is. The controller manager runs every controller but those that
// need a cloud, node IPAM or a metrics API (the horizontal pod
// autoscaler, which without one only writes Warning events).
//
// EnsureBinaries builds the control plane from pinned Go module versions
// through wrapper modules (k8s.io/kubernetes replaces its staging modules);
// StartCluster runs it on a working directory; Shared and Main give a test
// binary one cluster that is started on first use and stopped at the end;
// StartGitServer serves bare repositories for clones and pushes;
// StartPostgres runs a cluster of its own (SharedPostgres, one per test
// binary), as the postgres user when the tests run as root; Chromium
// returns Debian's chromium, installing it when missing; StartPrometheus
// runs Debian's prometheus scraping the targets a test gives it.
//
// What must stay true:
//
//   - Every process the package starts is stopped by its pid (SIGTERM to
//     its process group, SIGKILL after a grace period) and waited for. On
//     Linux each child also dies with its parent, so a crashed test leaves
//     nothing running.
//   - Every port is on 127.0.0.1, chosen free at start; nothing listens on
//     another interface.
//   - Binaries are cached outside the repository, keyed by their versions,
//     and built when missing. A test that needs the cluster never skips: it
//     fails and says how to get it.
//
// The package runs on Unix only; it imports testing, so only tests and the
// slipway-testbed command should import it.
package testbed
