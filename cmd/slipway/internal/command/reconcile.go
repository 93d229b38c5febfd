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
	"context"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// ReconcileArgs are reconcile's flags.
type ReconcileArgs struct {
	VarArgs
	LockArgs
	Interval    time.Duration
	Once        bool
	Parallelism int
	// Approve names the pipeline approval gates (pipeline.NAME.STAGE)
	// every round passes, as apply's -approve: nobody answers a loop.
	Approve []string
	// PolicyDirs are -policy directories, as plan's and apply's: each
	// round's plan is checked against them too, so that a change merged
	// into the repository that drops its own policies is not applied
	// unchecked.
	PolicyDirs []string
}

// Reconcile runs `slipway reconcile`: the GitOps pull loop. Every
// interval it plans with a refresh and applies what the plan shows, as
// Argo CD's automated sync does: a change in git (a source moved, a
// manifest changed) is always applied; drift of live objects that git
// did not cause is corrected only for apps with sync.self_heal = true,
// and reported otherwise. -once runs one round (for cron jobs and tests).
func (m *Meta) Reconcile(ctx context.Context, a ReconcileArgs) int {
	if a.Interval <= 0 {
		a.Interval = 3 * time.Minute
	}
	stop := ctx.Done()
	if m.Stop != nil {
		stop = m.Stop.Done()
	}
	backoff := reconcileBackoff(a.Interval)
	failed := 0
	for {
		code := m.reconcileOnce(ctx, a)
		// Each round opens the state backend afresh: its connections go
		// with the round, or a loop that ran for days kept them all.
		m.Close()
		if a.Once {
			return code
		}
		select {
		case <-stop:
			return m.reconcileStopped(code)
		default:
		}
		next := a.Interval
		if code == 0 {
			failed, backoff = 0, reconcileBackoff(a.Interval)
			m.View.Printf("\nNext reconcile in %s.\n", next)
		} else {
			// A round that fails (a cluster down, a pipeline that fails
			// at every run) is tried again later and later, rather than
			// rebuilding and hammering at every interval.
			failed++
			next = backoff.Step()
			m.View.Printf("\nNext reconcile in %s (%d %s failed in a row).\n", next, failed, pick(failed, "round", "rounds"))
		}
		select {
		case <-stop:
			return m.reconcileStopped(code)
		case <-time.After(next):
		}
	}
}

// reconcileBackoff is the wait after each of the rounds that failed in a
// row: the interval, then twice as long each time, up to ten intervals
// (at least 15 minutes), each with a tenth of jitter.
func reconcileBackoff(interval time.Duration) *wait.Backoff {
	return &wait.Backoff{Duration: interval, Factor: 2, Jitter: 0.1, Steps: math.MaxInt32, Cap: max(10*interval, 15*time.Minute)}
}

// reconcileStopped ends a loop the user stopped, with exit code 130 as
// every command that changes things: a round's apply stopped has said
// so itself; one stopped between rounds says so here.
func (m *Meta) reconcileStopped(code int) int {
	if code != 130 {
		m.View.Eprintf("\n%s\n", m.View.Bold("Reconcile interrupted between rounds: nothing was in flight."))
	}
	return 130
}

func (m *Meta) reconcileOnce(ctx context.Context, a ReconcileArgs) int {
	m.View.Printf("%s reconciling\n", time.Now().Format(time.RFC3339))
	s := m.open(ctx, a.VarArgs, a.LockArgs, "reconcile", a.Parallelism)
	if s == nil {
		return 1
	}
	opts := PlanArgs{Refresh: true}
	po, _ := opts.options()
	// Planning ends at the first Ctrl-C, as apply's does: a refresh
	// may take minutes, holding the state lock.
	planCtx := ctx
	if m.Stop != nil {
		planCtx = m.Stop
	}
	p, diags := s.ctx.Plan(planCtx, po)
	if m.Stop != nil && m.Stop.Err() != nil {
		s.close()
		m.View.Eprintf("\n%s\n", m.View.Bold("Reconcile interrupted while planning: nothing was applied."))
		return 130
	}
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		s.close()
		return 1
	}
	// Apps that do not self-heal keep the drift of their live objects:
	// it is reported, not corrected. The apply holds it for every such
	// app, not only those drifted now: one edited by hand between this
	// plan and the apply's is left alone too. What depends on them is
	// planned as usual.
	var hold []addrs.ResourceInstance
	held := 0
	for _, ch := range p.Changes {
		if ch.Addr.Resource.Kind == addrs.App && !selfHeals(ch) {
			hold = append(hold, ch.Addr)
			if ch.Reason == plans.ReasonDrift {
				m.View.Printf("%s has drifted from what slipway applied; self_heal is off, so it is left as it is.\n", ch.Addr)
				held++
			}
		}
	}
	s.close()
	if !p.HasChanges() || changesBeyond(p, held) == 0 {
		switch {
		case hasReads(p):
			// Only sources moved (a commit that changes no app): nothing
			// to sync, but the commits are recorded, as apply records
			// them.
			m.View.Printf("Everything is in sync; recording the new commits.\n")
		case p.RecordsRefresh():
			// Where the refresh read the apps' objects, for the next
			// plans to tell them unchanged without their state.
			m.View.Printf("Everything is in sync; recording what the refresh read.\n")
		default:
			m.View.Printf("Everything is in sync.\n")
			return 0
		}
	}
	if m.Stop != nil && m.Stop.Err() != nil {
		m.View.Eprintf("\n%s\n", m.View.Bold("Reconcile interrupted before it applied: nothing was applied."))
		return 130
	}
	return m.Apply(ctx, ApplyArgs{PlanArgs: PlanArgs{VarArgs: a.VarArgs, LockArgs: a.LockArgs, Refresh: true, holdDrift: hold, Parallelism: a.Parallelism, PolicyDirs: a.PolicyDirs}, AutoApprove: true, Approve: a.Approve})
}

// changesBeyond is how many changes p holds besides the held drift of
// held apps (changes of outputs, moves and interrupted changes included).
func changesBeyond(p *plans.Plan, held int) int {
	n := len(p.Interrupted)
	for _, c := range p.Changes {
		if c.Action != plans.NoOp && c.Action != plans.Read || c.PreviousAddr != nil {
			n++
		}
	}
	for _, o := range p.Outputs {
		if o.Action != plans.NoOp {
			n++
		}
	}
	return n - held
}

// selfHeals reports whether an app's planned configuration has
// sync.self_heal set.
func selfHeals(ch *plans.ResourceChange) bool {
	v := ch.After
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute("self_heal") {
		return false
	}
	sh := v.GetAttr("self_heal")
	return sh.IsKnown() && !sh.IsNull() && sh.True()
}
