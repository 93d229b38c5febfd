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

package analysis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/analysis"
	"slipway.dev/slipway/providers/testbed"
)

// TestKubeJobs runs analysis Jobs in the testbed cluster, where kwok
// completes a Job's pod, or fails it when its template carries
// testbed.FailAnnotation, and checks that every Job is gone afterwards.
func TestKubeJobs(t *testing.T) {
	t.Parallel()
	client, ns := jobsNamespace(t)
	jobs := &analysis.KubeJobs{Client: client}
	env := analysis.Env{Jobs: jobs, Namespace: ns.Name}

	failing := strings.Replace(jobManifest, "  template:\n", "  backoffLimit: 0\n  template:\n    metadata:\n      annotations: {"+testbed.FailAnnotation+": \"true\"}\n", 1)
	// No node has this label: the pod is never scheduled.
	stuck := strings.Replace(jobManifest, "      containers:\n", "      nodeSelector: {testbed.slipway.dev/none: \"true\"}\n      containers:\n", 1)
	tests := map[string]struct {
		manifest string
		want     string
		wantMsg  string
	}{
		"completes": {manifest: jobManifest, want: rolloutspec.Successful, wantMsg: "completed"},
		"fails":     {manifest: failing, want: rolloutspec.Failed, wantMsg: "failed: BackoffLimitExceeded"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a := &rolloutspec.Analysis{Name: "smoke-" + name, Job: &rolloutspec.JobMetric{Manifest: tc.manifest}}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			run, err := analysis.Run(ctx, a, env, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if run.Phase != tc.want || !strings.Contains(run.Measurements[0].Message, tc.wantMsg) {
				t.Errorf("%s, want %s saying %q", run.Summary(), tc.want, tc.wantMsg)
			}
			if !strings.Contains(run.Measurements[0].Message, "job smoke-") {
				t.Errorf("message %q does not name the Job (generated from the manifest's name)", run.Measurements[0].Message)
			}
			assertNoJobs(t, client, ns.Name, a.Name)
		})
	}

	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		_, _, err := jobs.RunJob(ctx, "stuck", stuck, ns.Name)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's", err)
		}
		assertNoJobs(t, client, ns.Name, "stuck")
	})
	t.Run("refused", func(t *testing.T) {
		_, _, err := jobs.RunJob(t.Context(), "bad", strings.Replace(jobManifest, "name: smoke\n", "name: Not_A_Name\n", 1), ns.Name)
		if err == nil || !strings.Contains(err.Error(), "create the Job of analysis bad") {
			t.Fatalf("err = %v, want the create's refusal", err)
		}
	})
}

// TestKubeJobsTimeout runs Jobs whose pod never starts, with a bound of
// a few seconds: the measurement is Inconclusive once the bound has
// passed, says what the pod was waiting on, and the Job is deleted.
func TestKubeJobsTimeout(t *testing.T) {
	t.Parallel()
	client, ns := jobsNamespace(t)
	env := analysis.Env{Jobs: &analysis.KubeJobs{Client: client}, Namespace: ns.Name, JobTimeout: 5 * time.Second}

	// No node has this label: the scheduler cannot place the pod.
	unschedulable := strings.Replace(jobManifest, "      containers:\n", "      nodeSelector: {testbed.slipway.dev/none: \"true\"}\n      containers:\n", 1)
	// The pod is bound to a node nobody runs; the test plays its kubelet,
	// which cannot pull the image.
	pulling := strings.Replace(jobManifest, "  template:\n    spec:\n", "  template:\n    metadata:\n      labels: {test: pull}\n    spec:\n      nodeName: testbed-no-such-node\n", 1)
	tests := map[string]struct {
		manifest string
		kubelet  func(context.Context) error
		wantMsg  string
	}{
		"unschedulable": {manifest: unschedulable, wantMsg: "not scheduled: Unschedulable"},
		"image pull back-off": {
			manifest: pulling,
			kubelet:  func(ctx context.Context) error { return cannotPull(ctx, client, ns.Name, "test=pull") },
			wantMsg:  `container smoke waiting: ImagePullBackOff: Back-off pulling image "busybox"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			kubelet := make(chan error, 1)
			if tc.kubelet != nil {
				go func() { kubelet <- tc.kubelet(ctx) }()
			}
			a := &rolloutspec.Analysis{Name: "stuck-" + strings.ReplaceAll(name, " ", "-"), Job: &rolloutspec.JobMetric{Manifest: tc.manifest}}
			start := time.Now()
			run, err := analysis.Run(ctx, a, env, 0, nil)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("after %s: %v (the measurement was not bounded)", took.Round(time.Second), err)
			}
			if took > 30*time.Second {
				t.Errorf("the measurement took %s with a bound of 5s", took.Round(time.Second))
			}
			if tc.kubelet != nil {
				if err := <-kubelet; err != nil {
					t.Fatal(err)
				}
			}
			if run.Phase != rolloutspec.Inconclusive || len(run.Measurements) != 1 || run.Measurements[0].Phase != rolloutspec.Inconclusive {
				t.Fatalf("%s, want one Inconclusive measurement and an Inconclusive run", run.Summary())
			}
			msg := run.Measurements[0].Message
			t.Logf("after %s: %s", took.Round(10*time.Millisecond), msg)
			for _, want := range []string{"no result within 5s", "has not finished", tc.wantMsg} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
			assertNoJobs(t, client, ns.Name, a.Name)
		})
	}
}

// cannotPull waits for the pod of selector in ns and reports its
// container waiting on an image it cannot pull, as a kubelet would.
func cannotPull(ctx context.Context, client kubernetes.Interface, ns, selector string) error {
	return wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil || len(pods.Items) == 0 {
			return false, nil
		}
		p := pods.Items[0]
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name:  "smoke",
			Image: "busybox",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
				Reason:  "ImagePullBackOff",
				Message: `Back-off pulling image "busybox"`,
			}},
		}}
		if _, err := client.CoreV1().Pods(ns).UpdateStatus(ctx, &p, metav1.UpdateOptions{}); err != nil {
			return false, nil // a conflict: read it again
		}
		return true, nil
	})
}

// jobsNamespace makes a namespace of its own in the testbed cluster,
// deleted after the test.
func jobsNamespace(t *testing.T) (kubernetes.Interface, *corev1.Namespace) {
	t.Helper()
	c := testbed.Shared(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "analysis-jobs-"}}
	if ns, err = client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	return client, ns
}

// assertNoJobs checks that the Jobs of analysis are gone or going.
func assertNoJobs(t *testing.T, client kubernetes.Interface, ns, name string) {
	t.Helper()
	list, err := client.BatchV1().Jobs(ns).List(t.Context(), metav1.ListOptions{LabelSelector: analysis.AnalysisLabel + "=" + name})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range list.Items {
		if j.DeletionTimestamp == nil {
			t.Errorf("job %s is left behind", j.Name)
		}
	}
}
