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

package lang

import "github.com/hashicorp/hcl/v2"

// BlockDoc describes a block of the language for people: its reference
// page is generated from it. The package that decodes a block keeps its
// BlockDoc beside the decoder, and a test checks that every argument and
// block the decoder takes is described.
type BlockDoc struct {
	Type        string
	Labels      []string
	Description string
	Attributes  []AttrDoc
	Blocks      []BlockDoc
	// Repeated: the block may appear more than once where it is nested.
	Repeated bool
}

// AttrDoc describes one argument of a block.
type AttrDoc struct {
	Name string
	// Type is the argument's type as people write it: string, number,
	// bool, list(string), map(string), duration, or a reference.
	Type        string
	Required    bool
	Description string
}

// Undocumented lists the arguments and blocks that schema decodes but d
// does not describe, at d's own level.
func (d BlockDoc) Undocumented(schema *hcl.BodySchema) []string {
	have := map[string]bool{}
	for _, a := range d.Attributes {
		have[a.Name] = true
	}
	for _, b := range d.Blocks {
		have[b.Type] = true
	}
	var out []string
	for _, a := range schema.Attributes {
		if !have[a.Name] {
			out = append(out, a.Name)
		}
	}
	for _, b := range schema.Blocks {
		if !have[b.Type] {
			out = append(out, b.Type)
		}
	}
	return out
}

// Block returns the nested block of type typ.
func (d BlockDoc) Block(typ string) (BlockDoc, bool) {
	for _, b := range d.Blocks {
		if b.Type == typ {
			return b, true
		}
	}
	return BlockDoc{}, false
}

// MetaArguments are the arguments every resource-like block takes beside
// its own (count and for_each only where the block may repeat).
var MetaArguments = []AttrDoc{
	{Name: "count", Type: "number", Description: "Declare this many instances, addressed as NAME[0], NAME[1], ... (resource, app and pipeline blocks)."},
	{Name: "for_each", Type: "map or set(string)", Description: "Declare one instance per element, addressed as NAME[\"key\"]; `each.key` and `each.value` name it inside the block (resource, app and pipeline blocks)."},
	{Name: "depends_on", Type: "list of references", Description: "Blocks this one comes after, beyond those its expressions refer to."},
	{Name: "provider", Type: "reference", Description: "The provider configuration to use, as provider.NAME.ALIAS; the default is the unaliased configuration of the provider the type names."},
}

// lifecycleDoc describes the lifecycle block of resource-like blocks.
var lifecycleDoc = BlockDoc{
	Type:        "lifecycle",
	Description: "How changes to the block's instances are carried out.",
	Attributes: []AttrDoc{
		{Name: "create_before_destroy", Type: "bool", Description: "On a replace, create the new object before the old one is deleted."},
		{Name: "prevent_destroy", Type: "bool", Description: "Fail any plan that would delete an instance."},
		{Name: "ignore_changes", Type: "list of attribute names", Description: "Attributes whose changes outside slipway are not undone; `all` ignores every one."},
		{Name: "replace_triggered_by", Type: "list of references", Description: "Replace the instance when one of these changes."},
	},
}

// BlockDocs describes the blocks this package decodes itself: variable,
// output, locals, provider, and the arguments resource and source blocks
// take beside their type's own (which the provider's schema describes).
func BlockDocs() []BlockDoc {
	return []BlockDoc{
		{
			Type: "variable", Labels: []string{"name"},
			Description: "An input variable, set with -var, -var-file, a .slipvars file or SLIPWAY_VAR_NAME, and read as var.NAME.",
			Attributes: []AttrDoc{
				{Name: "type", Type: "type constraint", Description: "The type values must have, as `string`, `list(string)` or `object({ name = string })`; optional(...) attributes may have defaults."},
				{Name: "default", Type: "any", Description: "The value when none is given; without a default the variable is required."},
				{Name: "description", Type: "string", Description: "What the variable is for, shown when slipway asks for it."},
				{Name: "sensitive", Type: "bool", Description: "Mask the value, and every value computed from it, in every view and log."},
				{Name: "nullable", Type: "bool", Description: "Whether null is a valid value (true unless set to false)."},
			},
			Blocks: []BlockDoc{{
				Type: "validation", Repeated: true,
				Description: "A rule every value must meet.",
				Attributes: []AttrDoc{
					{Name: "condition", Type: "bool", Required: true, Description: "An expression over var.NAME that is true for a valid value."},
					{Name: "error_message", Type: "string", Required: true, Description: "What to say when the condition is false."},
				},
			}},
		},
		{
			Type: "output", Labels: []string{"name"},
			Description: "A value the configuration reports after apply, shown by slipway output.",
			Attributes: []AttrDoc{
				{Name: "value", Type: "any", Required: true, Description: "The value."},
				{Name: "description", Type: "string", Description: "What the value is."},
				{Name: "sensitive", Type: "bool", Description: "Mask the value in plan and apply output (slipway output NAME still prints it)."},
				{Name: "depends_on", Type: "list of references", Description: "Blocks the output waits for beyond those its value refers to."},
			},
		},
		{
			Type: "policy", Labels: []string{"name"},
			Description: "A rule on the plan, in CEL, checked by plan and apply over the JSON plan's document (read as plan); a deny rule that holds stops the plan with exit code 3, a warn rule prints and passes. See Policies.",
			Attributes: []AttrDoc{
				{Name: "deny", Type: "string", Description: "A CEL expression that is true when the plan must not be applied. Exactly one of deny and warn."},
				{Name: "warn", Type: "string", Description: "A CEL expression that is true when the plan deserves a warning. Exactly one of deny and warn."},
				{Name: "message", Type: "string", Required: true, Description: "What the denial or warning says, and what to do about it."},
			},
		},
		{
			Type:        "locals",
			Description: "Named expressions, read as local.NAME. Every argument of the block is one local value.",
		},
		{
			Type: "provider", Labels: []string{"name"},
			Description: "The configuration of a provider; its arguments are the provider's own (see its reference page).",
			Attributes: []AttrDoc{
				{Name: "alias", Type: "string", Description: "A second configuration of the same provider, chosen with provider = provider.NAME.ALIAS."},
			},
		},
		{
			Type: "resource", Labels: []string{"type", "name"},
			Description: "A managed object of any provider, third-party ones included; its arguments are the resource type's own (see its provider's reference page) and these.",
			Attributes:  MetaArguments,
			Blocks:      []BlockDoc{lifecycleDoc},
		},
		{
			Type: "source", Labels: []string{"type", "name"},
			Description: "An input that is read, never written by apply: a git ref, an image tag; resolved at every plan. Its arguments are the source type's own (see its provider's reference page) and these.",
			Attributes:  []AttrDoc{MetaArguments[2], MetaArguments[3]},
		},
	}
}
