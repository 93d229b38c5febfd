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

package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// StreamVersion is the version of the machine-readable UI, the stream of
// `plan -json` and `apply -json`: "MAJOR.MINOR", where a minor version
// only adds fields and event types. Its schema is
// website/schema/ui-events.schema.json; a change to the schema needs a
// new version here (the schema's test says so).
const StreamVersion = "1.0"

// The event types of the machine-readable UI, in the order a stream
// prints them.
const (
	EventVersion       = "version"
	EventPlannedChange = "planned_change"
	EventResourceDrift = "resource_drift"
	EventOutputs       = "outputs"
	EventChangeSummary = "change_summary"
	EventDiagnostic    = "diagnostic"
	EventApplyStart    = "apply_start"
	EventApplyProgress = "apply_progress"
	EventApplyComplete = "apply_complete"
	EventApplyErrored  = "apply_errored"
	EventApplySummary  = "apply_summary"
)

// EventTypes lists every event type, for the schema.
var EventTypes = []string{EventVersion, EventPlannedChange, EventResourceDrift, EventOutputs, EventChangeSummary,
	EventDiagnostic, EventApplyStart, EventApplyProgress, EventApplyComplete, EventApplyErrored, EventApplySummary}

// uiModule is the @module of every event, as Terraform's machine-readable
// UI names its own.
const uiModule = "slipway.ui"

// Event is one line of `plan -json` and `apply -json`. The @-fields are
// Terraform's machine-readable UI's; type says which of the other fields
// is set (EventFields).
type Event = eventJSON

type eventJSON struct {
	Level     string `json:"@level" jsonschema:"enum=info,enum=warn,enum=error"`
	Message   string `json:"@message"`
	Module    string `json:"@module"`
	Timestamp string `json:"@timestamp" jsonschema:"format=date-time"`
	Type      string `json:"type"`

	// version
	Slipway string `json:"slipway,omitempty"`
	UI      string `json:"ui,omitempty"`
	// planned_change, resource_drift
	Change *changeJSON `json:"change,omitempty"`
	// outputs
	Outputs map[string]outputJSON `json:"outputs,omitempty"`
	// change_summary
	Changes *changeSummaryJSON `json:"changes,omitempty"`
	// diagnostic
	Diagnostic *lang.JSONDiagnostic `json:"diagnostic,omitempty"`
	// apply_start, apply_progress, apply_complete, apply_errored
	Hook *hookJSON `json:"hook,omitempty"`
	// apply_summary
	Summary *summaryJSON `json:"summary,omitempty"`
}

// EventFields says which field each event type carries, besides the
// @-fields and type: the schema requires it.
var EventFields = map[string][]string{
	EventVersion:       {"slipway", "ui"},
	EventPlannedChange: {"change"},
	EventResourceDrift: {"change"},
	EventOutputs:       {"outputs"},
	EventChangeSummary: {"changes"},
	EventDiagnostic:    {"diagnostic"},
	EventApplyStart:    {"hook"},
	EventApplyProgress: {"hook"},
	EventApplyComplete: {"hook"},
	EventApplyErrored:  {"hook"},
	EventApplySummary:  {"summary"},
}

// changeJSON is a planned change, or drift found by refresh.
type changeJSON struct {
	Resource resourceJSON `json:"resource"`
	// Action is the change's action, as apply's hooks name it: create,
	// read, update, replace, delete, run.
	Action string `json:"action"`
	// Reason is the JSON plan's action_reason; ReasonDetail says it for
	// people ("source.git.app moved 1a2b3c4 -> 9f8e7d6").
	Reason       string `json:"reason,omitempty"`
	ReasonDetail string `json:"reason_detail,omitempty"`
}

// outputJSON is an output's planned change: its action and sensitivity,
// never its value (the JSON plan has the values).
type outputJSON struct {
	Action    string `json:"action"`
	Sensitive bool   `json:"sensitive"`
}

// changeSummaryJSON counts what a plan will do.
type changeSummaryJSON struct {
	// Operation is "plan" or, for plan -destroy, "destroy".
	Operation string `json:"operation" jsonschema:"enum=plan,enum=destroy"`
	Add       int    `json:"add"`
	Change    int    `json:"change"`
	Remove    int    `json:"remove"`
	Run       int    `json:"run"`
	Read      int    `json:"read"`
	// Errored is true when planning failed: the counts are of what was
	// planned before it did, and the diagnostics say why.
	Errored bool `json:"errored"`
}

type resourceJSON struct {
	Address string `json:"address"`
	Mode    string `json:"mode"`
	Type    string `json:"type,omitempty"`
	Name    string `json:"name"`
	Index   any    `json:"index,omitempty"`
}

type hookJSON struct {
	Resource resourceJSON `json:"resource"`
	// Action is the change's action; empty only in a message heard
	// outside a change.
	Action string `json:"action,omitempty"`
	// Message is what the provider said (apply_progress), or, in a
	// heartbeat, the last thing it said.
	Message   string `json:"message,omitempty"`
	Heartbeat bool   `json:"heartbeat,omitempty"`
	// ElapsedSeconds is the change's time since it started (heartbeats,
	// apply_complete, apply_errored).
	ElapsedSeconds *float64 `json:"elapsed_seconds,omitempty"`
	Error          string   `json:"error,omitempty"`
	Cancelled      bool     `json:"cancelled,omitempty"`
	// Done, Total and ApplyElapsedSeconds are the apply's counter: the
	// changes ended so far, those it will report, and its time so far.
	Done                int      `json:"done,omitempty"`
	Total               int      `json:"total,omitempty"`
	ApplyElapsedSeconds *float64 `json:"apply_elapsed_seconds,omitempty"`
}

type summaryJSON struct {
	Operation      string                `json:"operation"`
	Add            int                   `json:"add"`
	Change         int                   `json:"change"`
	Remove         int                   `json:"remove"`
	Run            int                   `json:"run"`
	Done           int                   `json:"done"`
	Total          int                   `json:"total"`
	ElapsedSeconds *float64              `json:"elapsed_seconds"`
	Actions        map[string]actionJSON `json:"actions"`
	Slowest        []slowJSON            `json:"slowest"`
}

type actionJSON struct {
	Count          int      `json:"count"`
	Failed         int      `json:"failed"`
	Seconds        *float64 `json:"seconds"`
	LongestSeconds *float64 `json:"longest_seconds"`
}

type slowJSON struct {
	Resource       resourceJSON `json:"resource"`
	Action         string       `json:"action"`
	ElapsedSeconds *float64     `json:"elapsed_seconds"`
}

var modeNames = map[addrs.Kind]string{
	addrs.Managed: "managed", addrs.Source: "source", addrs.Pipeline: "pipeline", addrs.App: "app", addrs.Rollout: "rollout",
}

func resourceOf(a addrs.ResourceInstance) resourceJSON {
	r := resourceJSON{Address: a.String(), Mode: modeNames[a.Resource.Kind], Type: a.Resource.Type, Name: a.Resource.Name}
	switch k := a.Key.(type) {
	case addrs.IntKey:
		r.Index = int(k)
	case addrs.StringKey:
		r.Index = string(k)
	}
	return r
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) *float64 {
	s := math.Round(d.Seconds()*1000) / 1000
	return &s
}

func (p *Progress) stamp() string {
	return p.clock().UTC().Format(time.RFC3339Nano)
}

// event prints one hook event.
func (p *Progress) event(typ, level, message string, hook *hookJSON) {
	p.View.writeJSONLine(eventJSON{Level: level, Message: message, Module: uiModule, Timestamp: p.stamp(), Type: typ, Hook: hook})
}

// StartStream turns v into a machine-readable UI: it prints the version
// event that starts a `plan -json` or `apply -json` stream, and from then
// on v prints diagnostics and errors as diagnostic events on standard
// output instead of text on standard error. A second call does nothing.
func (v *View) StartStream(slipwayVersion string) {
	if v.stream {
		return
	}
	v.stream = true
	v.writeJSONLine(eventJSON{Level: "info", Message: "slipway " + slipwayVersion, Module: uiModule, Timestamp: v.stamp(),
		Type: EventVersion, Slipway: slipwayVersion, UI: StreamVersion})
}

// stamp is the @timestamp of an event printed now.
func (v *View) stamp() string {
	now := time.Now
	if v.now != nil {
		now = v.now
	}
	return now().UTC().Format(time.RFC3339Nano)
}

// PlanEvents prints what a plan will do as events: resource_drift for
// each object refresh found changed outside slipway, planned_change for
// each change that is not a no-op, outputs when outputs change, then
// change_summary.
func (v *View) PlanEvents(p *plans.Plan) {
	for _, c := range p.Drift {
		if c == nil || c.Action == plans.NoOp {
			continue
		}
		v.writeJSONLine(eventJSON{Level: "info", Message: fmt.Sprintf("%s: Drift detected (%s)", c.Addr, c.Action),
			Module: uiModule, Timestamp: v.stamp(), Type: EventResourceDrift, Change: changeOf(c)})
	}
	for _, c := range p.Changes {
		if c == nil || c.Action == plans.NoOp {
			continue
		}
		v.writeJSONLine(eventJSON{Level: "info", Message: fmt.Sprintf("%s: Plan to %s", c.Addr, c.Action),
			Module: uiModule, Timestamp: v.stamp(), Type: EventPlannedChange, Change: changeOf(c)})
	}
	outs := map[string]outputJSON{}
	for _, o := range p.Outputs {
		if o != nil && o.Action != plans.NoOp {
			outs[o.Name] = outputJSON{Action: o.Action.String(), Sensitive: o.Sensitive}
		}
	}
	if len(outs) > 0 {
		v.writeJSONLine(eventJSON{Level: "info", Message: fmt.Sprintf("Outputs: %d", len(outs)), Module: uiModule, Timestamp: v.stamp(),
			Type: EventOutputs, Outputs: outs})
	}
	sum := p.Summary()
	op := "plan"
	if p.Mode == plans.DestroyMode {
		op = "destroy"
	}
	msg := fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", sum.Add, sum.Change, sum.Destroy)
	if sum.Run > 0 {
		msg = fmt.Sprintf("Plan: %d %s to run, %d to add, %d to change, %d to destroy.", sum.Run, plural(sum.Run, "pipeline", "pipelines"), sum.Add, sum.Change, sum.Destroy)
	}
	if p.Errored {
		msg = "Planning failed. " + msg
	}
	v.writeJSONLine(eventJSON{Level: "info", Message: msg, Module: uiModule, Timestamp: v.stamp(), Type: EventChangeSummary,
		Changes: &changeSummaryJSON{Operation: op, Add: sum.Add, Change: sum.Change, Remove: sum.Destroy, Run: sum.Run, Read: sum.Read, Errored: p.Errored}})
}

func changeOf(c *plans.ResourceChange) *changeJSON {
	r := resourceOf(c.Addr)
	if c.Type != "" {
		r.Type = c.Type
	}
	return &changeJSON{Resource: r, Action: c.Action.String(), Reason: string(c.Reason), ReasonDetail: c.ReasonDetail}
}

// diagnosticEvents prints diagnostics as diagnostic events, masked.
func (v *View) diagnosticEvents(diags hcl.Diagnostics) {
	for _, d := range lang.DiagnosticsJSON(diags) {
		d.Summary, d.Detail = v.Mask(d.Summary), v.Mask(d.Detail)
		level := "error"
		if d.Severity == "warning" {
			level = "warn"
		}
		msg := d.Summary
		if r := d.Range; r != nil {
			msg = fmt.Sprintf("%s (%s:%d,%d)", msg, r.Filename, r.Start.Line, r.Start.Column)
		}
		v.writeJSONLine(eventJSON{Level: level, Message: msg, Module: uiModule, Timestamp: v.stamp(), Type: EventDiagnostic, Diagnostic: &d})
	}
}

// writeJSONLine prints one event as one line on standard output.
func (v *View) writeJSONLine(ev eventJSON) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		// Not through Error, which would print an event again.
		v.write(v.Stderr, fmt.Sprintf("Error: %s\n", v.Mask(err.Error())))
		return
	}
	v.printAboveLive(b.String(), "")
}
