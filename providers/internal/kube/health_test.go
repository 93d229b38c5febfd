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

package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	sdk "slipway.dev/slipway/plugin-sdk"
)

func TestHealthOf(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml string
		want string
	}{
		"available deployment": {`apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{type: Available, status: "True"}]}
`, sdk.Healthy},
		"rolling deployment": {`apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2}
`, sdk.Progressing},
		"paused deployment": {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {paused: true}\n", sdk.Suspended},
		"suspended cronjob": {"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {suspend: true}\n", sdk.Suspended},
		"failed job": {`apiVersion: batch/v1
kind: Job
metadata: {name: j}
status: {startTime: "2026-01-01T00:00:00Z", failed: 1, conditions: [{type: Failed, status: "True", reason: BackoffLimitExceeded}]}
`, sdk.Degraded},
		"terminating": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, deletionTimestamp: \"2026-01-01T00:00:00Z\"}\n", sdk.Progressing},
		"configmap":   {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", sdk.Healthy},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got, msg := HealthOf(&unstructured.Unstructured{Object: decode(t, tc.yaml)}); got != tc.want {
				t.Errorf("health = %s (%s), want %s", got, msg, tc.want)
			}
		})
	}
	if got, _ := HealthOf(nil); got != sdk.Missing {
		t.Errorf("health of a missing object = %s, want Missing", got)
	}
	if healthRank(sdk.Degraded) <= healthRank(sdk.Missing) || healthRank(sdk.Missing) <= healthRank(sdk.Progressing) ||
		healthRank(sdk.Progressing) <= healthRank(sdk.Suspended) || healthRank(sdk.Suspended) <= healthRank(sdk.Healthy) {
		t.Error("health ranks are not Degraded > Missing > Progressing > Suspended > Healthy")
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		objects []sdk.ObjectStatus
		prefix  string
		want    sdk.StatusResponse
	}{
		"none": {
			want: sdk.StatusResponse{Health: sdk.Healthy, Sync: sdk.Synced, Message: "0 objects, 0 out of sync"},
		},
		"the first of the worst is named": {
			objects: []sdk.ObjectStatus{
				{ID: "a", Health: sdk.Healthy, Sync: sdk.Synced},
				{ID: "b", Health: sdk.Progressing, Sync: sdk.OutOfSync, Message: "rolling out"},
				{ID: "c", Health: sdk.Suspended, Sync: sdk.OutOfSync},
				{ID: "d", Health: sdk.Progressing, Sync: sdk.Synced, Message: "also rolling out"},
			},
			prefix: "release web revision 2 deployed; ",
			want: sdk.StatusResponse{
				Health: sdk.Progressing, Sync: sdk.OutOfSync,
				Message: "release web revision 2 deployed; 4 objects, 2 out of sync; b: rolling out",
			},
		},
		"degraded beats missing": {
			objects: []sdk.ObjectStatus{
				{ID: "a", Health: sdk.Missing, Sync: sdk.OutOfSync, Message: "the object does not exist"},
				{ID: "b", Health: sdk.Degraded, Sync: sdk.Synced, Message: "crash loop"},
			},
			want: sdk.StatusResponse{Health: sdk.Degraded, Sync: sdk.OutOfSync, Message: "2 objects, 1 out of sync; b: crash loop"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got sdk.StatusResponse
			Summarise(&got, tc.objects, tc.prefix)
			tc.want.Objects = tc.objects
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}
