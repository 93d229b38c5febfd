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

package schemas

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// FormatVersion is the version of the providers schema document: 1.1
// added each attribute's local; 1.2 nested blocks (block_types), nested
// attributes (nested_type), defaults, validators and plan modifiers; 1.3
// each attribute's provenance.
const FormatVersion = "1.3"

// Document is what `slipway providers schema -json` prints: every
// provider's schemas, by provider name.
type Document struct {
	FormatVersion   string               `json:"format_version"`
	ProviderSchemas map[string]*Provider `json:"provider_schemas"`
}

// Provider is one provider's schemas.
type Provider struct {
	// Version is the provider's own version.
	Version string `json:"version"`
	// Provider is the schema of the provider block's configuration.
	Provider        Schema            `json:"provider"`
	ResourceSchemas map[string]Schema `json:"resource_schemas"`
	SourceSchemas   map[string]Schema `json:"source_schemas"`
}

// Schema is the schema of a provider block, a resource type or a source
// type.
type Schema struct {
	// Version is the version of the shape of state the type keeps.
	Version int64 `json:"version"`
	Block   Block `json:"block"`
}

// Block is the body a schema describes.
type Block struct {
	Attributes map[string]*Attribute `json:"attributes,omitempty"`
	// BlockTypes are the nested blocks the body may hold, by type name.
	BlockTypes      map[string]*BlockType `json:"block_types,omitempty"`
	Description     string                `json:"description,omitempty"`
	DescriptionKind string                `json:"description_kind"`
}

// BlockType is a nested block type: how many of it a body holds, and its
// own body.
type BlockType struct {
	// NestingMode is "single", "list", "set" or "map" (map blocks take
	// their key as their one label).
	NestingMode string `json:"nesting_mode"`
	Block       Block  `json:"block"`
	MinItems    int    `json:"min_items,omitempty"`
	MaxItems    int    `json:"max_items,omitempty"`
}

// NestedType is the objects a nested attribute holds.
type NestedType struct {
	Attributes  map[string]*Attribute `json:"attributes"`
	NestingMode string                `json:"nesting_mode"`
}

// Attribute is one attribute of a block.
type Attribute struct {
	// Type is the attribute's type in cty's JSON form: "string",
	// ["list","string"], ["object",{"name":"string"}].
	Type json.RawMessage `json:"type"`
	// NestedType, for an attribute that holds objects of attributes of
	// their own, describes them; Type is then their implied type.
	NestedType      *NestedType `json:"nested_type,omitempty"`
	Description     string      `json:"description,omitempty"`
	DescriptionKind string      `json:"description_kind"`
	Required        bool        `json:"required,omitempty"`
	Optional        bool        `json:"optional,omitempty"`
	Computed        bool        `json:"computed,omitempty"`
	Sensitive       bool        `json:"sensitive,omitempty"`
	// ForceNew: a change of the attribute replaces the object.
	ForceNew bool `json:"force_new,omitempty"`
	// Local: the value only makes sense on the machine that computed it
	// (a cache path); a difference in it alone is never a change, and
	// views do not show it.
	Local bool `json:"local,omitempty"`
	// Provenance: the value says where the others came from (an app's
	// source commit); a difference in it alone is never a change.
	Provenance bool `json:"provenance,omitempty"`
	// Default is the value planned when the configuration leaves the
	// attribute out, in cty's JSON value form.
	Default json.RawMessage `json:"default,omitempty"`
	// Validators and PlanModifiers say in words what the attribute's
	// checks require and its plan modifiers do ("be 1 to 63 characters
	// long"; "keeps its value from state once it is known").
	Validators    []string `json:"validators,omitempty"`
	PlanModifiers []string `json:"plan_modifiers,omitempty"`
}

// descriptionKind says how a description is written: plain text (which
// may hold Markdown code spans).
const descriptionKind = "plain"

// FromSDK is the document of one provider's schemas.
func FromSDK(s *sdk.ProviderSchemas) (*Provider, error) {
	p := &Provider{
		Version:         s.Metadata.Version,
		ResourceSchemas: make(map[string]Schema, len(s.Resources)),
		SourceSchemas:   make(map[string]Schema, len(s.Sources)),
	}
	var err error
	if p.Provider, err = schemaFromSDK(s.Provider); err != nil {
		return nil, fmt.Errorf("provider configuration: %w", err)
	}
	for name, rs := range s.Resources {
		if p.ResourceSchemas[name], err = schemaFromSDK(rs); err != nil {
			return nil, fmt.Errorf("resource type %q: %w", name, err)
		}
	}
	for name, ss := range s.Sources {
		if p.SourceSchemas[name], err = schemaFromSDK(ss); err != nil {
			return nil, fmt.Errorf("source type %q: %w", name, err)
		}
	}
	return p, nil
}

func schemaFromSDK(s sdk.Schema) (Schema, error) {
	b, err := blockFromSDK(s.Description, s.Attributes, s.Blocks)
	return Schema{Version: s.Version, Block: b}, err
}

func blockFromSDK(desc string, attrs map[string]sdk.Attribute, blocks map[string]sdk.Block) (Block, error) {
	out := Block{Description: desc, DescriptionKind: descriptionKind}
	var err error
	if out.Attributes, err = attrsFromSDK(attrs); err != nil {
		return Block{}, err
	}
	if len(blocks) > 0 {
		out.BlockTypes = make(map[string]*BlockType, len(blocks))
	}
	for name, b := range blocks {
		body, err := blockFromSDK(b.Description, b.Attributes, b.Blocks)
		if err != nil {
			return Block{}, fmt.Errorf("block %q: %w", name, err)
		}
		out.BlockTypes[name] = &BlockType{NestingMode: b.Nesting.String(), Block: body, MinItems: b.MinItems, MaxItems: b.MaxItems}
	}
	return out, nil
}

func attrsFromSDK(attrs map[string]sdk.Attribute) (map[string]*Attribute, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	out := make(map[string]*Attribute, len(attrs))
	for name, a := range attrs {
		at := &Attribute{
			Description: a.Description, DescriptionKind: descriptionKind,
			Required: a.Required, Optional: a.Optional, Computed: a.Computed,
			Sensitive: a.Sensitive, ForceNew: a.ForceNew, Local: a.Local, Provenance: a.Provenance,
		}
		ty := a.ImpliedType()
		if ty == cty.NilType {
			ty = cty.DynamicPseudoType
		}
		tj, err := ty.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		at.Type = tj
		if a.Nested != nil {
			nested, err := attrsFromSDK(a.Nested.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", name, err)
			}
			at.NestedType = &NestedType{Attributes: nested, NestingMode: a.Nested.Nesting.String()}
		}
		if a.Default != cty.NilVal {
			dj, err := ctyjson.Marshal(a.Default, ty)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: default: %w", name, err)
			}
			at.Default = dj
		}
		for _, v := range a.Validators {
			at.Validators = append(at.Validators, v.Description())
		}
		for _, m := range a.PlanModifiers {
			at.PlanModifiers = append(at.PlanModifiers, m.Description())
		}
		out[name] = at
	}
	return out, nil
}

// Of reads a provider's schemas in this process, as the provider serves
// them over the protocol (GetSchema): for documents of providers compiled
// into the caller, without starting them.
func Of(p sdk.Provider) *sdk.ProviderSchemas {
	out := &sdk.ProviderSchemas{
		Metadata:  p.Metadata(),
		Provider:  p.Schema(),
		Resources: map[string]sdk.Schema{},
		Sources:   map[string]sdk.Schema{},
	}
	for name, r := range p.Resources() {
		out.Resources[name] = r.Schema()
	}
	if ps, ok := p.(sdk.ProviderWithSources); ok {
		for name, s := range ps.Sources() {
			out.Sources[name] = s.Schema()
		}
	}
	return out
}

// Names lists a map's keys in order.
func Names[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
