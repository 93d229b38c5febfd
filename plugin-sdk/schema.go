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
// configuration. Nested structure is either an attribute that holds
// objects (Attribute.Nested: `spec = { replicas = 3 }`), or a nested
// block (Blocks: `rule { port = 80 }`).
type Schema struct {
	Description string
	Attributes  map[string]Attribute
	// Blocks are the nested blocks the body may hold, by block type name.
	Blocks map[string]Block
	// Version is bumped by the author when the shape of state changes.
	Version int64
}

// Nesting says how many nested blocks or nested objects one name holds,
// and in what shape their value is.
type Nesting int

const (
	// NestingSingle is at most one: an object, null when absent.
	NestingSingle Nesting = iota + 1
	// NestingList is any number, in order: a list of objects.
	NestingList
	// NestingSet is any number, unordered and without duplicates: a set
	// of objects.
	NestingSet
	// NestingMap is any number, each with a key: a map of objects. As
	// blocks, each is written with its key as the one label
	// (`env "prod" { ... }`).
	NestingMap
)

var nestingNames = [...]string{"", "single", "list", "set", "map"}

// String is the nesting's name as the schema document writes it.
func (n Nesting) String() string {
	if n < NestingSingle || n > NestingMap {
		return "invalid"
	}
	return nestingNames[n]
}

// Block describes a nested block type: its body (attributes and blocks of
// its own) and how many of it the enclosing body may hold.
type Block struct {
	Nesting     Nesting
	Description string
	Attributes  map[string]Attribute
	Blocks      map[string]Block
	// MinItems and MaxItems bound how many blocks are written, for list
	// and set nesting (0 is no bound). MinItems 1 makes a single block
	// required.
	MinItems, MaxItems int
}

// NestedObject describes the objects an attribute holds
// (`spec = { replicas = 3 }`, or a list of them).
type NestedObject struct {
	Nesting    Nesting
	Attributes map[string]Attribute
}

// Attribute describes one attribute.
type Attribute struct {
	// Type is the attribute's type. For an attribute with Nested it is
	// left unset, and implied by Nested (see ImpliedType).
	Type cty.Type
	// Nested makes the attribute hold objects of the given attributes,
	// checked, defaulted and masked attribute by attribute.
	Nested      *NestedObject
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
	// Provenance marks a value that says where the others came from,
	// such as the source commit an app's manifests were read at: a
	// difference in it alone is never a change. The plan is then a
	// no-op whose planned value carries the configuration's value, and
	// apply records that value without calling the provider; when the
	// plan of a read or plan found the instance unchanged otherwise
	// (PlanResponse.Unchanged, PlanElided), the host fills it in from
	// the configuration. Beside another change, views show it. It must
	// be set by the configuration (Required or Optional), and a
	// provider must plan nothing from it: what the value leads to (the
	// manifests of that commit) must show in other attributes for a
	// change in it to be planned.
	Provenance bool

	// Validators check the attribute's value when it is known and not
	// null, in validate and in plan; each diagnostic points at the
	// attribute. See StringLength, OneOf, Matches, Between,
	// ConflictsWith and RequiredWith.
	Validators []Validator
	// PlanModifiers adjust the planned value (see RequiresReplace and
	// UseStateForUnknown).
	PlanModifiers []PlanModifier
	// Default is the value planned for an Optional+Computed attribute the
	// configuration leaves null. It is shown in the plan and documented.
	Default cty.Value
}

// ImpliedType is the object type of a value of this schema.
func (s Schema) ImpliedType() cty.Type {
	return bodyType(s.Attributes, s.Blocks)
}

// ImpliedType is the type of the attribute's value: Type, or for an
// attribute with Nested, the object (list, set or map of objects) of its
// attributes.
func (a Attribute) ImpliedType() cty.Type {
	if a.Nested == nil {
		return a.Type
	}
	return nestedType(a.Nested.Nesting, bodyType(a.Nested.Attributes, nil))
}

// ImpliedType is the type of the value of all the blocks of this type in
// one body: an object, or a list, set or map of objects.
func (b Block) ImpliedType() cty.Type {
	return nestedType(b.Nesting, bodyType(b.Attributes, b.Blocks))
}

func bodyType(attrs map[string]Attribute, blocks map[string]Block) cty.Type {
	atys := make(map[string]cty.Type, len(attrs)+len(blocks))
	for name, a := range attrs {
		atys[name] = a.ImpliedType()
	}
	for name, b := range blocks {
		atys[name] = b.ImpliedType()
	}
	return cty.Object(atys)
}

func nestedType(n Nesting, obj cty.Type) cty.Type {
	switch n {
	case NestingList:
		return cty.List(obj)
	case NestingSet:
		return cty.Set(obj)
	case NestingMap:
		return cty.Map(obj)
	}
	return obj
}

// SensitivePaths lists the paths of the schema's sensitive top-level
// attributes. SensitivePathsOf also finds those inside nested blocks and
// objects.
func (s Schema) SensitivePaths() []cty.Path {
	var out []cty.Path
	for _, name := range sortedNames(s.Attributes) {
		if s.Attributes[name].Sensitive {
			out = append(out, cty.GetAttrPath(name))
		}
	}
	return out
}

// SensitivePathsOf lists the paths in v, a value of the schema's implied
// type, of every sensitive attribute, nested ones included: one path per
// list element or map entry that holds one. Where the elements cannot be
// told apart by a path (a set, or a collection not yet known), the whole
// nested block or attribute is marked.
func (s Schema) SensitivePathsOf(v cty.Value) []cty.Path {
	var out []cty.Path
	sensitiveIn(nil, s.Attributes, s.Blocks, v, &out)
	return out
}

func sensitiveIn(path cty.Path, attrs map[string]Attribute, blocks map[string]Block, obj cty.Value, out *[]cty.Path) {
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		switch {
		case a.Sensitive:
			*out = append(*out, p)
		case a.Nested != nil && hasSensitive(a.Nested.Attributes, nil):
			nestedSensitive(p, a.Nested.Nesting, a.Nested.Attributes, nil, attrOf(obj, name, a.ImpliedType()), out)
		}
	}
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		if hasSensitive(b.Attributes, b.Blocks) {
			p := append(path.Copy(), cty.GetAttrStep{Name: name})
			nestedSensitive(p, b.Nesting, b.Attributes, b.Blocks, attrOf(obj, name, b.ImpliedType()), out)
		}
	}
}

func nestedSensitive(p cty.Path, n Nesting, attrs map[string]Attribute, blocks map[string]Block, v cty.Value, out *[]cty.Path) {
	v, _ = v.Unmark()
	switch {
	case v.IsNull():
		return
	case n == NestingSingle:
		if !v.IsKnown() {
			*out = append(*out, p)
			return
		}
		sensitiveIn(p, attrs, blocks, v, out)
	case n == NestingSet || !v.IsKnown():
		*out = append(*out, p)
	default:
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			sensitiveIn(append(p.Copy(), cty.IndexStep{Key: k}), attrs, blocks, ev, out)
		}
	}
}

func hasSensitive(attrs map[string]Attribute, blocks map[string]Block) bool {
	for _, a := range attrs {
		if a.Sensitive || (a.Nested != nil && hasSensitive(a.Nested.Attributes, nil)) {
			return true
		}
	}
	for _, b := range blocks {
		if hasSensitive(b.Attributes, b.Blocks) {
			return true
		}
	}
	return false
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ProvenanceAttributes lists, sorted, the names of the schema's
// Provenance attributes.
func (s Schema) ProvenanceAttributes() []string {
	return s.attributesWhere(func(a Attribute) bool { return a.Provenance })
}

// LocalAttributes lists, sorted, the names of the schema's Local
// attributes.
func (s Schema) LocalAttributes() []string {
	return s.attributesWhere(func(a Attribute) bool { return a.Local })
}

// attributesWhere lists, sorted, the names of the attributes that keep
// says to keep.
func (s Schema) attributesWhere(keep func(Attribute) bool) []string {
	var out []string
	for name, a := range s.Attributes {
		if keep(a) {
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
