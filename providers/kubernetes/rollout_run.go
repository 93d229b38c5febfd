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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/util/retry"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/analysis"
	"slipway.dev/slipway/providers/internal/kube"
)

// defaultRolloutWait bounds each wait of a rollout (pods Ready) and the
// pauses waited out inside apply, when the app sets no wait timeout.
var defaultRolloutWait = 5 * time.Minute

// heartbeat is how often a pause waited out inside apply says so.
var heartbeat = 10 * time.Second

// errPaused ends a rollout run that stopped at a pause: apply succeeds.
var errPaused = errors.New("paused")

// errInterrupted ends a rollout run that the user's interrupt stopped
// in a pause, an analysis or between two steps, its status recorded:
// apply succeeds with a warning, and the next apply goes on from there.
var errInterrupted = errors.New("interrupted")

// rolloutRun carries out one workload's rollout within a sync.
type rolloutRun struct {
	r        *syncRun
	spec     *rolloutspec.Spec
	plan     plannedRollout
	w        *desiredObject // the workload as the manifests want it
	second   kube.ObjectID  // the canary or preview Deployment
	role     string
	replicas int // the app's replica count
	st       *rolloutspec.Status
	budget   time.Duration // the longest wait, and pause, inside apply
	// analyze runs one analysis at a step, reporting as it goes.
	analyze func(ctx context.Context, a *rolloutspec.Analysis, run rolloutspec.AnalysisRun, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error)
}

// runRollouts carries out the rollouts the plan decided. A pause ends
// the rollout's part of this apply without error; the status says where
// it stands.
func (r *syncRun) runRollouts(ctx context.Context, d *desiredSet) error {
	for _, p := range sortedRollouts(r.rollouts) {
		w := d.byID()[p.Workload]
		if w == nil {
			return fmt.Errorf("the plan's rollout of %s is not among the app's objects", p.Workload)
		}
		spec := r.cfg.Rollout
		if p.Spec != nil {
			spec = p.Spec
		}
		if spec == nil {
			return fmt.Errorf("the plan's rollout of %s has no strategy", p.Workload)
		}
		run := &rolloutRun{r: r, spec: spec, plan: p, w: w, role: roleOf(spec), budget: r.cfg.WaitTimeout, analyze: r.analyze}
		if run.budget == 0 {
			run.budget = defaultRolloutWait
		}
		run.second = secondID(w.id, run.role)
		err := run.run(ctx)
		r.mu.Lock()
		r.rolloutStatus = run.st
		applied := r.applied[p.Workload] != nil
		r.mu.Unlock()
		if run.st != nil && !applied && run.st.Phase != rolloutspec.PhasePaused && run.st.Phase != rolloutspec.PhaseProgressing {
			// Aborted, or rolled back: state records the stable
			// Deployment as it is.
			run.recordLive(ctx)
		}
		if errors.Is(err, errPaused) {
			r.paused = pauseMessage(run.st)
			continue
		}
		if errors.Is(err, errInterrupted) {
			r.paused = interruptMessage(run.st)
			r.interrupted = r.paused
			return nil // the other rollouts start at the next apply
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// interruptMessage says where an interrupted rollout stopped, for the user.
func interruptMessage(st *rolloutspec.Status) string {
	line := fmt.Sprintf("the rollout of %s stopped at step %d/%d (%s) when slipway was asked to stop", st.Workload, st.Step+1, len(st.Steps), st.StepName(st.Step))
	if st.PausedUntil != "" {
		if t, err := time.Parse(time.RFC3339, st.PausedUntil); err == nil {
			line += fmt.Sprintf(", paused until %s", t.Local().Format("15:04:05"))
		}
	}
	if n := len(st.Analyses); n > 0 && st.Analyses[n-1].Phase == rolloutspec.Running && st.Analyses[n-1].Step == st.Step {
		a := st.Analyses[n-1]
		line += fmt.Sprintf(", analysis %s after %s", a.Name, plural(a.Taken(), "measurement", "measurements"))
	}
	return line + "; apply again to go on from there"
}

// interrupted reports whether the user asked slipway to stop.
func (x *rolloutRun) interrupted() bool {
	select {
	case <-x.r.interrupt:
		return true
	default:
		return false
	}
}

func (x *rolloutRun) progress(format string, args ...any) {
	x.r.progress(fmt.Sprintf("rollout of %s: ", x.st.Workload) + fmt.Sprintf(format, args...))
}

// run starts, resumes, supersedes or aborts the rollout.
func (x *rolloutRun) run(ctx context.Context) error {
	live, err := kube.FetchLive(ctx, x.r.ms, managedSelector, []kube.ObjectID{x.w.id, x.second})
	if err != nil {
		return err
	}
	stable, second := live[x.w.id.String()], live[x.second.String()]
	if stable == nil {
		return fmt.Errorf("%s is gone since the plan: apply again to create it", x.w.id)
	}
	x.replicas = replicasOf(x.w.obj.Object)
	if !hasReplicas(x.w.obj.Object) {
		// Left to an autoscaler: the live count, as the rollout found it.
		x.replicas = replicasOf(stable.Object)
	}
	cs := liveStatus(second)
	if cs != nil && cs.Replicas > 0 && !hasReplicas(x.w.obj.Object) {
		x.replicas = cs.Replicas // the stable is scaled down by now
	}
	base := rolloutspec.Status{
		Rollout: "rollout." + x.spec.Rollout, Strategy: x.spec.Strategy(), Workload: "Deployment/" + x.w.id.Name,
		Steps: x.spec.Steps(), Revision: x.plan.Revision, Stable: stable.GetAnnotations()[annRevision],
	}
	switch {
	case x.plan.Action == actionFinish:
		x.st = &base
		if cs != nil {
			x.st = cs
		}
		if second == nil {
			// Nothing was made yet: the Deployment takes its template.
			if err := x.r.applyObject(ctx, x.w); err != nil {
				return err
			}
			x.st.Phase = rolloutspec.PhaseHealthy
			return nil
		}
		x.progress("%s under way no longer follows the app's strategy: finishing it at once", x.st.Rollout)
		return x.complete(ctx)
	case x.plan.Action == rolloutspec.ActionAbort:
		x.st = &base
		if cs != nil {
			x.st = cs
		}
		reason, requested := "aborted by slipway rollout abort", x.plan.Request == builtin.RolloutAbort
		if rev, why := abortedOf(stable); !requested && rev != "" && rev == x.st.Revision && rev == x.plan.Revision {
			// An abort of this revision began and was cut short: it is
			// finished, for the reason it began.
			reason, requested = why, true
		} else if !requested {
			reason = "the manifests are back at the stable revision"
		}
		return x.abort(ctx, reason, requested)
	case cs != nil && cs.Revision == x.plan.Revision && second != nil && sameRoad(cs, x.spec):
		x.st = cs
		x.st.Replicas = x.replicas
		x.progress("resuming at step %d/%d (%s)", cs.Step+1, len(cs.Steps), cs.StepName(cs.Step))
		if x.spec.Canary != nil && x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas && cs.Step < len(x.spec.Canary.Steps) {
			// A sync since may have put the route back as the manifests
			// have it: the weight is set again.
			if err := x.setTraffic(ctx, cs.Weight); err != nil {
				return x.failed(ctx, err)
			}
		}
	default:
		if cs != nil {
			x.r.progress(fmt.Sprintf("rollout of Deployment/%s: revision %s supersedes revision %s at step %d", x.w.id.Name, rolloutspec.Short(x.plan.Revision), rolloutspec.Short(cs.Revision), cs.Step+1))
		}
		if rev, _ := abortedOf(stable); rev != "" {
			if err := x.annotate(ctx, x.w.id, annAborted, nil); err != nil {
				return err
			}
		}
		st := base
		st.Phase, st.Started, st.Replicas = rolloutspec.PhaseProgressing, rolloutspec.Time(time.Now()), x.replicas
		x.st = &st
		if second != nil {
			// Superseding: the stable takes back every request and its
			// full size before the canary's pods change template.
			if err := x.backToStable(ctx); err != nil {
				return x.failed(ctx, err)
			}
		}
		if err := x.begin(ctx, stable); err != nil {
			return x.failed(ctx, err)
		}
	}
	wasPaused := x.st.Phase == rolloutspec.PhasePaused
	x.st.Phase = rolloutspec.PhaseProgressing
	switch x.plan.Request {
	case builtin.RolloutPromoteFull:
		x.progress("promoted in full: skipping to 100%%")
		x.st.Step, x.st.PausedUntil = promotedFullStep(x.spec, x.st), ""
	case builtin.RolloutPromote:
		if wasPaused && isPause(x.spec, x.st.Step) {
			x.progress("promoted past step %d (%s)", x.st.Step+1, x.st.StepName(x.st.Step))
			x.st.Step++
			x.st.PausedUntil = ""
		}
	}
	if err := x.save(ctx); err != nil {
		return err
	}
	if x.spec.BlueGreen != nil {
		return x.blueGreen(ctx)
	}
	return x.canary(ctx)
}

// recordLive records the workload as it is live, as the sync records
// what it applied.
func (x *rolloutRun) recordLive(ctx context.Context) {
	ri, _, err := x.r.ms.Resource(x.w.id)
	if err != nil {
		return
	}
	u, err := ri.Get(ctx, x.w.id.Name, metav1.GetOptions{})
	if err != nil {
		return
	}
	x.r.mu.Lock()
	x.r.applied[x.w.id.String()] = u
	x.r.mu.Unlock()
}

// failed aborts after a step that could not be carried out.
func (x *rolloutRun) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	if aerr := x.abort(ctx, "step "+strconv.Itoa(x.st.Step+1)+" failed: "+err.Error(), false); aerr != nil {
		return fmt.Errorf("%w; and the rollback failed: %w", err, aerr)
	}
	return fmt.Errorf("rollout of %s aborted: %w", x.st.Workload, err)
}

// promotedFullStep is the step a rollout promoted in full goes on from:
// a canary's past its last step (the canary completes), a blue-green's
// the switch of the active Service to the preview, unless it is past it
// already, so that the active Service never selects no pods.
func promotedFullStep(spec *rolloutspec.Spec, st *rolloutspec.Status) int {
	if spec.Canary != nil {
		return len(spec.Canary.Steps)
	}
	return max(st.Step, len(st.Steps)-2)
}

func isPause(spec *rolloutspec.Spec, step int) bool {
	if spec.Canary != nil {
		return step < len(spec.Canary.Steps) && spec.Canary.Steps[step].Pause != nil
	}
	return spec.BlueGreen != nil
}

// begin makes the second Deployment run the new template with no pods,
// and for routed traffic, the canary Service and the stable selectors.
func (x *rolloutRun) begin(ctx context.Context, stable *unstructured.Unstructured) error {
	if _, err := x.applySecond(ctx, 0); err != nil {
		return err
	}
	hash, err := x.podTemplateHash(ctx, stable)
	if err != nil {
		return err
	}
	switch {
	case x.spec.BlueGreen != nil:
		bg := x.spec.BlueGreen
		if err := x.pinService(ctx, bg.ActiveService, hash); err != nil {
			return err
		}
	case x.spec.Canary.Traffic.Kind == rolloutspec.TrafficGatewayAPI || x.spec.Canary.Traffic.Kind == rolloutspec.TrafficNginx:
		svc, err := x.stableService(ctx)
		if err != nil {
			return err
		}
		if err := x.pinService(ctx, svc, hash); err != nil {
			return err
		}
		if err := x.ensureSecondService(ctx, svc, x.canaryService(svc)); err != nil {
			return err
		}
		if err := x.setTraffic(ctx, 0); err != nil {
			return err
		}
	}
	return nil
}

// canary carries out the canary steps from the one under way.
func (x *rolloutRun) canary(ctx context.Context) error {
	steps := x.spec.Canary.Steps
	for x.st.Step < len(steps) {
		if x.interrupted() {
			return errInterrupted // the step reached is saved
		}
		step := steps[x.st.Step]
		switch {
		case step.SetWeight != nil:
			x.progress("step %d/%d: set_weight %d", x.st.Step+1, len(x.st.Steps), *step.SetWeight)
			if err := x.setWeight(ctx, *step.SetWeight); err != nil {
				return x.failed(ctx, err)
			}
		case step.Pause != nil:
			if err := x.pause(ctx, step.Pause.Duration); err != nil {
				return err
			}
		case step.Analysis != "":
			if err := x.analysis(ctx, step.Analysis); err != nil {
				return err
			}
		}
		x.st.Step++
		if err := x.save(ctx); err != nil {
			return err
		}
	}
	return x.complete(ctx)
}

// setWeight scales the canary (and with replicas traffic, the stable
// pods) to the weight, max_surge pods at a time, waiting for each scale
// to be Ready, then routes the weight.
func (x *rolloutRun) setWeight(ctx context.Context, weight int) error {
	n := x.replicas
	target := int(math.Ceil(float64(n) * float64(weight) / 100))
	routed := x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas
	surge := surgeOf(x.spec.Canary.MaxSurge, n)
	canary := x.st.CanaryReplicas
	for {
		next := target
		if !routed && next > canary+surge {
			next = canary + surge
		}
		if routed && weight < x.st.Weight {
			// Traffic leaves the canary before its pods go.
			if err := x.setTraffic(ctx, weight); err != nil {
				return err
			}
		}
		if err := x.scale(ctx, x.second, next); err != nil {
			return err
		}
		stable := n
		if !routed {
			stable = n - next
		}
		if err := x.scale(ctx, x.w.id, stable); err != nil {
			return err
		}
		x.st.CanaryReplicas, x.st.StableReplicas = next, stable
		if !routed && n > 0 {
			x.st.Weight = int(math.Round(float64(next) * 100 / float64(n)))
		}
		canary = next
		if canary == target {
			break
		}
		if err := x.save(ctx); err != nil {
			return err
		}
	}
	if routed {
		if err := x.setTraffic(ctx, weight); err != nil {
			return err
		}
		x.st.Weight = weight
	}
	x.progress("weight %d%%: %d canary and %d stable pods ready", x.st.Weight, x.st.CanaryReplicas, x.st.StableReplicas)
	return nil
}

// surgeOf reads max_surge against n replicas (25% by default), at least 1.
func surgeOf(s string, n int) int {
	if s == "" {
		s = "25%"
	}
	v := intstr.Parse(s)
	got, err := intstr.GetScaledValueFromIntOrPercent(&v, n, true)
	if err != nil || got < 1 {
		return 1
	}
	return got
}

// pause waits out a timed pause that fits the budget, with a heartbeat;
// otherwise it records the pause and ends the run.
func (x *rolloutRun) pause(ctx context.Context, duration string) error {
	if duration == "" {
		x.st.Phase, x.st.PausedUntil = rolloutspec.PhasePaused, ""
		x.progress("step %d/%d: paused until promoted", x.st.Step+1, len(x.st.Steps))
		if err := x.save(ctx); err != nil {
			return err
		}
		return errPaused
	}
	d, err := time.ParseDuration(duration)
	if err != nil {
		return x.failed(ctx, fmt.Errorf("pause %q: %w", duration, err))
	}
	until := time.Now().Add(d)
	if t, err := time.Parse(time.RFC3339, x.st.PausedUntil); err == nil && x.st.PausedUntil != "" {
		until = t // resumed: the pause began before
	}
	x.st.PausedUntil = rolloutspec.Time(until)
	left := time.Until(until)
	if left > x.budget {
		x.st.Phase = rolloutspec.PhasePaused
		x.progress("step %d/%d: paused for %s, until %s", x.st.Step+1, len(x.st.Steps), duration, until.Local().Format("15:04:05"))
		if err := x.save(ctx); err != nil {
			return err
		}
		return errPaused
	}
	x.st.Phase = rolloutspec.PhasePaused
	if err := x.save(ctx); err != nil {
		return err
	}
	for left > 0 {
		x.progress("step %d/%d: pause %s, %s left", x.st.Step+1, len(x.st.Steps), duration, left.Round(time.Second))
		t := time.NewTimer(min(left, heartbeat))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-x.r.interrupt:
			// The pause and its end are saved: the next apply waits
			// out what is left.
			t.Stop()
			return errInterrupted
		case <-t.C:
		}
		left = time.Until(until)
	}
	x.st.Phase, x.st.PausedUntil = rolloutspec.PhaseProgressing, ""
	return nil
}

// analysis runs the named analysis at the step under way; a failed or
// inconclusive one aborts the rollout.
func (x *rolloutRun) analysis(ctx context.Context, name string) error {
	a := x.spec.Analyses[name]
	if a == nil {
		return x.failed(ctx, fmt.Errorf("the strategy names analysis %q, which it does not carry", name))
	}
	if x.analyze == nil {
		return x.failed(ctx, fmt.Errorf("this provider cannot run analyses"))
	}
	x.progress("step %d/%d: analysis %s (%d x %s)", x.st.Step+1, len(x.st.Steps), name, a.CountOr(), a.IntervalOr())
	idx, prior, resumed, dropped := resumedAnalysis(x.st, a)
	switch {
	case idx < 0:
		idx = len(x.st.Analyses)
		x.st.Analyses = append(x.st.Analyses, prior)
	case resumed:
		x.progress("analysis %s: resuming after %d of %d measurements", name, prior.Taken(), a.CountOr())
	default:
		x.st.Analyses[idx] = prior
		x.progress("analysis %s changed since its run at this step began: its %s no longer count, and it starts again", name, plural(dropped, "measurement", "measurements"))
	}
	run, err := x.analyze(ctx, a, prior, func(r rolloutspec.AnalysisRun) {
		x.st.Analyses[idx] = r
		if n := r.Taken(); n > 0 && len(r.Measurements) > 0 {
			m := r.Measurements[len(r.Measurements)-1]
			line := fmt.Sprintf("analysis %s: measurement %d/%d %s", name, n, a.CountOr(), m.Phase)
			if m.Value != "" {
				line += " (" + m.Value + ")"
			}
			if m.Message != "" {
				line += ": " + m.Message
			}
			x.progress("%s", line)
		}
		_ = x.save(ctx)
	})
	if errors.Is(err, analysis.ErrInterrupted) {
		// The measurements so far are saved (report): the next apply
		// goes on with them.
		x.st.Analyses[idx] = run
		if err := x.save(ctx); err != nil {
			return err
		}
		return errInterrupted
	}
	if err != nil {
		return err
	}
	x.st.Analyses[idx] = run
	if run.Phase != rolloutspec.Successful {
		reason := run.Summary()
		if aerr := x.abort(ctx, reason, false); aerr != nil {
			return fmt.Errorf("%s; and the rollback failed: %w", reason, aerr)
		}
		return fmt.Errorf("rollout of %s aborted: %s", x.st.Workload, reason)
	}
	x.progress("%s", run.Summary())
	return nil
}

// resumedAnalysis is the run of analysis a at st's step to go on with:
// the last run, when it is that analysis at that step, measuring as a
// does now, and an apply stopped or killed while it measured left it
// Running (idx its index, resumed true); otherwise a new run (idx -1).
// Its measurements count, so a retried apply does not give a failing
// release a fresh failure budget. A run of the same analysis at that
// step that measured something else (its query, condition, limits or
// count changed since) is not gone on with: the new run replaces it at
// idx, and dropped is how many measurements it held.
func resumedAnalysis(st *rolloutspec.Status, a *rolloutspec.Analysis) (idx int, run rolloutspec.AnalysisRun, resumed bool, dropped int) {
	digest := a.Digest()
	fresh := rolloutspec.AnalysisRun{Name: a.Name, Digest: digest, Step: st.Step, Phase: rolloutspec.Running}
	if n := len(st.Analyses); n > 0 {
		if last := st.Analyses[n-1]; last.Name == a.Name && last.Step == st.Step && last.Phase == rolloutspec.Running {
			if last.Digest == "" || last.Digest == digest {
				last.Digest = digest
				return n - 1, last, true, 0
			}
			return n - 1, fresh, false, last.Taken()
		}
	}
	return -1, fresh, false, 0
}

// complete makes the new template the stable one: the Deployment of the
// manifests takes it at full size while the canary still serves, then the
// canary and its traffic go.
func (x *rolloutRun) complete(ctx context.Context) error {
	x.st.Step = len(x.st.Steps) - 1
	x.progress("step %d/%d: 100%%: Deployment/%s takes the new template", x.st.Step+1, len(x.st.Steps), x.w.id.Name)
	if x.spec.Canary != nil && x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas {
		// The canary takes all the traffic at full size while the
		// Deployment of the manifests changes template.
		if err := x.scale(ctx, x.second, x.replicas); err != nil {
			return x.failed(ctx, err)
		}
		x.st.CanaryReplicas = x.replicas
		if err := x.setTraffic(ctx, 100); err != nil {
			return x.failed(ctx, err)
		}
	}
	if err := x.r.applyObject(ctx, x.w); err != nil {
		return x.failed(ctx, err)
	}
	// From here the Deployment of the manifests runs the new template:
	// going back would be a rollout of its own. A failure keeps the
	// canary serving, and the next apply finishes.
	x.r.mu.Lock()
	written := x.r.applied[x.w.id.String()]
	x.r.mu.Unlock()
	if !hasReplicas(x.w.obj.Object) {
		u, err := x.mergePatch(ctx, x.w.id, map[string]any{"spec": map[string]any{"replicas": x.replicas}})
		if err != nil {
			return err
		}
		written = u
	}
	if err := x.waitReady(ctx, x.w.id, written); err != nil {
		return fmt.Errorf("rollout of %s: %w; the canary serves until the next apply finishes", x.st.Workload, err)
	}
	if err := x.cleanup(ctx, true); err != nil {
		return err
	}
	x.st.Phase, x.st.Weight, x.st.PausedUntil, x.st.Message = rolloutspec.PhaseHealthy, 100, "", ""
	x.st.StableReplicas, x.st.CanaryReplicas, x.st.Stable = x.replicas, 0, x.plan.Revision
	x.st.Updated = rolloutspec.Time(time.Now())
	x.progress("revision %s is stable", rolloutspec.Short(x.plan.Revision))
	return nil
}

// abort sends traffic and replicas back to stable, removes the new
// template's pods, and records the aborted revision on the stable
// Deployment, so that the next plan does not start it again by itself.
func (x *rolloutRun) abort(ctx context.Context, reason string, requested bool) error {
	x.progress("aborting: %s", reason)
	aborted := x.plan.Revision
	if x.plan.Action == rolloutspec.ActionAbort && x.st.Revision != "" {
		aborted = x.st.Revision
	}
	back := x.plan.Action == rolloutspec.ActionAbort && !requested
	if !back {
		// Recorded before anything moves: an abort cut short (Ctrl-C, a
		// crash, a stable that cannot scale back up) is finished by the
		// next apply, never resumed as the rollout it stopped.
		if err := x.annotate(ctx, x.w.id, annAborted, aborted+": "+reason); err != nil {
			return err
		}
	}
	if x.spec.Canary != nil && x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas {
		if err := x.setTraffic(ctx, 0); err != nil {
			return err
		}
	}
	if x.spec.BlueGreen != nil {
		if err := x.pinStable(ctx, x.spec.BlueGreen.ActiveService); err != nil {
			return err
		}
	}
	if err := x.scale(ctx, x.w.id, x.replicas); err != nil {
		return err
	}
	if err := x.cleanup(ctx, false); err != nil {
		return err
	}
	x.st.Weight, x.st.CanaryReplicas, x.st.StableReplicas, x.st.PausedUntil = 0, 0, x.replicas, ""
	x.st.Updated = rolloutspec.Time(time.Now())
	if back {
		x.st.Phase, x.st.Revision, x.st.Message, x.st.Aborted = rolloutspec.PhaseHealthy, x.st.Stable, reason, ""
		x.st.Step = len(x.st.Steps) - 1
		x.st.Weight = 100
		return nil
	}
	x.st.Phase, x.st.Aborted, x.st.Message = rolloutspec.PhaseDegraded, aborted, reason
	return nil
}

// cleanup removes the second Deployment, the objects made for it, and
// the pins of the stable selectors. Completing, the stable pods run the
// new template as the canary's do: the stable Service is unpinned before
// the route goes back to it. Going back, the canary's pods go first, so
// that the unpinned Service never selects them.
func (x *rolloutRun) cleanup(ctx context.Context, completing bool) error {
	ms := x.r.ms
	var gone []kube.ObjectID
	if !completing {
		if err := x.removeSecond(ctx); err != nil {
			return err
		}
	}
	if x.spec.Canary != nil && x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas {
		svc, err := x.stableService(ctx)
		if err != nil {
			return err
		}
		if err := x.unpin(ctx, svc); err != nil {
			return err
		}
		if err := x.restoreTraffic(ctx); err != nil {
			return err
		}
		gone = append(gone, x.serviceID(x.canaryService(svc)))
		if x.spec.Canary.Traffic.Kind == rolloutspec.TrafficNginx {
			gone = append(gone, x.canaryIngressID())
		}
	}
	if bg := x.spec.BlueGreen; bg != nil {
		if err := x.unpin(ctx, bg.ActiveService); err != nil {
			return err
		}
		if x.previewInManifests() {
			if err := x.unpin(ctx, x.previewService()); err != nil {
				return err
			}
		} else {
			gone = append(gone, x.serviceID(x.previewService()))
		}
	}
	gone = append(gone, x.second)
	// Only what the rollout made goes: an object of the same name that
	// is not its own stays.
	gone = slices.DeleteFunc(gone, func(id kube.ObjectID) bool { return x.notTaken(ctx, id) != nil })
	x.progress("removing %s", x.second)
	if err := deleteObjects(ctx, ms, x.r.cfg, gone, nil, nil, x.budget, func(string) {}, "deleting "); err != nil {
		return err
	}
	return waitGone(ctx, ms, gone, nil, x.budget, func(string) {})
}

// removeSecond deletes the canary or preview Deployment, when it is the
// rollout's, and waits until it is gone.
func (x *rolloutRun) removeSecond(ctx context.Context) error {
	if x.notTaken(ctx, x.second) != nil {
		return nil
	}
	x.progress("removing %s", x.second)
	ids := []kube.ObjectID{x.second}
	if err := deleteObjects(ctx, x.r.ms, x.r.cfg, ids, nil, nil, x.budget, func(string) {}, "deleting "); err != nil {
		return err
	}
	return waitGone(ctx, x.r.ms, ids, nil, x.budget, func(string) {})
}

// backToStable sends every request to the stable pods at the app's full
// size again, as a rollout found them.
func (x *rolloutRun) backToStable(ctx context.Context) error {
	if x.spec.Canary != nil && x.spec.Canary.Traffic.Kind != rolloutspec.TrafficReplicas {
		if err := x.setTraffic(ctx, 0); err != nil {
			return err
		}
	}
	if x.spec.BlueGreen != nil {
		if err := x.pinStable(ctx, x.spec.BlueGreen.ActiveService); err != nil {
			return err
		}
	}
	return x.scale(ctx, x.w.id, x.replicas)
}

// save records where the rollout stands on the second Deployment.
func (x *rolloutRun) save(ctx context.Context) error {
	x.st.Updated = rolloutspec.Time(time.Now())
	err := x.annotate(ctx, x.second, annStatus, x.st.Encode())
	if apierrors.IsNotFound(err) {
		return nil // not made yet, or gone: nothing under way to record
	}
	return err
}

// annotate sets (or with nil, removes) one annotation by a merge patch.
func (x *rolloutRun) annotate(ctx context.Context, id kube.ObjectID, key string, value any) error {
	_, err := x.mergePatch(ctx, id, map[string]any{"metadata": map[string]any{"annotations": map[string]any{key: value}}})
	return err
}

// mergePatch patches an object as the rollout's field manager and
// returns it as the server made it.
func (x *rolloutRun) mergePatch(ctx context.Context, id kube.ObjectID, patch map[string]any) (*unstructured.Unstructured, error) {
	ri, _, err := x.r.ms.Resource(id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return nil, err
	}
	var out *unstructured.Unstructured
	err = x.r.cfg.Retry.do(ctx, func() error {
		var err error
		out, err = ri.Patch(ctx, id.Name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: rolloutManager})
		return err
	})
	return out, err
}

// scale sets a Deployment's replicas and waits until they are Ready.
func (x *rolloutRun) scale(ctx context.Context, id kube.ObjectID, n int) error {
	u, err := x.mergePatch(ctx, id, map[string]any{"spec": map[string]any{"replicas": n}})
	if err != nil {
		return fmt.Errorf("scale %s to %d: %w", id, n, err)
	}
	x.paced()
	return x.waitReady(ctx, id, u)
}

// paced tells slipway, once, that this app's rollout now goes at the pace
// of its steps, mostly waiting for pods and pauses, so that another app's
// changes may start meanwhile: a rollout holds a parallelism slot until
// its first step is made, not for the minutes its steps take. Its later
// writes are a few small patches a step.
func (x *rolloutRun) paced() {
	if x.r.pacedOnce {
		return
	}
	x.r.pacedOnce = true
	x.r.waiting(fmt.Sprintf("rollout of %s: going at the pace of its steps", x.st.Workload))
}

// waitReady waits until a Deployment is Current (kstatus): its pods of
// the latest template Ready and the old ones gone. written is the
// Deployment as the rollout last wrote it: the wait judges no older
// version of it.
func (x *rolloutRun) waitReady(ctx context.Context, id kube.ObjectID, written *unstructured.Unstructured) error {
	t := kube.Target{ID: id}
	if written != nil {
		t.ResourceVersion = written.GetResourceVersion()
	}
	return x.r.waitTargets(ctx, []kube.Target{t}, x.budget)
}

// applySecond applies the canary or preview Deployment: the workload's
// manifest under its own name, selecting only pods of its role, with n
// replicas.
func (x *rolloutRun) applySecond(ctx context.Context, n int) (*unstructured.Unstructured, error) {
	u := x.w.obj.DeepCopy()
	u.SetName(x.second.Name)
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelRole] = x.role
	u.SetLabels(labels)
	ann := u.GetAnnotations()
	delete(ann, annAborted)
	u.SetAnnotations(ann)
	sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels")
	if sel == nil {
		sel = map[string]string{}
	}
	sel[labelRole] = x.role
	_ = unstructured.SetNestedStringMap(u.Object, sel, "spec", "selector", "matchLabels")
	tl, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "metadata", "labels")
	if tl == nil {
		tl = map[string]string{}
	}
	tl[labelRole] = x.role
	_ = unstructured.SetNestedStringMap(u.Object, tl, "spec", "template", "metadata", "labels")
	_ = unstructured.SetNestedField(u.Object, int64(n), "spec", "replicas")
	if err := x.notTaken(ctx, x.second); err != nil {
		return nil, err
	}
	var out *unstructured.Unstructured
	err := x.r.cfg.Retry.do(ctx, func() error {
		var err error
		out, err = x.r.ms.ApplyAs(ctx, x.second, u.Object, rolloutManager)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", x.second, err)
	}
	x.progress("%s runs revision %s", x.second, rolloutspec.Short(x.plan.Revision))
	return out, nil
}

// notTaken refuses to make an object of the rollout where one exists
// that is not the rollout's: slipway would take it over.
func (x *rolloutRun) notTaken(ctx context.Context, id kube.ObjectID) error {
	ri, _, err := x.r.ms.Resource(id)
	if err != nil {
		return err
	}
	u, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	if l := u.GetLabels(); l[labelRole] != x.role || l[labelApp] != x.r.cfg.Name {
		return fmt.Errorf("%s exists and is not this rollout's (it lacks the labels %s=%s and %s=%s): rename it, or choose the rollout's names", id, labelRole, x.role, labelApp, x.r.cfg.Name)
	}
	return nil
}

// podTemplateHash is the pod-template-hash label of the pods of a
// Deployment's current template, from its newest ReplicaSet.
func (x *rolloutRun) podTemplateHash(ctx context.Context, dep *unstructured.Unstructured) (string, error) {
	rsID := kube.ObjectID{Group: "apps", Version: "v1", Kind: "ReplicaSet", Namespace: dep.GetNamespace()}
	ri, _, err := x.r.ms.Resource(rsID)
	if err != nil {
		return "", err
	}
	rev := dep.GetAnnotations()["deployment.kubernetes.io/revision"]
	sel, _, _ := unstructured.NestedStringMap(dep.Object, "spec", "selector", "matchLabels")
	var parts []string
	for k, v := range sel {
		parts = append(parts, k+"="+v)
	}
	list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: strings.Join(parts, ",")})
	if err != nil {
		return "", err
	}
	for _, rs := range list.Items {
		owned := false
		for _, o := range rs.GetOwnerReferences() {
			owned = owned || o.UID == dep.GetUID()
		}
		if owned && rs.GetAnnotations()["deployment.kubernetes.io/revision"] == rev {
			if h := rs.GetLabels()[labelPodTemplateHash]; h != "" {
				return h, nil
			}
		}
	}
	return "", fmt.Errorf("cannot tell the pods of Deployment/%s's current template apart: no ReplicaSet of revision %s carries %s", dep.GetName(), rev, labelPodTemplateHash)
}

func (x *rolloutRun) serviceID(name string) kube.ObjectID {
	return kube.ObjectID{Version: "v1", Kind: "Service", Namespace: x.w.id.Namespace, Name: name}
}

// pinService narrows a Service's selector to the pods of one template.
func (x *rolloutRun) pinService(ctx context.Context, name, hash string) error {
	_, err := x.mergePatch(ctx, x.serviceID(name), map[string]any{"spec": map[string]any{"selector": map[string]any{labelPodTemplateHash: hash}}})
	return err
}

// pinStable points a Service back at the stable pods.
func (x *rolloutRun) pinStable(ctx context.Context, name string) error {
	ri, _, err := x.r.ms.Resource(x.w.id)
	if err != nil {
		return err
	}
	dep, err := ri.Get(ctx, x.w.id.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	hash, err := x.podTemplateHash(ctx, dep)
	if err != nil {
		return err
	}
	return x.pinService(ctx, name, hash)
}

// unpin gives a Service back the selector of the manifests.
func (x *rolloutRun) unpin(ctx context.Context, name string) error {
	_, err := x.mergePatch(ctx, x.serviceID(name), map[string]any{"spec": map[string]any{"selector": map[string]any{labelPodTemplateHash: nil}}})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// stableService is the Service in front of the workload's pods: the one
// traffic names, or the app's one Service whose selector the pods match.
func (x *rolloutRun) stableService(ctx context.Context) (string, error) {
	if s := x.spec.Canary.Traffic.StableService; s != "" {
		return s, nil
	}
	tl, _, _ := unstructured.NestedStringMap(x.w.obj.Object, "spec", "template", "metadata", "labels")
	var found []string
	for _, o := range x.r.desired.objects {
		if o.id.Group != "" || o.id.Kind != "Service" || o.id.Namespace != x.w.id.Namespace {
			continue
		}
		sel, _, _ := unstructured.NestedStringMap(o.obj.Object, "spec", "selector")
		if len(sel) == 0 {
			continue
		}
		match := true
		for k, v := range sel {
			match = match && tl[k] == v
		}
		if match && o.id.Name != x.canaryService(o.id.Name) {
			found = append(found, o.id.Name)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("cannot tell which Service is in front of Deployment/%s (found %d that select its pods): set stable_service in the rollout's traffic block", x.w.id.Name, len(found))
	}
	return found[0], nil
}

func (x *rolloutRun) canaryService(stable string) string {
	if s := x.spec.Canary.Traffic.CanaryService; s != "" {
		return s
	}
	return stable + "-canary"
}

func (x *rolloutRun) previewService() string {
	if s := x.spec.BlueGreen.PreviewService; s != "" {
		return s
	}
	return x.spec.BlueGreen.ActiveService + "-preview"
}

func (x *rolloutRun) previewInManifests() bool {
	_, ok := x.r.desired.byID()[x.serviceID(x.previewService()).String()]
	return ok
}

// ensureSecondService makes the Service of the second Deployment's pods:
// the stable Service's ports, selecting the role.
func (x *rolloutRun) ensureSecondService(ctx context.Context, from, name string) error {
	ri, _, err := x.r.ms.Resource(x.serviceID(from))
	if err != nil {
		return err
	}
	src, err := ri.Get(ctx, from, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read Service %s: %w", from, err)
	}
	sel, _, _ := unstructured.NestedStringMap(src.Object, "spec", "selector")
	if len(sel) == 0 {
		return fmt.Errorf("Service %s selects no pods by labels (it has no selector): a rollout steers traffic by narrowing its selector", from)
	}
	delete(sel, labelPodTemplateHash)
	sel[labelRole] = x.role
	ports, _, _ := unstructured.NestedSlice(src.Object, "spec", "ports")
	for _, p := range ports {
		if m, ok := p.(map[string]any); ok {
			delete(m, "nodePort")
		}
	}
	if err := x.notTaken(ctx, x.serviceID(name)); err != nil {
		return err
	}
	obj := map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": x.w.id.Namespace, "labels": map[string]any{labelManagedBy: managedBy, labelApp: x.r.cfg.Name, labelRole: x.role}},
		"spec":     map[string]any{"selector": toAnyMap(sel), "ports": ports},
	}
	_, err = x.r.ms.ApplyAs(ctx, x.serviceID(name), obj, rolloutManager)
	return err
}

func toAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// hasReplicas reports whether a manifest sets spec.replicas.
func hasReplicas(obj map[string]any) bool {
	_, found, _ := unstructured.NestedFieldNoCopy(obj, "spec", "replicas")
	return found
}

// replicasOf is a Deployment manifest's replicas, 1 when unset; the
// manifest may come from YAML (int64) or from the plan's JSON (float64).
func replicasOf(obj map[string]any) int {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, "spec", "replicas")
	switch n := v.(type) {
	case int64:
		return int(n)
	case int:
		return n
	case float64:
		return int(n)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i)
		}
	}
	return 1
}

// conflictRetry retries a read-modify-write on conflicts.
func conflictRetry(fn func() error) error { return retry.RetryOnConflict(retry.DefaultRetry, fn) }
