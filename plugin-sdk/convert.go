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
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// This file converts what a provider returns into protocol messages. The
// other direction (protocol to SDK types) is package host's.

func schemaToProto(s Schema) (*protocol.Schema, error) {
	names := make([]string, 0, len(s.Attributes))
	for name := range s.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	out := &protocol.Schema{Version: s.Version, Description: s.Description}
	for _, name := range names {
		a := s.Attributes[name]
		if a.Type == cty.NilType {
			return nil, fmt.Errorf("attribute %q has no type", name)
		}
		ty, err := ctyjson.MarshalType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		out.Attributes = append(out.Attributes, &protocol.Schema_Attribute{
			Name:        name,
			Type:        ty,
			Description: a.Description,
			Required:    a.Required,
			Optional:    a.Optional,
			Computed:    a.Computed,
			Sensitive:   a.Sensitive,
			ForceNew:    a.ForceNew,
			Local:       a.Local,
		})
	}
	return out, nil
}

// checkSchema reports the mistakes in a schema that would make every later
// call misbehave, so the author sees them at the first `slipway plan`.
func checkSchema(what string, s Schema) Diagnostics {
	var diags Diagnostics
	names := make([]string, 0, len(s.Attributes))
	for name := range s.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := s.Attributes[name]
		bad := ""
		switch {
		case name == "":
			bad = "has an empty name"
		case a.Type == cty.NilType:
			bad = "has no Type"
		case a.Required && (a.Optional || a.Computed):
			bad = "is Required and also Optional or Computed"
		case !a.Required && !a.Optional && !a.Computed:
			bad = "is none of Required, Optional and Computed"
		case a.Local && a.ForceNew:
			bad = "is both Local and ForceNew (a difference in a Local value is never a change, so it cannot replace the object)"
		}
		if bad != "" {
			diags.AddError("Invalid provider schema",
				fmt.Sprintf("The attribute %q of %s %s. This is a bug in the provider; please report it to its author.", name, what, bad))
		}
	}
	return diags
}

func diagsToProto(diags Diagnostics) []*protocol.Diagnostic {
	if len(diags) == 0 {
		return nil
	}
	out := make([]*protocol.Diagnostic, 0, len(diags))
	for _, d := range diags {
		sev := protocol.Diagnostic_SEVERITY_ERROR
		if d.Severity == Warning {
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
