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
	"strings"
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

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/kube"
)

// DefaultJobTimeout bounds a job measurement whose manifest sets no
// spec.activeDeadlineSeconds, when Env.JobTimeout is zero: as long as a
// rollout's other waits and a hook Job without wait_timeout.
const DefaultJobTimeout = 5 * time.Minute

// jobDeadlineGrace is how long past a Job's own activeDeadlineSeconds a
// measurement waits, for the cluster to fail the Job itself and say why.
const jobDeadlineGrace = 30 * time.Second

// maxJobDeadline caps a bound taken from activeDeadlineSeconds, so that
// a huge value cannot overflow a time.Duration.
const maxJobDeadline = 100 * 365 * 24 * time.Hour

// jobCheck runs a Job through a JobRunner, for at most limit.
type jobCheck struct {
	name      string
	metric    *rolloutspec.JobMetric
	jobs      JobRunner
	namespace string
	limit     time.Duration
}

// newJobCheck checks the Job manifest of m and bounds its measurement:
// the Job's own activeDeadlineSeconds plus jobDeadlineGrace when it sets
// one, else env.JobTimeout, else DefaultJobTimeout.
func newJobCheck(name string, m *rolloutspec.JobMetric, env Env) (*jobCheck, error) {
	job, err := rolloutspec.DecodeJob(m.Manifest)
	if err != nil {
		return nil, err
	}
	limit := env.JobTimeout
	if limit <= 0 {
		limit = DefaultJobTimeout
	}
	if s := job.Spec.ActiveDeadlineSeconds; s != nil && *s > 0 {
		limit = maxJobDeadline
		if *s < int64(maxJobDeadline/time.Second) {
			limit = time.Duration(*s)*time.Second + jobDeadlineGrace
		}
	}
	return &jobCheck{name: name, metric: m, jobs: env.Jobs, namespace: env.Namespace, limit: limit}, nil
}

// measure runs the Job. One that has not finished within c.limit is
// Inconclusive, as a prometheus or http measurement that timed out is.
func (c *jobCheck) measure(ctx context.Context) rolloutspec.Measurement {
	jctx, cancel := context.WithTimeout(ctx, c.limit)
	defer cancel()
	ok, msg, err := c.jobs.RunJob(jctx, c.name, c.metric.Manifest, c.namespace)
	switch {
	case err != nil && ctx.Err() == nil && jctx.Err() != nil:
		return measurement(rolloutspec.Inconclusive, "", fmt.Sprintf("no result within %s: %v", c.limit, err))
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

// podsTimeout bounds reading the pods of a Job whose time ran out.
const podsTimeout = 5 * time.Second

// maxPodsShown is how many of a Job's pods the error of an unfinished
// Job describes.
const maxPodsShown = 3

// KubeJobs runs analysis Jobs in a cluster. Each Job is created under a
// generated name with the label AnalysisLabel, followed with a watch
// until its Complete or Failed condition, and deleted with its pods
// (propagation Background) however the wait ended. When the wait ends
// at a deadline of its context, the error says what the Job's pods were
// waiting on. It is safe for concurrent use.
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
	job, err := rolloutspec.DecodeJob(manifest)
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
	ok, msg, err := waitJob(ctx, jobs, created)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("job %s/%s has not finished (%w)%s", created.Namespace, created.Name, err, k.waitingOn(ctx, created))
	}
	return ok, msg, err
}

// waitingOn says, after a colon, what the pods of job are waiting on, as
// far as one List of them tells: a container's waiting reason (like
// ImagePullBackOff), a pod the scheduler cannot place, or no pod at all.
// It is "" when the pods cannot be read.
func (k *KubeJobs) waitingOn(ctx context.Context, job *batchv1.Job) string {
	if job.Spec.Selector == nil {
		return ""
	}
	selector, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
	if err != nil {
		return ""
	}
	// The context of RunJob has ended; the read has a short time of its own.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), podsTimeout)
	defer cancel()
	pods, err := k.Client.CoreV1().Pods(job.Namespace).List(lctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return ""
	}
	if len(pods.Items) == 0 {
		return ": it has no pods (a quota or an admission policy may refuse them: see the Job's events)"
	}
	var parts []string
	for i := range pods.Items {
		if i == maxPodsShown {
			parts = append(parts, fmt.Sprintf("and %d more", len(pods.Items)-i))
			break
		}
		parts = append(parts, podWaitingOn(&pods.Items[i]))
	}
	return ": " + strings.Join(parts, "; ")
}

// podWaitingOn describes a pod that has not finished: its phase, and the
// first waiting container's reason or else why it is not scheduled.
func podWaitingOn(p *corev1.Pod) string {
	line := fmt.Sprintf("pod %s is %s", p.Name, p.Status.Phase)
	statuses := append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			line += fmt.Sprintf(", container %s waiting: %s", cs.Name, w.Reason)
			if w.Message != "" {
				line += ": " + w.Message
			}
			return line
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			line += ", not scheduled: " + c.Reason
			if c.Message != "" {
				line += ": " + c.Message
			}
			return line
		}
	}
	return line
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
