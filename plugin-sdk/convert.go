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

package sdk

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// This file converts what a provider returns into protocol messages. The
// other direction (protocol to SDK types) is package host's.

func schemaToProto(s Schema) (*protocol.Schema, error) {
	out := &protocol.Schema{Version: s.Version, Description: s.Description}
	var err error
	if out.Attributes, err = attrsToProto(nil, s.Attributes); err != nil {
		return nil, err
	}
	if out.Blocks, err = blocksToProto(nil, s.Blocks); err != nil {
		return nil, err
	}
	return out, nil
}

func attrsToProto(path cty.Path, attrs map[string]Attribute) ([]*protocol.Schema_Attribute, error) {
	var out []*protocol.Schema_Attribute
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		ty := a.ImpliedType()
		if ty == cty.NilType {
			return nil, fmt.Errorf("attribute %s has no type", pathText(p))
		}
		tj, err := ctyjson.MarshalType(ty)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", pathText(p), err)
		}
		pa := &protocol.Schema_Attribute{
			Name:        name,
			Type:        tj,
			Description: a.Description,
			Required:    a.Required,
			Optional:    a.Optional,
			Computed:    a.Computed,
			Sensitive:   a.Sensitive,
			ForceNew:    a.ForceNew,
			Local:       a.Local,
			Provenance:  a.Provenance,
		}
		if a.Nested != nil {
			pa.Nested = &protocol.Schema_NestedObject{Nesting: protocol.Schema_Nesting(a.Nested.Nesting)}
			if pa.Nested.Attributes, err = attrsToProto(p, a.Nested.Attributes); err != nil {
				return nil, err
			}
		}
		if a.Default != cty.NilVal {
			if pa.DefaultValue, err = ctyjson.Marshal(a.Default, ty); err != nil {
				return nil, fmt.Errorf("default of attribute %s: %w", pathText(p), err)
			}
		}
		for _, v := range a.Validators {
			pa.Validators = append(pa.Validators, v.Description())
		}
		for _, m := range a.PlanModifiers {
			pa.PlanModifiers = append(pa.PlanModifiers, m.Description())
			if _, ok := m.(requiresReplace); ok {
				// Views and docs know replacement by force_new.
				pa.ForceNew = true
			}
		}
		out = append(out, pa)
	}
	return out, nil
}

func blocksToProto(path cty.Path, blocks map[string]Block) ([]*protocol.Schema_Block, error) {
	var out []*protocol.Schema_Block
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		pb := &protocol.Schema_Block{
			TypeName: name, Nesting: protocol.Schema_Nesting(b.Nesting), Description: b.Description,
			MinItems: int64(b.MinItems), MaxItems: int64(b.MaxItems),
		}
		var err error
		if pb.Attributes, err = attrsToProto(p, b.Attributes); err != nil {
			return nil, err
		}
		if pb.Blocks, err = blocksToProto(p, b.Blocks); err != nil {
			return nil, err
		}
		out = append(out, pb)
	}
	return out, nil
}

// checkSchema reports the mistakes in a schema that would make every later
// call misbehave, so the author sees them at the first `slipway plan`.
func checkSchema(what string, s Schema) Diagnostics {
	var diags Diagnostics
	checkAttrs(what, nil, s.Attributes, s.Blocks, &diags)
	return diags
}

func checkAttrs(what string, path cty.Path, attrs map[string]Attribute, blocks map[string]Block, diags *Diagnostics) {
	report := func(p cty.Path, kind, bad string) {
		diags.AddError("Invalid provider schema",
			fmt.Sprintf("The %s %s of %s %s. This is a bug in the provider; please report it to its author.", kind, pathText(p), what, bad))
	}
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		bad := ""
		switch {
		case name == "":
			bad = "has an empty name"
		case a.Type == cty.NilType && a.Nested == nil:
			bad = "has no Type"
		case a.Type != cty.NilType && a.Nested != nil:
			bad = "has both a Type and Nested attributes (Nested implies the type)"
		case a.Nested != nil && (a.Nested.Nesting < NestingSingle || a.Nested.Nesting > NestingMap):
			bad = "has Nested attributes without a Nesting"
		case blocks[name].Nesting != 0:
			bad = "is also the name of a nested block"
		case a.Required && (a.Optional || a.Computed):
			bad = "is Required and also Optional or Computed"
		case !a.Required && !a.Optional && !a.Computed:
			bad = "is none of Required, Optional and Computed"
		case a.Local && a.ForceNew:
			bad = "is both Local and ForceNew (a difference in a Local value is never a change, so it cannot replace the object)"
		case a.Provenance && (a.Local || a.ForceNew):
			bad = "is Provenance and also Local or ForceNew (a difference in a Provenance value alone is never a change, and views show it)"
		case a.Provenance && !a.Required && !a.Optional:
			bad = "is Provenance but not Required or Optional (the plan takes a Provenance value from the configuration)"
		case a.Default != cty.NilVal && !(a.Optional && a.Computed):
			bad = "has a Default but is not Optional and Computed (a default is what the provider plans when the user writes nothing)"
		}
		if bad == "" && a.Default != cty.NilVal {
			if _, err := convert.Convert(a.Default, a.ImpliedType()); err != nil || !a.Default.IsWhollyKnown() {
				bad = "has a Default that is not a known value of its type"
			}
		}
		if bad != "" {
			report(p, "attribute", bad)
			continue
		}
		if a.Nested != nil {
			checkAttrs(what, p, a.Nested.Attributes, nil, diags)
		}
	}
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		bad := ""
		switch {
		case name == "":
			bad = "has an empty name"
		case b.Nesting < NestingSingle || b.Nesting > NestingMap:
			bad = "has no Nesting"
		case b.MinItems < 0 || b.MaxItems < 0 || (b.MaxItems > 0 && b.MinItems > b.MaxItems):
			bad = "has MinItems above MaxItems, or one below zero"
		case b.Nesting == NestingSingle && (b.MinItems > 1 || b.MaxItems > 1):
			bad = "is a single block with MinItems or MaxItems above 1"
		}
		if bad != "" {
			report(p, "block", bad)
			continue
		}
		checkAttrs(what, p, b.Attributes, b.Blocks, diags)
	}
}

func diagsToProto(diags Diagnostics) []*protocol.Diagnostic {
	if len(diags) == 0 {
		return nil
	}
	out := make([]*protocol.Diagnostic, 0, len(diags))
	for _, d := range diags {
		// As HasErrors counts it: the zero Severity is an error.
		sev := protocol.Diagnostic_SEVERITY_ERROR
		if !d.Severity.isError() {
			sev = protocol.Diagnostic_SEVERITY_WARNING
		}
		pd := &protocol.Diagnostic{Severity: sev, Summary: d.Summary, Detail: d.Detail}
		if len(d.Attribute) > 0 {
			pd.Attribute = wire.PathToProto(d.Attribute)
		}
		out = append(out, pd)
	}
	return out
}

func pathsToProto(paths []cty.Path) []*protocol.AttributePath {
	if len(paths) == 0 {
		return nil
	}
	out := make([]*protocol.AttributePath, 0, len(paths))
	for _, p := range paths {
		out = append(out, wire.PathToProto(p))
	}
	return out
}
