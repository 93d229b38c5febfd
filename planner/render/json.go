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
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
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
	// Changes is every change of resource_changes and every object
	// inside one, flat, with the fields policies and reviews read most.
	Changes []jsonFlatChange `json:"changes"`
	// InterruptedChanges are the changes an interrupted apply left
	// unfinished, as this plan read them back.
	InterruptedChanges []jsonInterrupted `json:"interrupted_changes,omitempty"`
	// Preview is set for a plan that cannot be applied: made offline, or
	// with sources read from local checkouts.
	Preview *jsonPreview `json:"preview,omitempty"`
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
	Address string `json:"address"`
	// PreviousAddress is where state recorded the object before the
	// plan moved it (Terraform's field); absent when it did not move.
	PreviousAddress string     `json:"previous_address,omitempty"`
	Mode            string     `json:"mode"`
	Type            string     `json:"type,omitempty"`
	Name            string     `json:"name"`
	Index           any        `json:"index,omitempty"` // nil for no key; omitempty keeps a 0
	Provider        string     `json:"provider"`
	ActionReason    string     `json:"action_reason,omitempty"`
	ReasonDetail    string     `json:"reason_detail,omitempty"`
	Change          jsonChange `json:"change"`
	// RolloutStatus is where an app's rollout stands and what the plan
	// does with it; absent when the change rolls nothing out, or when
	// the app's rollout_status is sensitive.
	RolloutStatus *jsonRolloutStatus `json:"rollout_status,omitempty"`
}

// jsonRolloutStatus is a rollout's status as the provider reported it,
// with the same words the human plan prints.
type jsonRolloutStatus struct {
	rolloutspec.Status
	// Road is the steps in one line, the step under way in brackets.
	Road string `json:"road"`
	// Standing says where the rollout stands ("step 3/6 (analysis
	// errors), weight 20%").
	Standing string `json:"standing"`
	// Next says what the next apply (or promote) does; "" when the plan
	// proposes nothing for the rollout.
	Next string `json:"next"`
}

func rolloutJSON(c *plans.ResourceChange) *jsonRolloutStatus {
	s, _ := rolloutOf(c)
	if s == nil {
		return nil
	}
	out := &jsonRolloutStatus{Status: *s, Road: s.Road(), Standing: s.Standing(), Next: s.NextFor(c.Addr.String())}
	if out.Steps == nil {
		out.Steps = []string{}
	}
	return out
}

type jsonChange struct {
	Actions         []string `json:"actions"`
	Before          any      `json:"before"`
	After           any      `json:"after"`
	AfterUnknown    any      `json:"after_unknown"`
	BeforeSensitive any      `json:"before_sensitive"`
	AfterSensitive  any      `json:"after_sensitive"`
	ReplacePaths    [][]any  `json:"replace_paths,omitempty"`
	// LocalAttributes names the attributes of before and after whose
	// values only make sense on the machine that made the plan, such as
	// cache paths: a difference in them alone is never a change, and
	// the human and Markdown views leave them out.
	LocalAttributes []string           `json:"local_attributes,omitempty"`
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
		Preview:         previewJSON(p),
	}
	doc.Changes = flatChanges(p.Changes, doc.ResourceChanges)
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
		PreviousAddress: func() string {
			if c.PreviousAddr == nil {
				return ""
			}
			return c.PreviousAddr.String()
		}(),
		Change: jsonChange{
			Actions:         c.Action.JSONActions(),
			Before:          jsonValue(c.Before, nil, c.BeforeSensitive),
			After:           jsonValue(c.After, nil, c.AfterSensitive),
			AfterUnknown:    unknownMirror(c.After, c.AfterSensitive),
			BeforeSensitive: sensitiveMirror(c.Before, c.BeforeSensitive),
			AfterSensitive:  sensitiveMirror(c.After, c.AfterSensitive),
		},
	}
	rc.Change.LocalAttributes = c.Local
	rc.RolloutStatus = rolloutJSON(c)
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

// jsonFlatChange is one entry of the plan's "changes": every resource
// change and every object inside one (an app's Kubernetes objects, a
// pipeline's images and promotes), in one flat list with the fields that
// reviews and policies ask about most. Every field is always present
// (empty when it does not apply), except replicas, which only objects
// that declare spec.replicas have. The values come from the masked
// before and after of resource_changes, so nothing sensitive shows here
// that is hidden there.
type jsonFlatChange struct {
	// Address is the resource instance's address, followed for an
	// object inside one by a space and the object's own address
	// ("app.web apps/v1 Deployment web/web").
	Address string `json:"address"`
	// Parent is the address of the resource instance an object is
	// inside; "" for a resource instance itself.
	Parent string `json:"parent"`
	// Object is the object's address within its parent ("apps/v1
	// Deployment web/web", "image.myapp"); "" for a resource instance.
	Object string `json:"object"`
	// Action is one word: create, read, update, replace, delete, run or
	// no-op.
	Action string `json:"action"`
	// Kind is the Kubernetes kind of an object of an app
	// ("Deployment"), "image" or "promote" for those of a pipeline,
	// and the block kind for a resource instance: "resource",
	// "source", "pipeline", "app" or "rollout".
	Kind       string `json:"kind"`
	APIVersion string `json:"api_version"`
	// Name is the Kubernetes object's name, or the block's name.
	Name string `json:"name"`
	// Namespace is a Kubernetes object's namespace, or the destination
	// namespace of an app.
	Namespace string `json:"namespace"`
	// App is the name of the app for an app and its objects.
	App string `json:"app"`
	// Pipeline is the name of the pipeline for a pipeline and its
	// images and promotes.
	Pipeline string `json:"pipeline"`
	// Images are the container images an object runs (its pod
	// template's containers and init containers), or those a pipeline
	// and its image blocks push, as REPOSITORY:TAG.
	Images []string `json:"images"`
	// Replicas is an object's spec.replicas, when it has one.
	Replicas *int64 `json:"replicas,omitempty"`
	// Unknown says that what an object of a change that is not a delete
	// leaves is known only after apply (an app's objects after a promote
	// to its source): images, replicas and the like are then empty, not
	// those it has now.
	Unknown bool `json:"unknown"`
	// Sensitive says that what a change (not a delete) leaves is hidden,
	// as every value computed from a sensitive argument is (an app's
	// objects when one of its values is a secret): images, replicas and
	// the like are then empty, never the values it has now.
	Sensitive bool `json:"sensitive"`
	// Stages are the stages a pipeline runs, in order.
	Stages []string `json:"stages"`
	// Rollout is the rollout block an app follows ("rollout.canary"),
	// or "".
	Rollout string `json:"rollout"`
	// RolloutAction is what the plan does with an app's rollout:
	// "start", "continue", "supersede", "abort", "hold", or "".
	RolloutAction string `json:"rollout_action"`
	// RolloutPhase is where an app's rollout stands: "Planned",
	// "Progressing", "Paused", "Healthy", "Degraded", or "".
	RolloutPhase string `json:"rollout_phase"`
	// RolloutSteps are the steps of an app's rollout in words, ending
	// with "100%" (canary) or the scale-down (blue-green).
	RolloutSteps []string `json:"rollout_steps"`
}

// flatChanges lists the plan's changes for "changes". rcs are the
// rendered resource_changes, whose values are already masked.
func flatChanges(cs []*plans.ResourceChange, rcs []jsonResourceChange) []jsonFlatChange {
	out := []jsonFlatChange{}
	i := 0
	for _, c := range cs {
		if c == nil {
			continue
		}
		rc := rcs[i]
		i++
		out = append(out, flatResource(c, rc))
		for _, n := range rc.Change.Nested {
			out = append(out, flatNested(c, n))
		}
	}
	return out
}

func flatResource(c *plans.ResourceChange, rc jsonResourceChange) jsonFlatChange {
	f := jsonFlatChange{
		Address: rc.Address,
		Action:  c.Action.String(),
		Kind:    c.Addr.Resource.Kind.String(),
		Name:    c.Addr.Resource.Name,
		Images:  []string{},
		Stages:  []string{},
		Rollout: c.Rollout,
		// The status as resource_changes shows it: absent when sensitive.
		RolloutSteps: []string{},
	}
	if rc.RolloutStatus != nil {
		f.RolloutAction, f.RolloutPhase = rc.RolloutStatus.Action, rc.RolloutStatus.Phase
		f.RolloutSteps = append(f.RolloutSteps, rc.RolloutStatus.Steps...)
	}
	v := liveSide(c.Action, rc.Change.Before, rc.Change.After)
	// What the flat view reads of an instance, and from which its
	// objects come: hidden or unknown, the rule must be told.
	var reads []string
	switch c.Addr.Resource.Kind {
	case addrs.App:
		reads = []string{"namespace", "objects"}
	case addrs.Pipeline:
		reads = []string{"stages", "image"}
	}
	if c.Action != plans.Delete {
		for _, attr := range reads {
			f.Unknown = f.Unknown || attrFlag(rc.Change.AfterUnknown, attr)
			f.Sensitive = f.Sensitive || attrFlag(rc.Change.AfterSensitive, attr)
		}
	}
	switch c.Addr.Resource.Kind {
	case addrs.App:
		f.App = c.Addr.Resource.Name
		f.Namespace = jsonStr(field(v, "namespace"))
	case addrs.Pipeline:
		f.Pipeline = c.Addr.Resource.Name
		f.Stages = strs(field(v, "stages"))
		if imgs, ok := field(v, "image").(map[string]any); ok {
			for _, k := range sortedKeys(imgs) {
				f.Images = append(f.Images, imageRefs(imgs[k])...)
			}
		}
	}
	return f
}

func flatNested(c *plans.ResourceChange, n jsonNestedChange) jsonFlatChange {
	parent := c.Addr.String()
	f := jsonFlatChange{
		Address: parent + " " + n.Address,
		Parent:  parent,
		Object:  n.Address,
		Action:  actionWord(n.Actions),
		Images:  []string{},
		Stages:  []string{},
		// An object inside a change has no rollout of its own.
		RolloutSteps: []string{},
	}
	// What the change leaves, or for a delete what it removes; never
	// the value before when the one after is hidden or unknown.
	v := n.After
	switch {
	case f.Action == "delete":
		v = n.Before
	case n.After == nil && n.AfterUnknown == true:
		// Known only after apply: not the value it has now.
		f.Unknown = true
	case n.AfterSensitive == true:
		// Hidden: not the value it had before.
		v, f.Sensitive = nil, true
	}
	switch c.Addr.Resource.Kind {
	case addrs.Pipeline:
		f.Pipeline = c.Addr.Resource.Name
		f.Kind, f.Name, _ = strings.Cut(n.Address, " ")
		if k, name, ok := strings.Cut(n.Address, "."); ok && !strings.Contains(k, " ") {
			f.Kind, f.Name = k, name
			if k == "image" {
				f.Images = imageRefs(v)
			}
		}
		return f
	case addrs.App:
		f.App = c.Addr.Resource.Name
	}
	// A Kubernetes object: "apps/v1 Deployment ns/name" or, cluster
	// scoped, "v1 Namespace name"; its body says the same when known. A
	// hook's run names its object after the phase ("hook PreSync batch/v1
	// Job ns/name (generateName name-)"): it is that object, for the
	// policies that judge objects by their kind, namespace and name.
	addr := n.Address
	if rest, ok := strings.CutPrefix(addr, "hook "); ok {
		if _, obj, ok := strings.Cut(rest, " "); ok {
			addr, _, _ = strings.Cut(obj, " (generateName ")
		}
	}
	parts := strings.Fields(addr)
	if len(parts) == 3 {
		f.APIVersion, f.Kind = parts[0], parts[1]
		f.Name = parts[2]
		if ns, name, ok := strings.Cut(parts[2], "/"); ok {
			f.Namespace, f.Name = ns, name
		}
	}
	if s := jsonStr(field(v, "apiVersion")); s != "" {
		f.APIVersion = s
	}
	if s := jsonStr(field(v, "kind")); s != "" {
		f.Kind = s
	}
	meta := field(v, "metadata")
	if s := jsonStr(field(meta, "name")); s != "" {
		f.Name = s
	}
	if s := jsonStr(field(meta, "namespace")); s != "" {
		f.Namespace = s
	}
	if f.Kind == "Namespace" && (f.APIVersion == "v1" || f.APIVersion == "") && f.Namespace == "" {
		// A Namespace is the namespace a rule about one means: deleting
		// prod-web deletes everything in it.
		f.Namespace = f.Name
	}
	spec := field(v, "spec")
	if r, ok := field(spec, "replicas").(json.Number); ok {
		if n, err := r.Int64(); err == nil {
			f.Replicas = &n
		}
	}
	f.Images = podImages(spec)
	return f
}

// attrFlag reads attribute attr of an after_unknown or after_sensitive
// mirror: true when the whole value, or that attribute, is.
func attrFlag(mirror any, attr string) bool {
	switch m := mirror.(type) {
	case bool:
		return m
	case map[string]any:
		b, _ := m[attr].(bool)
		return b
	}
	return false
}

// liveSide is the value a change leaves, or for a delete the one it
// removes: never the value before when the one after is hidden.
func liveSide(a plans.Action, before, after any) any {
	if a == plans.Delete {
		return before
	}
	return after
}

// actionWord is a list of JSON actions as one word.
func actionWord(actions []string) string {
	if len(actions) == 2 {
		return "replace"
	}
	if len(actions) == 1 {
		return actions[0]
	}
	return ""
}

// podImages lists the images of a workload's pod spec: a Pod's own, the
// template of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job,
// and the job template of a CronJob.
func podImages(spec any) []string {
	out := []string{}
	pod := spec
	if t := field(spec, "jobTemplate"); t != nil {
		pod = field(field(t, "spec"), "template")
		pod = field(pod, "spec")
	} else if t := field(spec, "template"); t != nil {
		pod = field(t, "spec")
	}
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := field(pod, list).([]any)
		for _, c := range cs {
			if s := jsonStr(field(c, "image")); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// imageRefs lists the references of a pipeline's image value: one per
// tag it pushes.
func imageRefs(v any) []string {
	repo := jsonStr(field(v, "repository"))
	tags := strs(field(v, "tags"))
	if repo == "" {
		if s := jsonStr(field(v, "image")); s != "" {
			return []string{s}
		}
		return nil
	}
	if len(tags) == 0 {
		if t := jsonStr(field(v, "tag")); t != "" {
			tags = []string{t}
		}
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, repo+":"+t)
	}
	return out
}

func field(v any, name string) any {
	if m, ok := v.(map[string]any); ok {
		return m[name]
	}
	return nil
}

func jsonStr(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	out := []string{}
	l, _ := v.([]any)
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
