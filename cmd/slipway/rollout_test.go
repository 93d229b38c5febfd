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

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// TestRolloutCLI runs the rollout commands of the slipway binary on a
// state that records a paused canary and an aborted one: status in both
// forms, and the requests that do not fit, which exit 1 and change
// nothing. No cluster is needed: a refused request starts no provider.
func TestRolloutCLI(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": "locals {\n  x = 1\n}\n"})
	paused := &rolloutspec.Status{Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web", Phase: rolloutspec.PhasePaused,
		Revision: "9f8e7d6c5b4a", Stable: "1a2b3c4d5e6f", Steps: []string{"set_weight 20", "pause until promoted", "100%"}, Step: 1, Weight: 20}
	aborted := &rolloutspec.Status{Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/api", Phase: rolloutspec.PhaseDegraded,
		Revision: "1a2b3c4d5e6f", Aborted: "9f8e7d6c5b4a", Steps: []string{"set_weight 20", "100%"}, Message: "analysis errors failed"}
	b := local.New(filepath.Join(dir, state.DefaultLocalPath))
	st := state.NewState()
	for name, rs := range map[string]*rolloutspec.Status{"web": paused, "api": aborted} {
		addr := addrs.ResourceInstance{Resource: addrs.Resource{Kind: addrs.App, Name: name}}
		st.Resources[addr.String()] = &state.ResourceInstance{Addr: addr, Provider: addrs.Provider{Name: "kubernetes"}, Type: builtin.KubernetesApp,
			Value: cty.ObjectVal(map[string]cty.Value{builtin.AppName: cty.StringVal(name), builtin.AppRolloutStatus: cty.StringVal(rs.Encode())})}
	}
	if err := b.Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	serial := readState(t, dir).Serial

	out := mustRun(t, dir, "rollout", "status", "app.web")
	for _, want := range []string{
		"Road:      set_weight 20 -> [pause until promoted] -> 100%",
		"Standing:  step 2/3 (pause until promoted), weight 20%, paused until promoted",
		`Next:      Run "slipway rollout promote app.web"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rollout status app.web does not say %q:\n%s", want, out)
		}
	}
	var doc struct {
		Rollouts []struct {
			Address string              `json:"address"`
			Status  *rolloutspec.Status `json:"status"`
		} `json:"rollouts"`
	}
	out = mustRun(t, dir, "rollout", "status", "-json")
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Rollouts) != 2 || doc.Rollouts[0].Address != "app.api" || doc.Rollouts[1].Status.Phase != rolloutspec.PhasePaused {
		t.Errorf("rollout status -json (%v):\n%s", err, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rollout", "promote", "--full", "app.api"}, "app.api has no rollout under way to promote"},
		{[]string{"rollout", "abort", "app.api"}, "app.api has no rollout under way to abort"},
		{[]string{"rollout", "retry", "-lock-timeout=1s", "app.web"}, "app.web has no aborted rollout to retry"},
		{[]string{"rollout", "promote", "app.gone"}, "app.gone is not in the state"},
		{[]string{"rollout", "abort", "-json", "app.api"}, `"@level":"error"`},
	} {
		out, code := runIn(t, dir, "", tc.args...)
		if code != 1 || !strings.Contains(out, tc.want) || !strings.Contains(out, "nothing was changed") && !strings.Contains(out, "apply it first") {
			t.Errorf("slipway %s: exit %d, want 1 saying %q:\n%s", strings.Join(tc.args, " "), code, tc.want, out)
		}
	}
	if got := readState(t, dir).Serial; got != serial {
		t.Errorf("the refused requests moved the state from serial %d to %d", serial, got)
	}
}
