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

package rolloutspec

import (
	"errors"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

// DecodeJob reads the manifest of a job measurement: a batch/v1 Job with
// at least one container, every field one Kubernetes knows. The planner
// checks a manifest with it when the configuration is validated, and the
// provider decodes it so when the analysis runs, so that a manifest the
// plan accepts is one the rollout can run: a mistake is reported before
// anything moves, not when an earlier step has moved traffic.
func DecodeJob(manifest string) (*batchv1.Job, error) {
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(manifest), &job); err != nil {
		return nil, fmt.Errorf("read the job manifest: %w", err)
	}
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		return nil, fmt.Errorf("the job manifest is a %s %s; it must be a batch/v1 Job", job.APIVersion, job.Kind)
	}
	if len(job.Spec.Template.Spec.Containers) == 0 {
		return nil, errors.New("the job manifest has no containers in spec.template.spec.containers")
	}
	return &job, nil
}
