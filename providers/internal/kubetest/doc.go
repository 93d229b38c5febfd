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

// Package kubetest reads and makes Kubernetes objects behind a provider's
// back, for the end-to-end tests of the kubernetes and helm providers: to
// check what a plan or an apply did to the cluster, and to change the
// cluster the way someone else would.
//
// What must stay true: only tests import it, and it talks to the API
// server directly, never through a provider, so what it sees is what is
// in the cluster.
package kubetest
