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

// Package retry is the one retry loop of the providers: an operation tried
// again after failures worth another go, with exponential backoff and
// jitter, built on k8s.io/apimachinery's wait.
//
// What must stay true:
//   - No wait is shorter than its backoff step nor longer than the
//     policy's Max: the jitter is added inside Max, not on top of it.
//   - A cancelled context ends a wait at once; the operation is never
//     started again after that.
package retry
