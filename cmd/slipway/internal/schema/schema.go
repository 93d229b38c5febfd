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

package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"slipway.dev/slipway/cmd/slipway/internal/command"
	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/planner/schemas"
)

// BaseURL is where the schemas are published; each schema's $id is
// BaseURL + its file name.
const BaseURL = "https://slipway.dev/schema/"

// Document is one JSON output and its schema.
type Document struct {
	// Name names the document in History and in messages.
	Name string
	// File is the schema's file name under website/schema/.
	File string
	// Title and Description head the schema.
	Title, Description string
	// Version is the document's format version, the constant the code
	// writes; "" for a document without one.
	Version string
	// value is a value of the Go type the document is written from.
	value any
	// patch refines what reflection cannot say, by definition and
	// property name; it fails when a property it names is gone.
	patch func(*jsonschema.Schema) error
}

// Documents are every JSON output slipway prints, by the schema's file.
var Documents = []Document{
	{
		Name: "plan", File: "plan.schema.json", Version: plans.FormatVersion,
		Title:       "slipway JSON plan",
		Description: "The document `slipway show -json PLANFILE` prints: a saved plan, with every change, its values, and which of them are unknown or sensitive.",
		value:       render.PlanDocument{},
		patch:       patchPlan,
	},
	{
		Name: "state", File: "state.schema.json", Version: render.StateFormatVersion,
		Title:       "slipway JSON state view",
		Description: "The document `slipway show -json` prints: the resources and outputs recorded in state, sensitive values masked.",
		value:       render.StateDocument{},
		patch:       patchState,
	},
	{
		Name: "outputs", File: "outputs.schema.json", Version: render.StateFormatVersion,
		Title:       "slipway JSON outputs view",
		Description: "The document `slipway output -json` prints: every root output by name, with its sensitivity, its type and its value.",
		value:       render.OutputsDocument{},
		patch:       patchOutputs,
	},
	{
		Name: "ui-events", File: "ui-events.schema.json", Version: views.StreamVersion,
		Title:       "slipway machine-readable UI event",
		Description: "One line of `slipway plan -json` and `slipway apply -json`: each line of the stream is one event, valid against this schema.",
		value:       views.Event{},
		patch:       patchEvent,
	},
	{
		Name: "status", File: "status.schema.json", Version: command.StatusFormatVersion,
		Title:       "slipway status -json",
		Description: "The document `slipway status -json` prints: each app's sync status, health, objects and recent syncs.",
		value:       command.StatusDocument{},
		patch: func(s *jsonschema.Schema) error {
			return patches(
				func() error { return constVersion(s, command.StatusFormatVersion) },
				func() error { return setProp(s, "StatusRollout", "phase", enum(rolloutPhases...)) },
				func() error { return setProp(s, "StatusRollout", "action", enum(rolloutActions...)) },
				func() error {
					return setProp(s, "StatusRollout", "strategy", enum(rolloutspec.Canary, rolloutspec.BlueGreen))
				},
			)
		},
	},
	{
		Name: "validate", File: "validate.schema.json", Version: views.ValidateFormatVersion,
		Title:       "slipway validate -json",
		Description: "The document `slipway validate -json` prints: whether the configuration is valid, and its diagnostics.",
		value:       views.ValidateDocument{},
		patch: func(s *jsonschema.Schema) error {
			return patches(
				func() error { return constVersion(s, views.ValidateFormatVersion) },
				func() error { return setProp(s, "Diagnostic", "severity", severity()) },
			)
		},
	},
	{
		Name: "version", File: "version.schema.json",
		Title:       "slipway version -json",
		Description: "The document `slipway version -json` prints: slipway's build and the providers the configuration uses.",
		value:       command.VersionDocument{},
	},
	{
		Name: "providers", File: "providers.schema.json",
		Title:       "slipway providers -json",
		Description: "The document `slipway providers -json` prints: the providers built into slipway and those the configuration needs, with their versions and where each was found.",
		value:       command.ProvidersDocument{},
	},
	{
		Name: "provider-schemas", File: "provider-schemas.schema.json", Version: schemas.FormatVersion,
		Title:       "slipway providers schema -json",
		Description: "The document `slipway providers schema -json` prints: every provider's configuration, resource and source schemas, in the shape of Terraform's providers schema -json.",
		value:       schemas.Document{},
		patch:       func(s *jsonschema.Schema) error { return constVersion(s, schemas.FormatVersion) },
	},
}

// Generate returns the schema of d, indented, ending in a newline.
func Generate(d Document) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true,
		ExpandedStruct: true,
		Namer:          typeName,
	}
	s := r.Reflect(d.value)
	s.ID = jsonschema.ID(BaseURL + d.File)
	s.Title, s.Description = d.Title, d.Description
	if d.patch != nil {
		if err := d.patch(s); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Digest is the digest History records of a generated schema.
func Digest(schema []byte) string {
	sum := sha256.Sum256(schema)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// typeName names a Go type's definition in a schema: its name without
// the "json" or "JSON" that marks it as a JSON shape in its package
// (jsonResourceChange, hookJSON and JSONDiagnostic are ResourceChange,
// Hook and Diagnostic).
func typeName(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return ""
	}
	for _, affix := range []string{"json", "JSON"} {
		n = strings.TrimPrefix(n, affix)
		n = strings.TrimSuffix(n, affix)
	}
	if n == "" {
		return t.Name()
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// def returns the definition name of s, failing when it is missing.
func def(s *jsonschema.Schema, name string) (*jsonschema.Schema, error) {
	if name == "" {
		return s, nil
	}
	d, ok := s.Definitions[name]
	if !ok {
		return nil, fmt.Errorf("no definition %s", name)
	}
	return d, nil
}

// setProp replaces the schema of property prop of definition name ("" for
// the root).
func setProp(s *jsonschema.Schema, name, prop string, to *jsonschema.Schema) error {
	d, err := def(s, name)
	if err != nil {
		return err
	}
	if d.Properties == nil {
		return fmt.Errorf("%s has no properties", name)
	}
	old, ok := d.Properties.Get(prop)
	if !ok {
		return fmt.Errorf("%s has no property %s", name, prop)
	}
	to.Description = old.Description
	d.Properties.Set(prop, to)
	return nil
}

// constVersion pins the root's format_version to version.
func constVersion(s *jsonschema.Schema, version string) error {
	return setProp(s, "", "format_version", &jsonschema.Schema{Type: "string", Const: version})
}

// index is an instance key: a number for count, a string for for_each.
func index() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "integer"}, {Type: "string"}}}
}

// modes are the JSON "mode" of each kind of block.
var modes = []any{"managed", "source", "pipeline", "app", "rollout"}

// mode is a block's kind, as the JSON documents name it.
func mode() *jsonschema.Schema { return &jsonschema.Schema{Type: "string", Enum: modes} }

// actionNames are the names of every plans.Action ("replace" for both
// orders of a replace).
func actionNames() []any {
	var out []any
	seen := map[string]bool{}
	for a := plans.NoOp; a <= plans.Run; a++ {
		if n := a.String(); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// action is one action's name.
func action() *jsonschema.Schema { return &jsonschema.Schema{Type: "string", Enum: actionNames()} }

// actions is an action as the JSON plan's list of steps
// (plans.Action.JSONActions): ["delete", "create"] for a replace.
func actions() *jsonschema.Schema {
	var steps []any
	seen := map[string]bool{}
	for a := plans.NoOp; a <= plans.Run; a++ {
		for _, n := range a.JSONActions() {
			if !seen[n] {
				seen[n] = true
				steps = append(steps, n)
			}
		}
	}
	return &jsonschema.Schema{Type: "array", MinItems: ptr(1), MaxItems: ptr(2), Items: &jsonschema.Schema{Type: "string", Enum: steps}}
}

// severity is a diagnostic's.
func severity() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Enum: []any{"error", "warning"}}
}

// mirrorRef refers to the Mirror definition, added by addMirror.
func mirrorRef() *jsonschema.Schema { return &jsonschema.Schema{Ref: "#/$defs/Mirror"} }

// addMirror defines Mirror: the shape of after_unknown and the
// *_sensitive fields, true where a value is marked, mirroring the value's
// objects and arrays down to the marks.
func addMirror(s *jsonschema.Schema) {
	s.Definitions["Mirror"] = &jsonschema.Schema{
		Description: "true where the value is unknown (or sensitive), false where it is not; an object or array mirrors the value's own, holding only the members with marks inside.",
		OneOf: []*jsonschema.Schema{
			{Type: "boolean"},
			{Type: "array", Items: mirrorRef()},
			{Type: "object", AdditionalProperties: mirrorRef()},
		},
	}
}

// patches applies each function in turn, stopping at the first error.
func patches(fs ...func() error) error {
	for _, f := range fs {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func patchPlan(s *jsonschema.Schema) error {
	addMirror(s)
	mirrors := func(name string, props ...string) func() error {
		return func() error {
			for _, p := range props {
				if err := setProp(s, name, p, mirrorRef()); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return patches(
		func() error { return constVersion(s, plans.FormatVersion) },
		func() error {
			return setProp(s, "", "timestamp", &jsonschema.Schema{Type: "string", Format: "date-time"})
		},
		func() error {
			return setProp(s, "", "mode", &jsonschema.Schema{Type: "string", Enum: []any{"normal", "destroy", "refresh-only"}})
		},
		func() error { return setProp(s, "ResourceChange", "index", index()) },
		func() error { return setProp(s, "ResourceChange", "mode", mode()) },
		func() error { return setProp(s, "Change", "actions", actions()) },
		func() error { return setProp(s, "NestedChange", "actions", actions()) },
		func() error { return setProp(s, "OutputChange", "actions", actions()) },
		func() error { return setProp(s, "Interrupted", "action", action()) },
		mirrors("Change", "after_unknown", "before_sensitive", "after_sensitive"),
		mirrors("NestedChange", "after_unknown", "before_sensitive", "after_sensitive"),
		mirrors("OutputChange", "after_unknown"),
		func() error { return setProp(s, "RolloutStatus", "phase", enum(rolloutPhases...)) },
		func() error { return setProp(s, "RolloutStatus", "action", enum(rolloutActions...)) },
		func() error {
			return setProp(s, "RolloutStatus", "strategy", enum(rolloutspec.Canary, rolloutspec.BlueGreen))
		},
		func() error {
			return setProp(s, "FlatChange", "rollout_phase", enum(append([]string{""}, rolloutPhases...)...))
		},
		func() error {
			return setProp(s, "FlatChange", "rollout_action", enum(append([]string{""}, rolloutActions...)...))
		},
		func() error {
			return setProp(s, "Change", "replace_paths", &jsonschema.Schema{Type: "array",
				Items: &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}}}}})
		},
	)
}

// The phases and actions of a rollout (rolloutspec), as the JSON plan
// writes them.
var (
	rolloutPhases = []string{rolloutspec.PhasePlanned, rolloutspec.PhaseProgressing, rolloutspec.PhasePaused, rolloutspec.PhaseHealthy, rolloutspec.PhaseDegraded}
	// An action in a status is never "": it is then left out.
	rolloutActions = []string{rolloutspec.ActionStart, rolloutspec.ActionContinue, rolloutspec.ActionSupersede, rolloutspec.ActionAbort, rolloutspec.ActionHold}
)

// enum is a string that is one of values.
func enum(values ...string) *jsonschema.Schema {
	out := &jsonschema.Schema{Type: "string"}
	for _, v := range values {
		out.Enum = append(out.Enum, v)
	}
	return out
}

func patchState(s *jsonschema.Schema) error {
	addMirror(s)
	return patches(
		func() error { return constVersion(s, render.StateFormatVersion) },
		func() error { return setProp(s, "StateResource", "index", index()) },
		func() error { return setProp(s, "StateResource", "mode", mode()) },
		func() error { return setProp(s, "StateResource", "sensitive_values", mirrorRef()) },
		func() error { return setProp(s, "Output", "type", ctyType()) },
	)
}

func patchOutputs(s *jsonschema.Schema) error {
	return setProp(s, "Output", "type", ctyType())
}

// ctyType is a type in cty's JSON type syntax: "string", or
// ["list", "string"], ["object", {"a": "number"}] and so on.
func ctyType() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "the value's type, in cty's JSON type syntax: a primitive type's name, or an array naming a collection or structural type and its element or attribute types",
		OneOf: []*jsonschema.Schema{
			{Type: "string", Enum: []any{"string", "number", "bool", "dynamic"}},
			{Type: "array", MinItems: ptr(2), MaxItems: ptr(3)},
		},
	}
}

func ptr(n uint64) *uint64 { return &n }

func patchEvent(s *jsonschema.Schema) error {
	err := patches(
		func() error {
			types := make([]any, len(views.EventTypes))
			for i, t := range views.EventTypes {
				types[i] = t
			}
			return setProp(s, "", "type", &jsonschema.Schema{Type: "string", Enum: types})
		},
		func() error {
			return setProp(s, "", "@module", &jsonschema.Schema{Type: "string", Const: "slipway.ui"})
		},
		func() error { return setProp(s, "Resource", "index", index()) },
		func() error { return setProp(s, "Resource", "mode", mode()) },
		func() error { return setProp(s, "Change", "action", action()) },
		func() error { return setProp(s, "Output", "action", action()) },
		func() error { return setProp(s, "Hook", "action", action()) },
		func() error { return setProp(s, "Slow", "action", action()) },
		func() error { return setProp(s, "Diagnostic", "severity", severity()) },
	)
	if err != nil {
		return err
	}
	// Each type requires its own payload.
	for _, t := range views.EventTypes {
		fields, ok := views.EventFields[t]
		if !ok {
			return fmt.Errorf("event type %s has no fields in views.EventFields", t)
		}
		for _, f := range fields {
			if _, ok := s.Properties.Get(f); !ok {
				return fmt.Errorf("event type %s: no property %s", t, f)
			}
		}
		props := orderedmap.New[string, *jsonschema.Schema]()
		props.Set("type", &jsonschema.Schema{Const: t})
		then := &jsonschema.Schema{Required: fields}
		if t == views.EventVersion {
			// The version event names the stream's version.
			vprops := orderedmap.New[string, *jsonschema.Schema]()
			vprops.Set("ui", &jsonschema.Schema{Const: views.StreamVersion})
			then.Properties = vprops
		}
		s.AllOf = append(s.AllOf, &jsonschema.Schema{If: &jsonschema.Schema{Properties: props, Required: []string{"type"}}, Then: then})
	}
	return nil
}
