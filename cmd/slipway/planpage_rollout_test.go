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
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
)

// rolloutPagePlan has an app whose canary goes on, an unchanged app that
// holds an aborted revision, and an app whose rollout status is
// sensitive (its message holds pageSecret), beside a hostile message.
func rolloutPagePlan() *plans.Plan {
	status := func(action, phase string) *rolloutspec.Status {
		return &rolloutspec.Status{
			Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web",
			Phase: phase, Action: action, Revision: "7c9d2e1f0a5b6c7d", Stable: "1a2b3c4d5e6f7a8b",
			Steps: []string{"set_weight 20", "pause 30s", "analysis errors (3 x 10s)", "set_weight 50", "pause until promoted", "100%"},
		}
	}
	app := func(name string, action plans.Action, s *rolloutspec.Status) *plans.ResourceChange {
		before := cty.ObjectVal(map[string]cty.Value{"revision": cty.StringVal("1a2b3c4"), "rollout_status": cty.StringVal(`{"phase":"Healthy"}`)})
		after := cty.ObjectVal(map[string]cty.Value{"revision": cty.StringVal("9f8e7d6"), "rollout_status": cty.StringVal(s.Encode())})
		if action == plans.NoOp {
			after = before
		}
		return &plans.ResourceChange{
			Addr: addrs.Resource{Kind: addrs.App, Name: name}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "kubernetes"}, Type: "kubernetes_app",
			Action: action, Before: before, After: after, Rollout: "rollout.canary", RolloutStatus: s,
		}
	}
	going := status(rolloutspec.ActionContinue, rolloutspec.PhaseProgressing)
	going.Step, going.Weight = 2, 20
	// 25 measurements taken, the two failures among the first: the run
	// keeps the last ten, and its tally counts them all.
	run := rolloutspec.AnalysisRun{Name: "errors", Step: 2, Phase: rolloutspec.Running, Message: pwn}
	for i := range 25 {
		m := rolloutspec.Measurement{Phase: rolloutspec.Successful}
		if i < 2 {
			m.Phase = rolloutspec.Failed
		}
		run.Add(m)
	}
	going.Analyses = []rolloutspec.AnalysisRun{run}
	held := status(rolloutspec.ActionHold, rolloutspec.PhaseDegraded)
	held.Aborted, held.Message = "7c9d2e1f0a5b6c7d", "analysis errors failed"
	hidden := status(rolloutspec.ActionContinue, rolloutspec.PhasePaused)
	hidden.Message = pageSecret
	secret := app("db", plans.Update, hidden)
	secret.AfterSensitive = []cty.Path{cty.GetAttrPath("rollout_status")}
	return &plans.Plan{
		Mode: plans.NormalMode, SlipwayVersion: "0.2.0", Timestamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Changes: []*plans.ResourceChange{app("api", plans.NoOp, held), secret, app("web", plans.Update, going)},
	}
}

func TestPlanPageShowsRollouts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs Chromium")
	}
	var page bytes.Buffer
	if err := render.HTML(&page, rolloutPagePlan()); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	path := filepath.Join(b.artifacts, "rollouts.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(path, "ready")

	// No-ops are filtered out by default, but a held rollout shows.
	shown := eval[[]string](b, `Array.from(document.querySelectorAll("#changes details.change:not([hidden])")).map(d => d.dataset.address)`)
	if want := []string{"app.api", "app.db", "app.web"}; !slices.Equal(shown, want) {
		t.Errorf("the page shows %q, want %q", shown, want)
	}

	b.expand(`details.change[data-address="app.web"]`)
	web := eval[string](b, `document.querySelector('details.change[data-address="app.web"] .rollout').textContent`)
	for _, want := range []string{
		"Deployment/web follows rollout.canary (canary)",
		"set_weight 20 -> pause 30s -> [analysis errors (3 x 10s)] -> set_weight 50 -> pause until promoted -> 100%",
		"standing: step 3/6 (analysis errors (3 x 10s)), weight 20%",
		"analysis errors: Running (23 successful, 2 failed): " + pwn,
		"next: apply goes on at step 3",
	} {
		if !strings.Contains(web, want) {
			t.Errorf("app.web's rollout lacks %q: %q", want, web)
		}
	}
	rows := eval[string](b, `Array.from(document.querySelectorAll('details.change[data-address="app.web"] tr.attr')).map(r => r.textContent).join("\n")`)
	if strings.Contains(rows, "rollout_status") || !strings.Contains(rows, "revision") {
		t.Errorf("app.web's attributes should show revision, and not the rollout_status the section words:\n%s", rows)
	}

	b.expand(`details.change[data-address="app.api"]`)
	api := eval[string](b, `document.querySelector('details.change[data-address="app.api"] .rollout').textContent`)
	for _, want := range []string{"phase: Degraded", "message: analysis errors failed", `run "slipway rollout retry app.api"`} {
		if !strings.Contains(api, want) {
			t.Errorf("app.api's rollout lacks %q: %q", want, api)
		}
	}

	b.expand(`details.change[data-address="app.db"]`)
	if n := eval[int](b, `document.querySelectorAll('details.change[data-address="app.db"] .rollout').length`); n != 0 {
		t.Errorf("a sensitive rollout status has a section")
	}
	b.noLeak()
}
