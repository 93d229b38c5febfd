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

// Package analysis takes the measurements of a rollout's analysis: a
// Prometheus query whose value a CEL condition judges, an HTTP check, or
// a Kubernetes Job. Run takes an analysis's Count measurements Interval
// apart and says whether the rollout may go on (Successful), must be
// rolled back (Failed), or could not be judged (Inconclusive); the
// kubernetes provider's rollout engine calls it at each analysis step.
//
// What must stay true:
//
//   - A measurement that could not be taken is never a success: an
//     unreachable or erroring server, an empty query result, a NaN, a
//     Job that could not be created are Inconclusive (Error when the
//     condition itself cannot be evaluated), with the cause as the
//     measurement's message.
//   - Every measurement is bounded: a prometheus or http one by
//     MeasureTimeout, a job one by its own bound (see Env.JobTimeout). One
//     that runs out of time is Inconclusive; a Job's says what its pods
//     were waiting on.
//   - Run stops as soon as the outcome is decided (failures above
//     FailureLimit, inconclusive measurements above InconclusiveLimit),
//     and at once when its context ends, returning ctx.Err(); a
//     measurement cut short by the context is not recorded.
//   - The package changes a cluster only through a JobRunner, and the
//     Jobs that KubeJobs creates are deleted once they finish, also
//     when the context ends first.
//   - It imports internal/rolloutspec for its data and
//     providers/internal/kube for the cluster connection, nothing of the
//     engine that calls it.
package analysis
