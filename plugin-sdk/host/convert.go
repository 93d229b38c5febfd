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
	for _, a := range p.Attributes {
		ty, err := ctyjson.UnmarshalType(a.Type)
		if err != nil {
			return s, fmt.Errorf("attribute %q has an invalid type: %w", a.Name, err)
		}
		s.Attributes[a.Name] = sdk.Attribute{
			Type:        ty,
			Description: a.Description,
			Required:    a.Required,
			Optional:    a.Optional,
			Computed:    a.Computed,
			Sensitive:   a.Sensitive,
			ForceNew:    a.ForceNew,
			Local:       a.Local,
		}
	}
	return s, nil
}

func diagsFromProto(ps []*protocol.Diagnostic) sdk.Diagnostics {
	if len(ps) == 0 {
		return nil
	}
	out := make(sdk.Diagnostics, 0, len(ps))
	for _, p := range ps {
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
