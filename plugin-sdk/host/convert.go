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

package host

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// This file converts what a provider sends into SDK types. The other
// direction (SDK types to protocol) is package sdk's.

func schemaFromProto(p *protocol.Schema) (sdk.Schema, error) {
	s := sdk.Schema{Attributes: map[string]sdk.Attribute{}}
	if p == nil {
		return s, nil
	}
	s.Version, s.Description = p.Version, p.Description
	var err error
	if s.Attributes, err = attrsFromProto(p.Attributes); err != nil {
		return s, err
	}
	s.Blocks, err = blocksFromProto(p.Blocks)
	return s, err
}

func attrsFromProto(ps []*protocol.Schema_Attribute) (map[string]sdk.Attribute, error) {
	out := make(map[string]sdk.Attribute, len(ps))
	for _, a := range ps {
		ty, err := ctyjson.UnmarshalType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q has an invalid type: %w", a.Name, err)
		}
		sa := sdk.Attribute{
			// Type is the implied type for nested attributes too, so
			// that the host need not derive it.
			Type:        ty,
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
			sa.Nested = &sdk.NestedObject{Nesting: sdk.Nesting(a.Nested.Nesting)}
			if sa.Nested.Attributes, err = attrsFromProto(a.Nested.Attributes); err != nil {
				return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
		}
		if len(a.DefaultValue) > 0 {
			if sa.Default, err = ctyjson.Unmarshal(a.DefaultValue, ty); err != nil {
				return nil, fmt.Errorf("attribute %q has an invalid default: %w", a.Name, err)
			}
		}
		for _, d := range a.Validators {
			sa.Validators = append(sa.Validators, described(d))
		}
		for _, d := range a.PlanModifiers {
			sa.PlanModifiers = append(sa.PlanModifiers, described(d))
		}
		out[a.Name] = sa
	}
	return out, nil
}

func blocksFromProto(ps []*protocol.Schema_Block) (map[string]sdk.Block, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make(map[string]sdk.Block, len(ps))
	for _, b := range ps {
		sb := sdk.Block{
			Nesting: sdk.Nesting(b.Nesting), Description: b.Description,
			MinItems: int(b.MinItems), MaxItems: int(b.MaxItems),
		}
		if sb.Nesting < sdk.NestingSingle || sb.Nesting > sdk.NestingMap {
			return nil, fmt.Errorf("block %q has an unknown nesting %d", b.TypeName, b.Nesting)
		}
		var err error
		if sb.Attributes, err = attrsFromProto(b.Attributes); err != nil {
			return nil, fmt.Errorf("block %q: %w", b.TypeName, err)
		}
		if sb.Blocks, err = blocksFromProto(b.Blocks); err != nil {
			return nil, fmt.Errorf("block %q: %w", b.TypeName, err)
		}
		out[b.TypeName] = sb
	}
	return out, nil
}

// described is a validator or plan modifier as the host knows it: by its
// description only, since its checks run in the provider.
type described string

var (
	_ sdk.Validator    = described("")
	_ sdk.PlanModifier = described("")
)

func (d described) Description() string                                     { return string(d) }
func (described) Validate(sdk.ValidatorRequest) sdk.Diagnostics             { return nil }
func (described) PlanModify(sdk.PlanModifyRequest, *sdk.PlanModifyResponse) {}

func diagsFromProto(ps []*protocol.Diagnostic) sdk.Diagnostics {
	if len(ps) == 0 {
		return nil
	}
	out := make(sdk.Diagnostics, 0, len(ps))
	for _, p := range ps {
		// Anything but a warning is an error, an unset severity (a
		// provider's zero sdk.Severity) included, as the SDK counts it.
		sev := sdk.Error
		if p.Severity == protocol.Diagnostic_SEVERITY_WARNING {
			sev = sdk.Warning
		}
		out = append(out, sdk.Diagnostic{
			Severity:  sev,
			Summary:   p.Summary,
			Detail:    p.Detail,
			Attribute: wire.PathFromProto(p.Attribute),
		})
	}
	return out
}

func pathsFromProto(ps []*protocol.AttributePath) []cty.Path {
	if len(ps) == 0 {
		return nil
	}
	out := make([]cty.Path, 0, len(ps))
	for _, p := range ps {
		out = append(out, wire.PathFromProto(p))
	}
	return out
}
