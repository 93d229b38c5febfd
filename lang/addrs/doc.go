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

// Package addrs holds slipway's typed addresses: the names by which
// configuration, plans, state and the CLI refer to the things a
// configuration declares (file.a, source.git.app, pipeline.myapp,
// app.web["eu"], provider.kubernetes.prod, var.region).
//
// What must stay true: addresses are small comparable values; their
// String form round-trips through ParseResourceInstance; this package
// imports nothing of slipway's, so every other package may import it.
package addrs
