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

package command

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
)

var steps = []string{"set_weight 20", "pause 30s", "analysis errors (3 x 10s)", "set_weight 50", "pause until promoted", "100%"}

func TestRolloutShort(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		s    *rolloutspec.Status
		want string
	}{
		"none":        {nil, "-"},
		"no phase":    {&rolloutspec.Status{}, "-"},
		"healthy":     {&rolloutspec.Status{Phase: rolloutspec.PhaseHealthy, Steps: steps}, "Healthy"},
		"paused":      {&rolloutspec.Status{Phase: rolloutspec.PhasePaused, Steps: steps, Step: 4, Weight: 50}, "Paused 5/6 weight 50%"},
		"progressing": {&rolloutspec.Status{Phase: rolloutspec.PhaseProgressing, Steps: steps, Step: 2, Weight: 20}, "Progressing 3/6 weight 20%"},
		"degraded":    {&rolloutspec.Status{Phase: rolloutspec.PhaseDegraded, Steps: steps, Aborted: "abc123def0456789"}, "Degraded: aborted abc123def0"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := RolloutShort(tt.s); got != tt.want {
				t.Errorf("RolloutShort = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusShowsRollout(t *testing.T) {
	t.Parallel()
	app := func(name string, r *rolloutspec.Status) appStatus {
		return appStatus{Status: planner.Status{
			Addr: addrs.Resource{Kind: addrs.App, Name: name}.Instance(addrs.NoKey),
			Sync: "Synced", Health: "Healthy", Rollout: r,
		}}
	}
	paused := &rolloutspec.Status{Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web", Phase: rolloutspec.PhasePaused, Steps: steps, Step: 4, Weight: 50}
	sts := []appStatus{app("plain", nil), app("web", paused)}

	var out bytes.Buffer
	m := &Meta{View: &views.View{Stdout: &out, Stderr: &out}}
	for _, st := range sts {
		m.printStatus(&out, st)
	}
	for _, want := range []string{
		"app.plain\n  Sync Status:    Synced\n  Health Status:  Healthy\n  Rollout:        -\n",
		"app.web\n  Sync Status:    Synced\n  Health Status:  Healthy\n  Rollout:        Paused 5/6 weight 50%\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}

	js, err := json.Marshal(statusJSON("default", sts))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Apps []struct {
			Address string         `json:"address"`
			Rollout map[string]any `json:"rollout"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Apps[0].Rollout != nil {
		t.Errorf("app.plain has a rollout: %v", doc.Apps[0].Rollout)
	}
	r := doc.Apps[1].Rollout
	if r["summary"] != "Paused 5/6 weight 50%" || r["phase"] != "Paused" || r["weight"] != float64(50) ||
		r["road"] != "set_weight 20 -> pause 30s -> analysis errors (3 x 10s) -> set_weight 50 -> [pause until promoted] -> 100%" ||
		r["standing"] != "step 5/6 (pause until promoted), weight 50%, paused until promoted" {
		t.Errorf("app.web's rollout: %v", r)
	}
}
