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

package kubernetes

import (
	"context"
	"errors"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/analysis"
	"slipway.dev/slipway/providers/internal/kube"
)

// analyzer returns what runs a rollout's analyses for an app: Prometheus
// queries, HTTP checks, and Jobs in the cluster (in the workload's
// namespace when the Job's manifest names none). A run ends between two
// measurements once interrupt closes (analysis.ErrInterrupted).
func (p *provider) analyzer(cl *kube.Cluster, cfg appConfig, interrupt <-chan struct{}) func(ctx context.Context, a *rolloutspec.Analysis, run rolloutspec.AnalysisRun, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error) {
	return func(ctx context.Context, a *rolloutspec.Analysis, prior rolloutspec.AnalysisRun, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error) {
		env := analysis.Env{Namespace: cfg.Namespace, Interrupt: interrupt}
		if env.Namespace == "" {
			env.Namespace = cl.DefaultNamespace
		}
		if a.Job != nil {
			jobs, err := analysis.NewKubeJobs(cl)
			if err != nil {
				prior.Phase, prior.Message = rolloutspec.Error, err.Error()
				return prior, nil
			}
			env.Jobs = jobs
		}
		run, err := analysis.RunFrom(ctx, a, env, prior, report)
		if err != nil && ctx.Err() == nil && !errors.Is(err, analysis.ErrInterrupted) {
			// An analysis that cannot be measured at all fails the
			// rollout with its reason, as a failed one does.
			run.Phase, run.Message = rolloutspec.Error, err.Error()
			return run, nil
		}
		return run, err
	}
}
