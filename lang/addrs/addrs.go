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

package addrs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Kind says which block kind declared a resource.
type Kind int

const (
	// Managed is a `resource "T" "N"` block, addressed T.N.
	Managed Kind = iota
	// Source is a `source "T" "N"` block, addressed source.T.N. It is read, never written.
	Source
	// Pipeline is a `pipeline "N"` block, addressed pipeline.N.
	Pipeline
	// App is an `app "N"` block, addressed app.N.
	App
	// Rollout is a `rollout "N"` block, addressed rollout.N.
	Rollout
	// Analysis is an `analysis "N"` block, addressed analysis.N: a check
	// a rollout step runs.
	Analysis
)

var kindPrefix = map[Kind]string{Source: "source", Pipeline: "pipeline", App: "app", Rollout: "rollout", Analysis: "analysis"}

// String returns the keyword that begins addresses of this kind, or
// "resource" for managed resources.
func (k Kind) String() string {
	if p, ok := kindPrefix[k]; ok {
		return p
	}
	return "resource"
}

// Resource is a resource block's address, before for_each or count expand it.
type Resource struct {
	Kind Kind
	// Type is the resource or source type; empty for pipeline, app, rollout and analysis.
	Type string
	Name string
}

func (r Resource) String() string {
	switch r.Kind {
	case Managed:
		return r.Type + "." + r.Name
	case Source:
		return "source." + r.Type + "." + r.Name
	default:
		return r.Kind.String() + "." + r.Name
	}
}

// Instance returns the address of one instance of r.
func (r Resource) Instance(k InstanceKey) ResourceInstance {
	return ResourceInstance{Resource: r, Key: k}
}

// InstanceKey tells instances of one resource apart: NoKey, an IntKey (count)
// or a StringKey (for_each).
type InstanceKey interface {
	instanceKey()
	String() string
}

// NoKey is the key of a resource with neither count nor for_each.
var NoKey InstanceKey

// IntKey is the key of a count instance.
type IntKey int

func (IntKey) instanceKey()     {}
func (k IntKey) String() string { return "[" + strconv.Itoa(int(k)) + "]" }

// StringKey is the key of a for_each instance.
type StringKey string

func (StringKey) instanceKey()     {}
func (k StringKey) String() string { return "[" + strconv.Quote(string(k)) + "]" }

// ResourceInstance is the address of one instance of a resource.
type ResourceInstance struct {
	Resource Resource
	Key      InstanceKey
}

func (ri ResourceInstance) String() string {
	if ri.Key == nil {
		return ri.Resource.String()
	}
	return ri.Resource.String() + ri.Key.String()
}

// Less orders instance addresses for stable output: by resource address,
// then numerically for int keys and lexically for string keys.
func (ri ResourceInstance) Less(o ResourceInstance) bool {
	a, b := ri.Resource.String(), o.Resource.String()
	if a != b {
		return a < b
	}
	switch k := ri.Key.(type) {
	case nil:
		return o.Key != nil
	case IntKey:
		if ok, isInt := o.Key.(IntKey); isInt {
			return k < ok
		}
		return o.Key != nil
	case StringKey:
		if ok, isStr := o.Key.(StringKey); isStr {
			return k < ok
		}
		return false
	}
	return false
}

// SortInstances sorts addresses in place with Less.
func SortInstances(s []ResourceInstance) {
	sort.Slice(s, func(i, j int) bool { return s[i].Less(s[j]) })
}

// Provider is the address of a provider configuration: provider.NAME or
// provider.NAME.ALIAS.
type Provider struct {
	Name  string
	Alias string
}

// Key is how the configuration names the provider block of p: NAME or
// NAME.ALIAS (lang.Config.Providers).
func (p Provider) Key() string {
	if p.Alias != "" {
		return p.Name + "." + p.Alias
	}
	return p.Name
}

func (p Provider) String() string {
	if p.Alias != "" {
		return "provider." + p.Name + "." + p.Alias
	}
	return "provider." + p.Name
}

// ParseResourceInstance parses the address forms the CLI accepts in
// -target, -replace, state mv and friends: file.a, file.a[0],
// file.a["k"], source.git.app, pipeline.myapp, app.web["eu"].
func ParseResourceInstance(s string) (ResourceInstance, hcl.Diagnostics) {
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		return ResourceInstance{}, diags
	}
	return ResourceInstanceFromTraversal(trav)
}

// ResourceInstanceFromTraversal reads a resource instance address from a
// parsed traversal.
func ResourceInstanceFromTraversal(trav hcl.Traversal) (ResourceInstance, hcl.Diagnostics) {
	bad := func(detail string) (ResourceInstance, hcl.Diagnostics) {
		return ResourceInstance{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid address",
			Detail:   detail,
			Subject:  trav.SourceRange().Ptr(),
		}}
	}
	var names []string
	var key InstanceKey
	for i, step := range trav {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, st.Name)
		case hcl.TraverseAttr:
			if key != nil {
				return bad("An instance key must come last in an address, like file.a[\"k\"].")
			}
			names = append(names, st.Name)
		case hcl.TraverseIndex:
			if i != len(trav)-1 {
				return bad("An instance key must come last in an address, like file.a[\"k\"].")
			}
			k, err := KeyFromValue(st.Key)
			if err != nil {
				return bad(err.Error())
			}
			key = k
		default:
			return bad("Only names and an instance key may appear in an address.")
		}
	}
	var r Resource
	switch {
	case len(names) == 3 && names[0] == "source":
		r = Resource{Kind: Source, Type: names[1], Name: names[2]}
	case len(names) == 2 && names[0] == "pipeline":
		r = Resource{Kind: Pipeline, Name: names[1]}
	case len(names) == 2 && names[0] == "app":
		r = Resource{Kind: App, Name: names[1]}
	case len(names) == 2 && names[0] == "rollout":
		r = Resource{Kind: Rollout, Name: names[1]}
	case len(names) == 2 && names[0] == "analysis":
		r = Resource{Kind: Analysis, Name: names[1]}
	case len(names) == 2 && !reserved[names[0]]:
		r = Resource{Kind: Managed, Type: names[0], Name: names[1]}
	default:
		return bad(fmt.Sprintf("%q is not a resource address. Use TYPE.NAME, source.TYPE.NAME, pipeline.NAME, app.NAME, rollout.NAME or analysis.NAME, with an optional [key].", strings.Join(names, ".")))
	}
	return ResourceInstance{Resource: r, Key: key}, nil
}

// reserved lists the first names of references that are not managed
// resources.
var reserved = map[string]bool{
	"var": true, "local": true, "source": true, "pipeline": true, "app": true,
	"rollout": true, "analysis": true, "each": true, "count": true, "path": true, "self": true,
	"provider": true, "output": true, "image": true, "stage": true, "terraform": true, "slipway": true,
}

// IsReservedRoot reports whether a reference's first name is a keyword
// rather than a managed resource type.
func IsReservedRoot(name string) bool { return reserved[name] }
