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

package analysis

import (
	"context"
	"errors"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/kube"
)

// jobCheck runs a Job through a JobRunner.
type jobCheck struct {
	name      string
	metric    *rolloutspec.JobMetric
	jobs      JobRunner
	namespace string
}

func (c *jobCheck) measure(ctx context.Context) rolloutspec.Measurement {
	ok, msg, err := c.jobs.RunJob(ctx, c.name, c.metric.Manifest, c.namespace)
	switch {
	case err != nil:
		return measurement(rolloutspec.Inconclusive, "", err.Error())
	case ok:
		return measurement(rolloutspec.Successful, "", msg)
	}
	return measurement(rolloutspec.Failed, "", msg)
}

// AnalysisLabel is the label of the Jobs KubeJobs creates; its value is
// the analysis's name.
const AnalysisLabel = "slipway.dev/analysis"

// deleteTimeout bounds deleting a finished Job, which happens even when
// the context of RunJob has ended.
const deleteTimeout = 30 * time.Second

// KubeJobs runs analysis Jobs in a cluster. Each Job is created under a
// generated name with the label AnalysisLabel, followed with a watch
// until its Complete or Failed condition, and deleted with its pods
// (propagation Background) however the wait ended. It is safe for
// concurrent use.
type KubeJobs struct {
	Client kubernetes.Interface
}

var _ JobRunner = (*KubeJobs)(nil)

// NewKubeJobs makes a KubeJobs on the connection cl.
func NewKubeJobs(cl *kube.Cluster) (*KubeJobs, error) {
	c, err := kubernetes.NewForConfig(cl.Config)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &KubeJobs{Client: c}, nil
}

// RunJob implements JobRunner. The manifest is a batch/v1 Job; its name,
// if any, becomes the prefix of the generated one; a pod template
// without a restartPolicy gets Never, the only useful one for a
// measurement.
func (k *KubeJobs) RunJob(ctx context.Context, analysis, manifest, namespace string) (bool, string, error) {
	job, err := decodeJob(manifest)
	if err != nil {
		return false, "", err
	}
	if job.Namespace == "" {
		job.Namespace = namespace
	}
	if job.Namespace == "" {
		job.Namespace = metav1.NamespaceDefault
	}
	if job.GenerateName == "" {
		job.GenerateName = job.Name + "-"
		if job.Name == "" {
			job.GenerateName = analysis + "-"
		}
	}
	job.Name = ""
	if job.Labels == nil {
		job.Labels = map[string]string{}
	}
	job.Labels[AnalysisLabel] = analysis
	if job.Spec.Template.Spec.RestartPolicy == "" {
		job.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	}
	jobs := k.Client.BatchV1().Jobs(job.Namespace)
	created, err := jobs.Create(ctx, job, metav1.CreateOptions{FieldManager: kube.FieldManager})
	if err != nil {
		return false, "", fmt.Errorf("create the Job of analysis %s in namespace %s: %w", analysis, job.Namespace, err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
		defer cancel()
		background := metav1.DeletePropagationBackground
		// A failed delete leaves a finished Job behind, nothing running;
		// the label says whose it is.
		_ = jobs.Delete(dctx, created.Name, metav1.DeleteOptions{PropagationPolicy: &background})
	}()
	return waitJob(ctx, jobs, created)
}

// waitJob watches job until it has finished.
func waitJob(ctx context.Context, jobs jobsClient, job *batchv1.Job) (bool, string, error) {
	selector := fields.OneTermEqualSelector("metadata.name", job.Name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return jobs.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return jobs.Watch(ctx, o)
		},
	}
	var ok bool
	var msg string
	_, err := watchtools.UntilWithSync(ctx, lw, &batchv1.Job{}, nil, func(ev watch.Event) (bool, error) {
		switch ev.Type {
		case watch.Deleted:
			return false, fmt.Errorf("job %s/%s was deleted before it finished", job.Namespace, job.Name)
		case watch.Added, watch.Modified:
		default:
			return false, nil
		}
		j, isJob := ev.Object.(*batchv1.Job)
		if !isJob {
			return false, nil
		}
		var done bool
		ok, msg, done = finished(j)
		return done, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return false, "", ctx.Err()
		}
		return false, "", fmt.Errorf("wait for job %s/%s: %w", job.Namespace, job.Name, err)
	}
	return ok, msg, nil
}

// jobsClient is the part of the Jobs client that waitJob uses.
type jobsClient interface {
	List(ctx context.Context, o metav1.ListOptions) (*batchv1.JobList, error)
	Watch(ctx context.Context, o metav1.ListOptions) (watch.Interface, error)
}

// finished says whether j has finished, and how.
func finished(j *batchv1.Job) (ok bool, msg string, done bool) {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return true, fmt.Sprintf("job %s completed", j.Name), true
		case batchv1.JobFailed:
			msg := fmt.Sprintf("job %s failed", j.Name)
			if c.Reason != "" {
				msg += ": " + c.Reason
			}
			if c.Message != "" {
				msg += ": " + c.Message
			}
			return false, msg, true
		}
	}
	return false, "", false
}

// decodeJob reads a Job manifest, refusing fields a Job does not have.
func decodeJob(manifest string) (*batchv1.Job, error) {
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
