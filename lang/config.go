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

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// Config is one configuration: every *.slip.hcl file of one directory.
// It is immutable once LoadDir returns it.
type Config struct {
	// Dir is the directory the configuration was loaded from.
	Dir string
	// Files holds each parsed file by its path, for printing diagnostics
	// with source snippets.
	Files map[string]*hcl.File
	// Sources are the raw bytes of each file, by path (for hashing the
	// configuration into a saved plan).
	Sources map[string][]byte

	Slipway   *SlipwayBlock
	Providers map[string]*ProviderBlock // by "NAME" or "NAME.ALIAS"
	Variables map[string]*Variable
	Locals    map[string]*Local
	Outputs   map[string]*Output
	// Resources holds every resource-like block (resource, source,
	// pipeline, app, rollout, analysis) by addrs.Resource.String().
	Resources map[string]*Resource
	// Policies are the policy blocks, rules over the plan, by name.
	Policies map[string]*Policy
}

// SlipwayBlock is the `slipway { ... }` block.
type SlipwayBlock struct {
	RequiredProviders map[string]*RequiredProvider
	Backend           *Backend
	Encryption        *Encryption // nil when not configured
	DeclRange         hcl.Range
}

// RequiredProvider is one entry of required_providers:
// `file = { source = "example/file", version = ">= 1.0" }`.
type RequiredProvider struct {
	Name      string
	Source    string
	Version   string
	DeclRange hcl.Range
}

// Backend is `backend "TYPE" { ... }`, decoded by the state package.
type Backend struct {
	Type      string
	Config    hcl.Body
	DeclRange hcl.Range
}

// ProviderBlock is `provider "NAME" { alias = "..." ... }`.
type ProviderBlock struct {
	Name      string
	Alias     string
	Config    hcl.Body // without alias
	DeclRange hcl.Range
}

// Addr is the provider configuration's address.
func (p *ProviderBlock) Addr() addrs.Provider { return addrs.Provider{Name: p.Name, Alias: p.Alias} }

// Variable is `variable "NAME" { ... }`.
type Variable struct {
	Name        string
	Description string
	// Type is the declared type constraint; cty.DynamicPseudoType when none.
	Type         cty.Type
	TypeDefaults *typeexpr.Defaults
	// Default is cty.NilVal when the variable is required.
	Default     cty.Value
	Sensitive   bool
	Nullable    bool
	Validations []*Validation
	DeclRange   hcl.Range
}

// Required reports whether the variable has no default.
func (v *Variable) Required() bool { return v.Default == cty.NilVal }

// Validation is one `validation { condition, error_message }` block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Local is one entry of a `locals` block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Output is `output "NAME" { value, description, sensitive, depends_on }`.
type Output struct {
	Name        string
	Expr        hcl.Expression
	Description string
	Sensitive   bool
	DependsOn   []hcl.Traversal
	DeclRange   hcl.Range
}

// Resource is a resource-like block: resource, source, pipeline, app,
// rollout or analysis.
type Resource struct {
	Addr addrs.Resource
	// Provider is the provider configuration the block uses: the
	// `provider = NAME.ALIAS` meta-argument, or the default for its type
	// (DefaultProvider).
	Provider addrs.Provider
	// ProviderSet says the provider came from the meta-argument.
	ProviderSet bool
	// ProviderRange is where the meta-argument's value was written, when
	// ProviderSet, for diagnostics about the provider it names.
	ProviderRange hcl.Range

	Count     hcl.Expression // nil when absent
	ForEach   hcl.Expression // nil when absent
	DependsOn []hcl.Traversal
	Lifecycle Lifecycle

	// Config is the body without meta-arguments (count, for_each,
	// depends_on, provider, lifecycle). Resource blocks are decoded
	// against their provider's schema by the planner; pipeline, app,
	// rollout and analysis bodies by their own decoders.
	Config hcl.Body

	DeclRange hcl.Range
	TypeRange hcl.Range
}

// Lifecycle is the `lifecycle { ... }` block of a resource.
type Lifecycle struct {
	CreateBeforeDestroy bool
	PreventDestroy      bool
	IgnoreChanges       []hcl.Traversal
	// IgnoreAllChanges is `ignore_changes = all`: after creation, changes
	// to every argument are ignored.
	IgnoreAllChanges   bool
	ReplaceTriggeredBy []hcl.Expression
}
