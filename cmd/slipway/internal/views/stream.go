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

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// StreamVersion is the version of the apply -json stream: "MAJOR.MINOR",
// where a minor version only adds fields and event types.
const StreamVersion = "1.0"

// uiModule is the @module of every event, as Terraform's machine-readable
// UI names its own.
const uiModule = "slipway.ui"

// eventJSON is one line of `apply -json`. The @-fields are Terraform's
// machine-readable UI's; type says which of the other fields are set.
type eventJSON struct {
	Level     string `json:"@level"`
	Message   string `json:"@message"`
	Module    string `json:"@module"`
	Timestamp string `json:"@timestamp"`
	Type      string `json:"type"`

	// version
	Slipway string `json:"slipway,omitempty"`
	UI      string `json:"ui,omitempty"`
	// plan: the JSON plan document (website/docs/json-plan.md), whole.
	Plan json.RawMessage `json:"plan,omitempty"`
	// apply_start, apply_progress, apply_complete, apply_errored
	Hook *hookJSON `json:"hook,omitempty"`
	// apply_summary
	Summary *summaryJSON `json:"summary,omitempty"`
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

// Version prints the version event that starts an apply -json stream.
func (p *Progress) Version(slipwayVersion string) {
	p.View.writeJSONLine(eventJSON{Level: "info", Message: "slipway " + slipwayVersion, Module: uiModule, Timestamp: p.stamp(),
		Type: "version", Slipway: slipwayVersion, UI: StreamVersion})
}

// Plan prints the plan event of an apply -json stream: the JSON plan
// document (doc, as render.JSON makes it) on one line.
func (p *Progress) Plan(doc []byte, sum plans.Summary) {
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		p.View.Error(fmt.Errorf("the JSON plan is not valid JSON: %w", err))
		return
	}
	msg := fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", sum.Add, sum.Change, sum.Destroy)
	if sum.Run > 0 {
		msg = fmt.Sprintf("Plan: %d %s to run, %d to add, %d to change, %d to destroy.", sum.Run, plural(sum.Run, "pipeline", "pipelines"), sum.Add, sum.Change, sum.Destroy)
	}
	p.View.writeJSONLine(eventJSON{Level: "info", Message: msg, Module: uiModule, Timestamp: p.stamp(), Type: "plan", Plan: b.Bytes()})
}

// writeJSONLine prints one event as one line on standard output.
func (v *View) writeJSONLine(ev eventJSON) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		v.Error(err)
		return
	}
	v.printAboveLive(b.String(), "")
}
