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
