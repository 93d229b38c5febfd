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

package analysis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"slipway.dev/slipway/internal/rolloutspec"
)

// Env is what measurements need from the rollout that runs them.
type Env struct {
	// Jobs runs the Jobs of job measurements; an analysis with a job
	// measurement is invalid without it.
	Jobs JobRunner
	// HTTPClient makes the requests of prometheus and http measurements;
	// nil: a client of its own, without a timeout (each measurement has
	// MeasureTimeout).
	HTTPClient *http.Client
	// Namespace is where a Job whose manifest names no namespace runs:
	// the app's namespace.
	Namespace string
	// Progress, when set, receives a line after each measurement.
	Progress func(string)
	// Interrupt, when closed, ends the run between two measurements
	// (RunFrom returns ErrInterrupted): the user asked to stop, and the
	// next apply goes on with the run. nil: never.
	Interrupt <-chan struct{}
	// JobTimeout bounds a job measurement whose manifest sets no
	// spec.activeDeadlineSeconds; zero: DefaultJobTimeout. A Job that has
	// not finished by then is deleted and the measurement is
	// Inconclusive.
	JobTimeout time.Duration
}

// JobRunner runs a Job to completion. Implementations must honour ctx:
// when it ends, RunJob returns promptly with its error.
type JobRunner interface {
	// RunJob creates the Job of manifest (YAML) for the analysis named
	// analysis, in the manifest's namespace or else in namespace, waits
	// until it completes or fails, and removes it. ok says it completed;
	// msg says why it failed. err is a Job that could not be run or
	// followed (a bad manifest, a refused create, a lost connection, the
	// end of ctx).
	RunJob(ctx context.Context, analysis, manifest, namespace string) (ok bool, msg string, err error)
}

// MeasureTimeout bounds one prometheus or http measurement; one that
// takes longer is Inconclusive. A job measurement has a bound of its own
// (Env.JobTimeout, DefaultJobTimeout, or the Job's activeDeadlineSeconds
// plus a grace), since a Job must start pods; one that takes longer is
// Inconclusive as well.
var MeasureTimeout = 30 * time.Second

// ErrInvalid is wrapped by the error of an analysis that cannot be
// measured at all: no measurement or more than one, a condition that
// does not compile, a body_match that is not a regular expression, a job
// manifest that is not a Job, a job measurement without a JobRunner.
var ErrInvalid = errors.New("invalid analysis")

// ErrInterrupted is returned with the run so far, in phase Running, when
// Env.Interrupt closed before the run was over. A measurement under way
// is finished first.
var ErrInterrupted = errors.New("analysis interrupted")

// Run takes a.CountOr() measurements a.IntervalOr() apart, the first at
// once, calls report (when not nil) with the run so far after each, and
// returns the run: Failed as soon as the failed measurements exceed
// a.FailureLimit, Inconclusive as soon as the inconclusive ones (Error
// included) exceed a.InconclusiveLimit, Successful once all were taken
// otherwise. step is the rollout step the run belongs to.
//
// When ctx ends Run returns the run so far (phase Running) and
// ctx.Err(); when Env.Interrupt closes, the run so far and
// ErrInterrupted. An invalid analysis (see ErrInvalid) returns a run in phase
// Error and an error wrapping ErrInvalid, without measuring.
func Run(ctx context.Context, a *rolloutspec.Analysis, env Env, step int, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error) {
	return RunFrom(ctx, a, env, rolloutspec.AnalysisRun{Name: a.Name, Step: step, Phase: rolloutspec.Running}, report)
}

// RunFrom is Run continuing run, a run in phase Running that an apply
// stopped or killed while it measured left: the measurements it holds
// count toward the limits and a.CountOr(), as those of an AnalysisRun
// that outlives a restart of Argo Rollouts' controller do, so that
// retrying an apply does not give a failing release a fresh failure
// budget. The first measurement it takes is taken at once.
func RunFrom(ctx context.Context, a *rolloutspec.Analysis, env Env, run rolloutspec.AnalysisRun, report func(rolloutspec.AnalysisRun)) (rolloutspec.AnalysisRun, error) {
	run.Name, run.Phase = a.Name, rolloutspec.Running
	run.Measurements = slices.Clone(run.Measurements)
	m, err := newMeasurer(a, env)
	if err != nil {
		run.Phase, run.Message = rolloutspec.Error, err.Error()
		return run, err
	}
	count, interval := a.CountOr(), a.IntervalOr()
	if run.Phase = judge(a, &run, count); run.Phase != rolloutspec.Running {
		// The limits were passed, or every measurement taken, before
		// the run was cut short.
		return run, nil
	}
	first := run.Taken()
	for i := first; i < count; i++ {
		if i > first {
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return run, ctx.Err()
			case <-env.Interrupt:
				t.Stop()
				return run, ErrInterrupted
			case <-t.C:
			}
		} else {
			select {
			case <-env.Interrupt:
				return run, ErrInterrupted
			default:
			}
		}
		if err := ctx.Err(); err != nil {
			return run, err
		}
		got := m.measure(ctx)
		if err := ctx.Err(); err != nil {
			// Cut short by the end of ctx: not a measurement of the app.
			return run, err
		}
		run.Add(got)
		run.Phase = judge(a, &run, count)
		if env.Progress != nil {
			line := fmt.Sprintf("analysis %s: measurement %d of %d: %s", a.Name, i+1, count, got.Phase)
			if got.Value != "" {
				line += " (" + got.Value + ")"
			}
			if got.Message != "" && got.Phase != rolloutspec.Successful {
				line += ": " + got.Message
			}
			env.Progress(line)
		}
		if report != nil {
			snapshot := run
			snapshot.Measurements = append([]rolloutspec.Measurement(nil), run.Measurements...)
			report(snapshot)
		}
		if run.Phase != rolloutspec.Running {
			return run, nil
		}
	}
	return run, nil
}

// judge is the phase of run after its last measurement, with its message
// when it is over: Failed once the failed measurements exceed
// a.FailureLimit, Inconclusive once the inconclusive ones (Error
// included) exceed a.InconclusiveLimit, Successful once count were taken
// otherwise, Running before.
func judge(a *rolloutspec.Analysis, run *rolloutspec.AnalysisRun, count int) string {
	n := run.Taken()
	if n == 0 || len(run.Measurements) == 0 {
		return rolloutspec.Running
	}
	last := run.Measurements[len(run.Measurements)-1]
	ok, failed, inconclusive := run.Counts()
	switch {
	case failed > a.FailureLimit:
		run.Message = fmt.Sprintf("%d of %d measurements failed (failure_limit %d): %s", failed, count, a.FailureLimit, last.Message)
		return rolloutspec.Failed
	case inconclusive > a.InconclusiveLimit:
		run.Message = fmt.Sprintf("%d of %d measurements inconclusive (inconclusive_limit %d): %s", inconclusive, count, a.InconclusiveLimit, last.Message)
		return rolloutspec.Inconclusive
	case n >= count:
		run.Message = fmt.Sprintf("%d of %d measurements successful", ok, count)
		return rolloutspec.Successful
	}
	return rolloutspec.Running
}

// Validate says whether a can be measured: exactly one measurement, a
// condition that compiles, a body_match that is a regular expression, a
// job manifest that is a batch/v1 Job. A
// plan can call it to report a mistake before any rollout starts.
func Validate(a *rolloutspec.Analysis) error {
	_, err := newMeasurer(a, Env{Jobs: noJobs{}})
	return err
}

// noJobs stands in for a JobRunner when only the analysis is validated.
type noJobs struct{}

func (noJobs) RunJob(context.Context, string, string, string) (bool, string, error) {
	return false, "", errors.New("no job runner")
}

// A measurer takes one kind of measurement.
type measurer interface {
	measure(ctx context.Context) rolloutspec.Measurement
}

// newMeasurer checks a and prepares its measurement.
func newMeasurer(a *rolloutspec.Analysis, env Env) (measurer, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: no analysis", ErrInvalid)
	}
	n := 0
	for _, set := range []bool{a.Prometheus != nil, a.HTTP != nil, a.Job != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: analysis %q must have exactly one of prometheus, http or job, it has %d", ErrInvalid, a.Name, n)
	}
	client := env.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	var (
		m   measurer
		err error
	)
	switch {
	case a.Prometheus != nil:
		m, err = newPrometheus(a.Prometheus, client)
	case a.HTTP != nil:
		m, err = newHTTPCheck(a.HTTP, client)
	case a.Job != nil:
		if env.Jobs == nil {
			return nil, fmt.Errorf("%w: analysis %q runs a Job, and no cluster was given to run it in", ErrInvalid, a.Name)
		}
		m, err = newJobCheck(a.Name, a.Job, env)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: analysis %q: %w", ErrInvalid, a.Name, err)
	}
	return m, nil
}

// measurement is a measurement taken now.
func measurement(phase, value, message string) rolloutspec.Measurement {
	return rolloutspec.Measurement{At: rolloutspec.Time(time.Now()), Phase: phase, Value: clip(value, maxValue), Message: clip(message, maxMessage)}
}

// maxValue and maxMessage bound what a measurement keeps of its value
// (a query of many series) and its message (an error's text). A rollout
// keeps every measurement in the workload's status annotation, which the
// API server caps with the object's other annotations (256 KiB in all),
// and an abort writes its reason there before it moves traffic back: a
// measurement too big for it would leave a failed canary serving.
const maxValue, maxMessage = 256, 1024

// clip is s cut to about n bytes, at a character's start, saying how
// much it left out.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes more)", len(s)-cut)
}
