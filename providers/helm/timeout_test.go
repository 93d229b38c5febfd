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

package helm

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// timeoutEnv, when set to a duration, is the provider process's
// defaultTimeout: how long Helm waits for a hook when the release has no
// wait timeout.
const timeoutEnv = "SLIPWAY_HELM_TEST_TIMEOUT"

func init() {
	// The provider process is this test binary, run again: it reads the
	// variable before it serves.
	if d, err := time.ParseDuration(os.Getenv(timeoutEnv)); err == nil {
		defaultTimeout = d
	}
}

// stuckHookChart is a chart with a Deployment whose pod no node can take
// (it never becomes available) and a pre-upgrade hook Job whose pod no
// node can take either (it never finishes).
func stuckHookChart() map[string]string {
	return map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: stuck\nversion: 0.1.0\n",
		"values.yaml": "color: blue\n",
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-settings}
data:
  color: {{ .Values.color | quote }}
`,
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}}
spec:
  replicas: 1
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      nodeSelector: {e2e.slipway.dev/no-such-node: "true"}
      containers: [{name: web, image: nginx:1.27}]
`,
		"templates/migrate.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {e2e.slipway.dev/no-such-node: "true"}
      containers: [{name: migrate, image: busybox, command: [sh, -c, "echo migrated"]}]
`,
	}
}

// TestHookWithoutWaitTimesOut: a release with no wait timeout is not
// waited for (a Deployment that never becomes available installs), but
// its hooks are, for a bounded time as with the helm CLI: a pre-upgrade
// Job that never finishes fails the upgrade, which Helm records as
// failed and atomic rolls back, instead of holding the apply forever
// with the release pending.
func TestHookWithoutWaitTimesOut(t *testing.T) {
	t.Parallel()
	cluster := testbed.Shared(t)
	// The default bound, shortened so that the test does not take five
	// minutes.
	c := startProvider(t, cluster, timeoutEnv+"=10s")
	const ns = "helm-hook-timeout"
	dir := sdktest.WriteTree(t, stuckHookChart())
	config := func(values string) cty.Value {
		return releaseConfigVal(map[string]cty.Value{
			"name": cty.StringVal("stuck"), "namespace": cty.StringVal(ns), "chart_dir": cty.StringVal(dir),
			"values": cty.StringVal(values), "create_namespace": cty.True,
		})
	}
	s := newSession(t, c)
	s.Sync(config("color: blue\n"))

	// The upgrade runs the hook, which never finishes. Apply is given far
	// longer than the bound, and must not need it.
	plan := s.Plan(config("color: green\n"))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var resp *sdk.ApplyResponse
	start := time.Now()
	err := c.Apply(ctx, []sdk.ApplyRequest{{
		Address: s.Address, TypeName: "helm_release",
		Config: config("color: green\n"), PriorState: s.State, PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil || resp == nil {
		t.Fatalf("the upgrade with a hook that never finishes did not return within %s: %v", time.Since(start).Round(time.Second), err)
	}
	t.Logf("upgrade returned after %s: %v", time.Since(start).Round(time.Second), resp.Diagnostics)
	// atomic (the default) rolls the failed upgrade back.
	if len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Summary != "Upgrade failed and was rolled back" {
		t.Fatalf("upgrade diagnostics = %+v, want \"Upgrade failed and was rolled back\"", resp.Diagnostics)
	}
	if d := resp.Diagnostics[0].Detail; !strings.Contains(d, "pre-upgrade hooks failed") {
		t.Errorf("detail %q does not say the hook failed", d)
	}
	if diff := cmp.Diff([]string{"1 superseded stuck-0.1.0", "2 failed stuck-0.1.0", "3 deployed stuck-0.1.0"}, helmHistory(t, cluster, ns, "stuck")); diff != "" {
		t.Errorf("helm history after the hook timed out (-want +got):\n%s", diff)
	}
	s.State, s.Private = resp.NewState, resp.Private
	s.Destroy()
}
