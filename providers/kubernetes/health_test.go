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
	"strings"
	"testing"
)

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
