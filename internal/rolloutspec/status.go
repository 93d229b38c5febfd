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

package rolloutspec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Phases of a rollout.
const (
	// PhasePlanned: the plan found a change that will roll out; nothing
	// has moved yet.
	PhasePlanned = "Planned"
	// PhaseProgressing: steps are being carried out.
	PhaseProgressing = "Progressing"
	// PhasePaused: a pause holds the rollout until PausedUntil or a
	// promote.
	PhasePaused = "Paused"
	// PhaseHealthy: the revision is stable; no rollout is under way.
	PhaseHealthy = "Healthy"
	// PhaseDegraded: the rollout of Revision was aborted (AbortedRevision);
	// the stable revision serves, and the same revision is not retried by
	// itself.
	PhaseDegraded = "Degraded"
)

// Actions a plan proposes for a rollout.
const (
	ActionStart     = "start"     // a new revision starts at step 1
	ActionContinue  = "continue"  // the rollout under way goes on
	ActionSupersede = "supersede" // a newer revision replaces the one under way
	ActionAbort     = "abort"     // the rollout under way is rolled back
	ActionHold      = "hold"      // an aborted revision is not retried
	ActionNone      = ""
)

// Status is where an app's rollout stands, and in a plan what the next
// apply will do with it.
type Status struct {
	Rollout  string `json:"rollout"`
	Strategy string `json:"strategy"`
	// Workload is "Deployment/NAME".
	Workload string `json:"workload"`
	Phase    string `json:"phase"`
	// Action is what the plan proposes (ActionStart, ...); empty in state.
	Action string `json:"action,omitempty"`
	// Revision is the pod template (its hash) rolling out; Stable the one
	// serving before it.
	Revision string `json:"revision,omitempty"`
	Stable   string `json:"stable,omitempty"`
	// Steps describe the strategy (Spec.Steps); Step is the index of the
	// step under way, len(Steps)-1 being the last ("100%").
	Steps []string `json:"steps"`
	Step  int      `json:"step"`
	// Weight is the share of traffic on the new pods, 0 to 100.
	Weight int `json:"weight"`
	// Replicas are the ready pods of the stable and new templates.
	StableReplicas int `json:"stable_replicas"`
	CanaryReplicas int `json:"canary_replicas"`
	// Replicas is the app's replica count the rollout keeps: the
	// manifests', or the live one when they leave it to an autoscaler.
	Replicas int `json:"replicas,omitempty"`
	// PausedUntil is when a timed pause ends (RFC 3339); empty with
	// Phase Paused: until promoted.
	PausedUntil string `json:"paused_until,omitempty"`
	// Analyses are the analysis runs so far, oldest first.
	Analyses []AnalysisRun `json:"analyses,omitempty"`
	// Message says why (an abort's reason) or what comes next.
	Message string `json:"message,omitempty"`
	// Aborted is the revision whose rollout was aborted.
	Aborted string `json:"aborted,omitempty"`
	// Superseded is the revision the plan's new one replaces.
	Superseded string `json:"superseded,omitempty"`
	// Started and Updated are RFC 3339 times.
	Started string `json:"started,omitempty"`
	Updated string `json:"updated,omitempty"`
}

// Outcomes of a measurement and of an analysis run.
const (
	Successful   = "Successful"
	Failed       = "Failed"
	Inconclusive = "Inconclusive"
	Running      = "Running"
	Error        = "Error"
)

// AnalysisRun is one analysis taken at one step.
type AnalysisRun struct {
	Name string `json:"name"`
	// Digest is the analysis's Digest when the run began; "" in runs an
	// older slipway recorded.
	Digest string `json:"digest,omitempty"`
	Step   int    `json:"step"`
	Phase  string `json:"phase"`
	// Tally counts every measurement taken; nil in runs an older
	// slipway recorded, which kept them all in Measurements.
	Tally *Tally `json:"tally,omitempty"`
	// Measurements are the last MeasurementHistory measurements taken,
	// oldest first, as an Argo Rollouts AnalysisRun keeps its last ten:
	// a run of thousands would not fit the annotation that records it.
	Measurements []Measurement `json:"measurements,omitempty"`
	Message      string        `json:"message,omitempty"`
}

// MeasurementHistory is how many of its last measurements a run keeps.
const MeasurementHistory = 10

// Tally counts the measurements of a run by outcome.
type Tally struct {
	Taken        int `json:"taken"`
	Successful   int `json:"successful,omitempty"`
	Failed       int `json:"failed,omitempty"`
	Inconclusive int `json:"inconclusive,omitempty"` // Error included
}

// tally is r's Tally, or for a run recorded without one, the count of
// its measurements.
func (r AnalysisRun) tally() Tally {
	if r.Tally != nil {
		return *r.Tally
	}
	var t Tally
	for _, m := range r.Measurements {
		t.count(m)
	}
	return t
}

// count adds measurement m to t.
func (t *Tally) count(m Measurement) {
	t.Taken++
	switch m.Phase {
	case Successful:
		t.Successful++
	case Failed:
		t.Failed++
	case Inconclusive, Error:
		t.Inconclusive++
	}
}

// Taken is how many measurements the run has taken.
func (r AnalysisRun) Taken() int { return r.tally().Taken }

// Add records measurement m: it is counted, and kept among the last
// MeasurementHistory. Measurements is copied, never changed in place.
func (r *AnalysisRun) Add(m Measurement) {
	t := r.tally()
	t.count(m)
	r.Tally = &t
	kept := r.Measurements
	if len(kept) >= MeasurementHistory {
		kept = kept[len(kept)-MeasurementHistory+1:]
	}
	r.Measurements = append(append(make([]Measurement, 0, len(kept)+1), kept...), m)
}

// Measurement is one of an analysis's Count measurements.
type Measurement struct {
	At      string `json:"at"`
	Phase   string `json:"phase"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message,omitempty"`
}

// Encode is the JSON of s.
func (s *Status) Encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// DecodeStatus reads a Status from its JSON; "" is no status (nil).
func DecodeStatus(s string) (*Status, error) {
	if s == "" {
		return nil, nil
	}
	var out Status
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("read the rollout status: %w", err)
	}
	return &out, nil
}

// StepName is the description of step i, or "" out of range.
func (s *Status) StepName(i int) string {
	if i < 0 || i >= len(s.Steps) {
		return ""
	}
	return s.Steps[i]
}

// Road is the steps in one line, the step under way in brackets when the
// rollout has started.
func (s *Status) Road() string {
	parts := append([]string(nil), s.Steps...)
	if s.Phase == PhaseProgressing || s.Phase == PhasePaused {
		if s.Step >= 0 && s.Step < len(parts) {
			parts[s.Step] = "[" + parts[s.Step] + "]"
		}
	}
	return strings.Join(parts, " -> ")
}

// Counts sums the outcomes of every measurement an analysis run took.
func (r AnalysisRun) Counts() (ok, failed, inconclusive int) {
	t := r.tally()
	return t.Successful, t.Failed, t.Inconclusive
}

// Summary is one line about an analysis run: "errors: Successful (3 of
// 3 successful)".
func (r AnalysisRun) Summary() string {
	ok, failed, inc := r.Counts()
	var parts []string
	if ok > 0 {
		parts = append(parts, fmt.Sprintf("%d successful", ok))
	}
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", failed))
	}
	if inc > 0 {
		parts = append(parts, fmt.Sprintf("%d inconclusive", inc))
	}
	line := fmt.Sprintf("analysis %s: %s", r.Name, r.Phase)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if r.Message != "" {
		line += ": " + r.Message
	}
	return line
}

// Standing says in one line where the rollout stands: "step 3/6
// (analysis errors), weight 20%".
func (s *Status) Standing() string {
	switch s.Phase {
	case PhaseHealthy:
		return "healthy at revision " + Short(s.Revision)
	case PhaseDegraded:
		return fmt.Sprintf("degraded: the rollout of revision %s was aborted: %s", Short(s.Aborted), s.Message)
	case PhasePlanned:
		return "not started"
	}
	line := fmt.Sprintf("step %d/%d (%s), weight %d%%", s.Step+1, len(s.Steps), s.StepName(s.Step), s.Weight)
	if s.Phase == PhasePaused {
		if s.PausedUntil != "" {
			line += ", paused until " + s.PausedUntil
		} else {
			line += ", paused until promoted"
		}
	}
	return line
}

// Next says what the next apply (or promote) does, for a plan.
func (s *Status) Next() string { return s.NextFor("") }

// NextFor is Next with the commands it names given the app's address,
// quoted for a shell when it has an instance key (ShellWord).
func (s *Status) NextFor(addr string) string {
	app := ""
	if addr != "" {
		app = " " + ShellWord(addr)
	}
	switch s.Action {
	case ActionStart:
		if s.Revision == "" {
			return fmt.Sprintf("apply starts the rollout of the new revision at step 1 (%s)", s.StepName(0))
		}
		return fmt.Sprintf("apply starts the rollout of revision %s at step 1 (%s)", Short(s.Revision), s.StepName(0))
	case ActionSupersede:
		if s.Revision == "" {
			return fmt.Sprintf("apply replaces the rollout of revision %s under way with the new revision, starting at step 1 (%s)", Short(s.Superseded), s.StepName(0))
		}
		return fmt.Sprintf("apply replaces the rollout of revision %s under way with revision %s, starting at step 1 (%s)", Short(s.Superseded), Short(s.Revision), s.StepName(0))
	case ActionContinue:
		if s.Phase == PhasePaused && s.PausedUntil == "" {
			return fmt.Sprintf("run \"slipway rollout promote%s\" to go on past step %d (%s)", app, s.Step+1, s.StepName(s.Step))
		}
		return fmt.Sprintf("apply goes on at step %d (%s)", s.Step+1, s.StepName(s.Step))
	case ActionAbort:
		return "apply rolls back to the stable revision " + Short(s.Stable)
	case ActionHold:
		return fmt.Sprintf("revision %s was aborted and is not retried by itself: run \"slipway rollout retry%s\", apply with -replace, or commit a new revision", Short(s.Aborted), app)
	}
	return ""
}

// Time formats t for a Status.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Short is a revision hash cut to 10 characters, as every view of a
// rollout shows it.
func Short(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

// ShellWord is an address as one word a shell passes on unchanged:
// app.web as it is, app.web["eu"] in single quotes.
func ShellWord(addr string) string {
	if strings.ContainsAny(addr, "[]\"' $*?") {
		return "'" + strings.ReplaceAll(addr, "'", `'\''`) + "'"
	}
	return addr
}
