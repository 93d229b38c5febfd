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

package render

import (
	"slices"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// The JSON plan document, documented in website/docs/json-plan.md. Field
// order here is the order in the output; within a format major, fields
// may be added but never renamed or removed.
type jsonPlan struct {
	FormatVersion  string `json:"format_version"`
	SlipwayVersion string `json:"slipway_version"`
	Timestamp      string `json:"timestamp"`
	Mode           string `json:"mode"`
	Workspace      string `json:"workspace"`
	Errored        bool   `json:"errored"`
	// Partial is set for a plan made with -target or -exclude, which may
	// leave out changes the configuration asks for; Targets and Excludes
	// are the addresses given.
	Partial         bool                        `json:"partial"`
	Targets         []string                    `json:"targets,omitempty"`
	Excludes        []string                    `json:"excludes,omitempty"`
	PriorState      jsonPriorState              `json:"prior_state"`
	Variables       map[string]jsonVariable     `json:"variables"`
	ResourceChanges []jsonResourceChange        `json:"resource_changes"`
	ResourceDrift   []jsonResourceChange        `json:"resource_drift"`
	OutputChanges   map[string]jsonOutputChange `json:"output_changes"`
	Summary         jsonSummary                 `json:"summary"`
	HasChanges      bool                        `json:"has_changes"`
	// InterruptedChanges are the changes an interrupted apply left
	// unfinished, as this plan read them back.
	InterruptedChanges []jsonInterrupted `json:"interrupted_changes,omitempty"`
}

type jsonInterrupted struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Action  string `json:"action"`
	Outcome string `json:"outcome"`
}

type jsonPriorState struct {
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

type jsonVariable struct {
	Value any `json:"value"`
}

type jsonResourceChange struct {
	Address      string     `json:"address"`
	Mode         string     `json:"mode"`
	Type         string     `json:"type,omitempty"`
	Name         string     `json:"name"`
	Index        any        `json:"index,omitempty"` // nil for no key; omitempty keeps a 0
	Provider     string     `json:"provider"`
	ActionReason string     `json:"action_reason,omitempty"`
	ReasonDetail string     `json:"reason_detail,omitempty"`
	Change       jsonChange `json:"change"`
}

type jsonChange struct {
	Actions         []string           `json:"actions"`
	Before          any                `json:"before"`
	After           any                `json:"after"`
	AfterUnknown    any                `json:"after_unknown"`
	BeforeSensitive any                `json:"before_sensitive"`
	AfterSensitive  any                `json:"after_sensitive"`
	ReplacePaths    [][]any            `json:"replace_paths,omitempty"`
	Nested          []jsonNestedChange `json:"nested,omitempty"`
}

type jsonNestedChange struct {
	Address         string   `json:"address"`
	Actions         []string `json:"actions"`
	ActionReason    string   `json:"action_reason,omitempty"`
	Before          any      `json:"before"`
	After           any      `json:"after"`
	AfterUnknown    any      `json:"after_unknown"`
	BeforeSensitive any      `json:"before_sensitive"`
	AfterSensitive  any      `json:"after_sensitive"`
}

type jsonOutputChange struct {
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown"`
	Sensitive    bool     `json:"sensitive"`
}

type jsonSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Run     int `json:"run"`
}

// modeNames are the JSON "mode" of each kind of resource block.
var modeNames = map[addrs.Kind]string{
	addrs.Managed:  "managed",
	addrs.Source:   "source",
	addrs.Pipeline: "pipeline",
	addrs.App:      "app",
	addrs.Rollout:  "rollout",
}

// JSON renders the plan as the versioned JSON document bots and policy
// read. Sensitive values are written as null and marked in
// before_sensitive and after_sensitive; unknown values are written as
// null and marked in after_unknown.
func JSON(p *plans.Plan) ([]byte, error) {
	s := p.Summary()
	doc := jsonPlan{
		FormatVersion:   plans.FormatVersion,
		SlipwayVersion:  p.SlipwayVersion,
		Timestamp:       p.Timestamp.UTC().Format(time.RFC3339),
		Mode:            p.Mode.String(),
		Workspace:       p.WorkspaceName(),
		Errored:         p.Errored,
		Partial:         p.Partial(),
		Targets:         p.Targets,
		Excludes:        p.Excludes,
		PriorState:      jsonPriorState{Lineage: p.PriorLineage, Serial: p.PriorSerial},
		Variables:       map[string]jsonVariable{},
		ResourceChanges: jsonChanges(p.Changes),
		ResourceDrift:   jsonChanges(p.Drift),
		OutputChanges:   map[string]jsonOutputChange{},
		Summary:         jsonSummary{Add: s.Add, Change: s.Change, Destroy: s.Destroy, Run: s.Run},
		HasChanges:      p.HasChanges(),
	}
	for _, in := range p.Interrupted {
		doc.InterruptedChanges = append(doc.InterruptedChanges, jsonInterrupted{ID: in.ID, Address: in.Addr.String(), Action: in.Action.String(), Outcome: in.Outcome})
	}
	for name, v := range p.Variables {
		v, sens := unmark(v, nil)
		if slices.Contains(p.SensitiveVariables, name) {
			sens = append(sens, cty.Path{})
		}
		doc.Variables[name] = jsonVariable{Value: jsonValue(v, nil, sens)}
	}
	for _, o := range p.Outputs {
		if o == nil {
			continue
		}
		o = unmarkOutput(o)
		var sens []cty.Path
		if o.Sensitive {
			sens = []cty.Path{{}}
		}
		doc.OutputChanges[o.Name] = jsonOutputChange{
			Actions:      o.Action.JSONActions(),
			Before:       jsonValue(o.Before, nil, sens),
			After:        jsonValue(o.After, nil, sens),
			AfterUnknown: unknownMirror(o.After, sens),
			Sensitive:    o.Sensitive,
		}
	}
	return encodeJSON(doc)
}

func jsonChanges(cs []*plans.ResourceChange) []jsonResourceChange {
	out := []jsonResourceChange{}
	for _, c := range cs {
		if c != nil {
			out = append(out, jsonResourceChangeOf(c))
		}
	}
	return out
}

func jsonResourceChangeOf(c *plans.ResourceChange) jsonResourceChange {
	c = unmarkChange(c)
	rc := jsonResourceChange{
		Address:      c.Addr.String(),
		Mode:         modeNames[c.Addr.Resource.Kind],
		Type:         c.Type,
		Name:         c.Addr.Resource.Name,
		Index:        jsonIndex(c.Addr.Key),
		Provider:     c.Provider.String(),
		ActionReason: string(c.Reason),
		ReasonDetail: c.ReasonDetail,
		Change: jsonChange{
			Actions:         c.Action.JSONActions(),
			Before:          jsonValue(c.Before, nil, c.BeforeSensitive),
			After:           jsonValue(c.After, nil, c.AfterSensitive),
			AfterUnknown:    unknownMirror(c.After, c.AfterSensitive),
			BeforeSensitive: sensitiveMirror(c.Before, c.BeforeSensitive),
			AfterSensitive:  sensitiveMirror(c.After, c.AfterSensitive),
		},
	}
	for _, path := range c.RequiresReplace {
		rc.Change.ReplacePaths = append(rc.Change.ReplacePaths, jsonPath(path))
	}
	for _, n := range c.Nested {
		if n == nil {
			continue
		}
		rc.Change.Nested = append(rc.Change.Nested, jsonNestedChange{
			Address:         n.Address,
			Actions:         n.Action.JSONActions(),
			ActionReason:    string(n.Reason),
			Before:          jsonValue(n.Before, nil, n.BeforeSensitive),
			After:           jsonValue(n.After, nil, n.AfterSensitive),
			AfterUnknown:    unknownMirror(n.After, n.AfterSensitive),
			BeforeSensitive: sensitiveMirror(n.Before, n.BeforeSensitive),
			AfterSensitive:  sensitiveMirror(n.After, n.AfterSensitive),
		})
	}
	return rc
}

// jsonIndex is an instance key as JSON: a number for count, a string for
// for_each, nothing without either.
func jsonIndex(k addrs.InstanceKey) any {
	switch k := k.(type) {
	case addrs.IntKey:
		return int(k)
	case addrs.StringKey:
		return string(k)
	}
	return nil
}
