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
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// Schema describes the attributes of a provider, resource or source
// configuration. Nested structure is expressed with object, list and map
// attribute types (`spec = { replicas = 3 }`).
type Schema struct {
	Description string
	Attributes  map[string]Attribute
	// Version is bumped by the author when the shape of state changes.
	Version int64
}

// Attribute describes one attribute.
type Attribute struct {
	Type        cty.Type
	Description string
	// Exactly one of Required and Optional is set for attributes the user
	// may write; Computed alone marks an attribute only the provider sets,
	// Optional+Computed one the provider fills when the user leaves it out.
	Required bool
	Optional bool
	Computed bool
	// Sensitive values are masked in every view and marked in state.
	Sensitive bool
	// ForceNew: a change of this attribute replaces the object.
	ForceNew bool
	// Local marks a value that only makes sense on this machine, such as
	// a cache path: a difference in it alone is never a change, and
	// views do not show it. Another machine computes its own value in
	// its own plan, and the provider is given that one. Whatever the
	// value leads to (the manifests read from the directory) must show
	// in other attributes for a change in it to be planned.
	Local bool
}

// ImpliedType is the object type of a value of this schema.
func (s Schema) ImpliedType() cty.Type {
	atys := make(map[string]cty.Type, len(s.Attributes))
	for name, a := range s.Attributes {
		atys[name] = a.Type
	}
	return cty.Object(atys)
}

// SensitivePaths lists the paths of the schema's sensitive attributes.
func (s Schema) SensitivePaths() []cty.Path {
	var out []cty.Path
	for name, a := range s.Attributes {
		if a.Sensitive {
			out = append(out, cty.GetAttrPath(name))
		}
	}
	return out
}

// LocalAttributes lists, sorted, the names of the schema's Local
// attributes.
func (s Schema) LocalAttributes() []string {
	var out []string
	for name, a := range s.Attributes {
		if a.Local {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// ProviderSchemas is everything a provider declares: its own
// configuration, its resource types and its source types.
type ProviderSchemas struct {
	Metadata  Metadata
	Provider  Schema
	Resources map[string]Schema
	Sources   map[string]Schema
}
