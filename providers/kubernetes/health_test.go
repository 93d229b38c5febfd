package kubernetes

import (
	"strings"
	"testing"

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
			if got, msg := healthOf(decode(t, tc.yaml)[0]); got != tc.want {
				t.Errorf("health = %s (%s), want %s", got, msg, tc.want)
			}
		})
	}
	if got, _ := healthOf(nil); got != sdk.Missing {
		t.Errorf("health of a missing object = %s, want Missing", got)
	}
	if healthRank(sdk.Degraded) <= healthRank(sdk.Missing) || healthRank(sdk.Missing) <= healthRank(sdk.Progressing) ||
		healthRank(sdk.Progressing) <= healthRank(sdk.Suspended) || healthRank(sdk.Suspended) <= healthRank(sdk.Healthy) {
		t.Error("health ranks are not Degraded > Missing > Progressing > Suspended > Healthy")
	}
}

func TestHookState(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml         string
		done, failed bool
	}{
		"job running":   {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nstatus: {startTime: \"2026-01-01T00:00:00Z\", active: 1}\n", false, false},
		"job complete":  {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nstatus: {startTime: \"2026-01-01T00:00:00Z\", succeeded: 1, conditions: [{type: Complete, status: \"True\"}]}\n", true, false},
		"job failed":    {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nstatus: {startTime: \"2026-01-01T00:00:00Z\", failed: 1, conditions: [{type: Failed, status: \"True\", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}]}\n", false, true},
		"pod running":   {"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Running}\n", false, false},
		"pod succeeded": {"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Succeeded}\n", true, false},
		"pod failed":    {"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Failed}\n", false, true},
		"configmap":     {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", true, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			done, failed, msg := hookState(decode(t, tc.yaml)[0])
			if done != tc.done || failed != tc.failed {
				t.Errorf("hookState = done %v, failed %v (%s); want %v, %v", done, failed, msg, tc.done, tc.failed)
			}
			if name == "job failed" && !strings.Contains(msg, "BackoffLimitExceeded: Job has reached the specified backoff limit") {
				t.Errorf("failure message %q lacks the Failed condition's reason and message", msg)
			}
		})
	}
}
