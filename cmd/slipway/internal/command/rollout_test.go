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
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

const (
	revOld = "1a2b3c4d5e6f7a8b"
	revNew = "9f8e7d6c5b4a3928"
)

// pausedCanary is a canary paused until promoted at its fourth step.
func pausedCanary() *rolloutspec.Status {
	return &rolloutspec.Status{
		Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web", Phase: rolloutspec.PhasePaused,
		Revision: revNew, Stable: revOld,
		Steps: []string{"set_weight 20", "analysis errors (3 x 10s)", "set_weight 50", "pause until promoted", "100%"},
		Step:  3, Weight: 50, StableReplicas: 2, CanaryReplicas: 2,
		Analyses: []rolloutspec.AnalysisRun{{Name: "errors", Step: 1, Phase: rolloutspec.Successful, Measurements: []rolloutspec.Measurement{
			{Phase: rolloutspec.Successful}, {Phase: rolloutspec.Successful}, {Phase: rolloutspec.Inconclusive},
		}}},
	}
}

// abortedCanary is a canary whose analysis failed.
func abortedCanary() *rolloutspec.Status {
	return &rolloutspec.Status{
		Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/api", Phase: rolloutspec.PhaseDegraded,
		Revision: revOld, Stable: revOld, Aborted: revNew,
		Steps: []string{"set_weight 20", "analysis errors (3 x 10s)", "100%"},
		Analyses: []rolloutspec.AnalysisRun{{Name: "errors", Step: 1, Phase: rolloutspec.Failed, Message: "result < 0.05 is false",
			Measurements: []rolloutspec.Measurement{{Phase: rolloutspec.Failed}, {Phase: rolloutspec.Failed}}}},
		Message: "analysis errors failed",
	}
}

// rolloutDir is a configuration directory whose local state holds the
// apps with these rollout statuses (nil: an app without a rollout), and a
// file resource.
func rolloutDir(t *testing.T, apps map[string]*rolloutspec.Status) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte("locals {\n  x = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeRollouts(t, dir, apps)
	return dir
}

func writeRollouts(t *testing.T, dir string, apps map[string]*rolloutspec.Status) {
	t.Helper()
	b := local.New(filepath.Join(dir, state.DefaultLocalPath))
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Resources = map[string]*state.ResourceInstance{}
	for addr, rs := range apps {
		a, diags := addrs.ParseResourceInstance(addr)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		status := cty.NullVal(cty.String)
		if rs != nil {
			status = cty.StringVal(rs.Encode())
		}
		st.Resources[addr] = &state.ResourceInstance{Addr: a, Provider: addrs.Provider{Name: "kubernetes"}, Type: builtin.KubernetesApp,
			Value: cty.ObjectVal(map[string]cty.Value{builtin.AppName: cty.StringVal(a.Resource.Name), builtin.AppRolloutStatus: status})}
	}
	f, _ := addrs.ParseResourceInstance("file.x")
	st.Resources["file.x"] = &state.ResourceInstance{Addr: f, Provider: addrs.Provider{Name: "file"}, Type: "file",
		Value: cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal("x")})}
	if err := b.Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a buffer two goroutines may use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func rolloutMeta(dir string, env ...string) (*Meta, *lockedBuffer, *lockedBuffer) {
	out, errs := &lockedBuffer{}, &lockedBuffer{}
	return &Meta{Dir: dir, View: &views.View{Stdout: out, Stderr: errs}, Env: env, Stdin: strings.NewReader("")}, out, errs
}

func TestRolloutStatus(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{"app.web": pausedCanary(), "app.api": abortedCanary(), "app.plain": nil})

	m, out, errs := rolloutMeta(dir)
	if code := m.RolloutStatus(context.Background(), RolloutStatusArgs{}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `app.api
  Rollout:   rollout.canary
  Strategy:  canary
  Workload:  Deployment/api
  Phase:     Degraded
  Revision:  1a2b3c4d5e
  Road:      set_weight 20 -> analysis errors (3 x 10s) -> 100%
  Standing:  degraded: the rollout of revision 9f8e7d6c5b was aborted: analysis errors failed
  Analyses:  analysis errors: Failed (2 failed): result < 0.05 is false
  Message:   analysis errors failed
  Next:      Revision 9f8e7d6c5b is not retried by itself: run "slipway rollout retry app.api", or commit a new revision.

app.web
  Rollout:   rollout.canary
  Strategy:  canary
  Workload:  Deployment/web
  Phase:     Paused
  Revision:  9f8e7d6c5b (stable 1a2b3c4d5e)
  Road:      set_weight 20 -> analysis errors (3 x 10s) -> set_weight 50 -> [pause until promoted] -> 100%
  Standing:  step 4/5 (pause until promoted), weight 50%, paused until promoted
  Replicas:  stable 2, canary 2
  Analyses:  analysis errors: Successful (2 successful, 1 inconclusive)
  Next:      Run "slipway rollout promote app.web" to go on past step 4 (pause until promoted), or "slipway rollout abort app.web" to roll back.
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("rollout status (-want +got):\n%s", diff)
	}

	// In automation the hints are left out; an app named without a
	// rollout says so.
	m, out, _ = rolloutMeta(dir, "SLIPWAY_IN_AUTOMATION=1")
	if code := m.RolloutStatus(context.Background(), RolloutStatusArgs{Apps: []string{"app.plain", "app.web"}}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	if strings.Contains(got, "Next:") || strings.Contains(got, "app.api") || !strings.Contains(got, "app.plain\n  No rollout") {
		t.Errorf("rollout status app.plain app.web in automation:\n%s", got)
	}
}

func TestRolloutStatusJSON(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{"app.web": pausedCanary(), "app.plain": nil})
	m, out, errs := rolloutMeta(dir)
	if code := m.RolloutStatus(context.Background(), RolloutStatusArgs{JSON: true}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got RolloutStatusDocument
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	want := RolloutStatusDocument{FormatVersion: RolloutStatusFormatVersion, Workspace: state.DefaultWorkspace,
		Rollouts: []rolloutJSON{{Address: "app.web", Status: pausedCanary()}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rollout status -json (-want +got):\n%s", diff)
	}
}

func TestRolloutStatusRefuses(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{"app.web": pausedCanary()})
	for name, tc := range map[string]struct {
		apps []string
		want string
	}{
		"not in state": {[]string{"app.gone"}, "app.gone is not in the state"},
		"not an app":   {[]string{"file.x"}, "file.x is not an app"},
		"bad address":  {[]string{"app."}, "invalid address"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, _, errs := rolloutMeta(dir)
			if code := m.RolloutStatus(context.Background(), RolloutStatusArgs{Apps: tc.apps}); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(errs.String(), tc.want) {
				t.Errorf("error %q does not say %q", errs, tc.want)
			}
		})
	}
}

// TestRolloutRequestRefused checks that a request that does not fit
// where the rollout stands changes nothing and exits 1, before any
// provider starts or the state is locked.
func TestRolloutRequestRefused(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{
		"app.web": pausedCanary(), "app.api": abortedCanary(), "app.plain": nil,
		"app.done": {Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/done", Phase: rolloutspec.PhaseHealthy, Revision: revNew, Steps: []string{"100%"}},
	})
	path := filepath.Join(dir, state.DefaultLocalPath)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		app, request, want string
	}{
		"promote degraded": {"app.api", builtin.RolloutPromote, `app.api has no rollout under way to promote: it is degraded: the rollout of revision 9f8e7d6c5b was aborted: analysis errors failed. Run slipway rollout retry app.api to start that revision again; nothing was changed`},
		"abort degraded":   {"app.api", builtin.RolloutAbort, "app.api has no rollout under way to abort"},
		"promote healthy":  {"app.done", builtin.RolloutPromoteFull, "app.done has no rollout under way to promote: it is healthy at revision 9f8e7d6c5b; nothing was changed"},
		"retry paused":     {"app.web", builtin.RolloutRetry, "app.web has no aborted rollout to retry: the rollout of revision 9f8e7d6c5b is under way (step 4/5 (pause until promoted), weight 50%, paused until promoted); nothing was changed"},
		"retry healthy":    {"app.done", builtin.RolloutRetry, "app.done has no aborted rollout to retry: it is healthy"},
		"no rollout":       {"app.plain", builtin.RolloutAbort, "app.plain has no rollout under way: the state records none for it"},
		"not in state":     {"app.gone", builtin.RolloutPromote, "app.gone is not in the state, so it has no rollout to promote: apply it first"},
		"not an app":       {"file.x", builtin.RolloutAbort, "slipway rollout abort takes an app address, like slipway rollout abort app.web"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, out, errs := rolloutMeta(dir)
			if code := m.Rollout(context.Background(), RolloutArgs{App: tc.app, Request: tc.request}); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(errs.String(), tc.want) {
				t.Errorf("error:\n%s\ndoes not say:\n%s", errs, tc.want)
			}
			if out.String() != "" {
				t.Errorf("printed %q", out)
			}
		})
	}
	t.Cleanup(func() {
		after, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("the state changed (%v)", err)
		}
		if _, err := os.Stat(path + ".lock"); err == nil {
			t.Errorf("a refused request left a lock file")
		}
	})
}

func TestRolloutStatusWatch(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{"app.web": pausedCanary()})
	m, out, errs := rolloutMeta(dir)
	done := make(chan int, 1)
	go func() { done <- m.RolloutStatus(context.Background(), RolloutStatusArgs{Watch: true}) }()
	waitFor := func(what string) {
		t.Helper()
		for range 600 {
			if strings.Contains(out.String(), what) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("watch never printed %q:\n%s%s", what, out, errs)
	}
	waitFor("paused until promoted")

	// The rollout moves on: printed again.
	next := pausedCanary()
	next.Phase, next.Step, next.Weight = rolloutspec.PhaseProgressing, 4, 100
	writeRollouts(t, dir, map[string]*rolloutspec.Status{"app.web": next})
	waitFor("step 5/5 (100%), weight 100%")

	// It ends: printed once more, and the watch ends.
	healthy := pausedCanary()
	healthy.Phase, healthy.Stable = rolloutspec.PhaseHealthy, revNew
	writeRollouts(t, dir, map[string]*rolloutspec.Status{"app.web": healthy})
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, errs)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the watch did not end once the rollout was healthy:\n%s", out)
	}
	got := out.String()
	if n := strings.Count(got, "app.web\n"); n != 3 {
		t.Errorf("printed the rollout %d times, want 3 (paused, progressing, healthy):\n%s", n, got)
	}
	if last := got[strings.LastIndex(got, "---"):]; !strings.Contains(last, "Standing:  healthy at revision 9f8e7d6c5b\n") {
		t.Errorf("the last print is not the healthy rollout:\n%s", got)
	}
}

func TestRolloutStatusWatchEndsAtOnce(t *testing.T) {
	t.Parallel()
	dir := rolloutDir(t, map[string]*rolloutspec.Status{"app.api": abortedCanary()})
	m, out, _ := rolloutMeta(dir)
	// Nothing is under way: the watch prints once and ends.
	if code := m.RolloutStatus(context.Background(), RolloutStatusArgs{Watch: true, JSON: true}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("-watch -json printed %d lines, want 1:\n%s", n, out)
	}
}

// TestCheckRolloutPlan: a rollout request's plan must change its app,
// and asks first only when it changes something else.
func TestCheckRolloutPlan(t *testing.T) {
	t.Parallel()
	web, _ := addrs.ParseResourceInstance("app.web")
	pipe, _ := addrs.ParseResourceInstance("pipeline.web")
	src, _ := addrs.ParseResourceInstance("source.git.app")
	plan := func(app plans.Action, others ...*plans.ResourceChange) *plans.Plan {
		return &plans.Plan{Changes: append([]*plans.ResourceChange{{Addr: web, Action: app}}, others...)}
	}
	read := &plans.ResourceChange{Addr: src, Action: plans.Read}
	run := &plans.ResourceChange{Addr: pipe, Action: plans.Run}
	for name, tc := range map[string]struct {
		p     *plans.Plan
		args  ApplyArgs
		stdin string
		ok    bool
		say   string
	}{
		"the app alone":        {p: plan(plans.Update, read), args: ApplyArgs{PlanArgs: PlanArgs{Input: true}}, ok: true},
		"no change of the app": {p: plan(plans.NoOp), args: ApplyArgs{PlanArgs: PlanArgs{Input: true}}, say: "the plan holds no change of app.web for slipway rollout promote"},
		"more, confirmed":      {p: plan(plans.Update, run), args: ApplyArgs{PlanArgs: PlanArgs{Input: true}}, stdin: "yes\n", ok: true, say: "Besides app.web, this plan also changes pipeline.web."},
		"more, declined":       {p: plan(plans.Update, run), args: ApplyArgs{PlanArgs: PlanArgs{Input: true}}, stdin: "no\n", say: "Rollout promote cancelled."},
		"more, nobody to ask":  {p: plan(plans.Update, run), args: ApplyArgs{}, say: "also changes pipeline.web, and nobody is there to confirm that"},
		"more, -json":          {p: plan(plans.Update, run), args: ApplyArgs{PlanArgs: PlanArgs{Input: true, JSON: true}}, say: "nobody is there to confirm that"},
		"more, -auto-approve":  {p: plan(plans.Update, run), args: ApplyArgs{AutoApprove: true}, ok: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, out, errs := rolloutMeta(t.TempDir())
			m.Stdin = strings.NewReader(tc.stdin)
			tc.args.rollout = &rolloutRequest{addr: web, request: builtin.RolloutPromote}
			if got := m.checkRolloutPlan(tc.args, tc.p); got != tc.ok {
				t.Errorf("checkRolloutPlan = %t, want %t", got, tc.ok)
			}
			if all := out.String() + errs.String(); !strings.Contains(all, tc.say) {
				t.Errorf("output does not say %q:\n%s", tc.say, all)
			}
		})
	}
}
