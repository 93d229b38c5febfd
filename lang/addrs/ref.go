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

	"github.com/hashicorp/hcl/v2"
)

// Referenceable is anything an expression can refer to.
type Referenceable interface {
	referenceable()
	String() string
}

// InputVariable is var.NAME.
type InputVariable struct{ Name string }

// LocalValue is local.NAME.
type LocalValue struct{ Name string }

// CountAttr is count.index.
type CountAttr struct{ Name string }

// EachAttr is each.key or each.value.
type EachAttr struct{ Name string }

// PathAttr is path.module, path.root or path.cwd.
type PathAttr struct{ Name string }

// SlipwayAttr is slipway.workspace, what slipway knows of the run, as
// terraform.workspace is in Terraform.
type SlipwayAttr struct{ Name string }

// SelfRef is self, inside a pipeline's image or promote blocks and
// provisioner-like places.
type SelfRef struct{}

func (InputVariable) referenceable()    {}
func (LocalValue) referenceable()       {}
func (CountAttr) referenceable()        {}
func (EachAttr) referenceable()         {}
func (PathAttr) referenceable()         {}
func (SlipwayAttr) referenceable()      {}
func (SelfRef) referenceable()          {}
func (Resource) referenceable()         {}
func (ResourceInstance) referenceable() {}

func (v InputVariable) String() string { return "var." + v.Name }
func (v LocalValue) String() string    { return "local." + v.Name }
func (v CountAttr) String() string     { return "count." + v.Name }
func (v EachAttr) String() string      { return "each." + v.Name }
func (v PathAttr) String() string      { return "path." + v.Name }
func (v SlipwayAttr) String() string   { return "slipway." + v.Name }
func (SelfRef) String() string         { return "self" }

// Reference is one reference found in an expression: what it refers to,
// where it was written, and the rest of the traversal after the subject
// (the attribute path into the subject's value).
type Reference struct {
	Subject     Referenceable
	SourceRange hcl.Range
	Remaining   hcl.Traversal
}

// Resource is the resource a reference names (file.a, or the block of
// file.a[1]), if it names one.
func (r *Reference) Resource() (Resource, bool) {
	switch s := r.Subject.(type) {
	case Resource:
		return s, true
	case ResourceInstance:
		return s.Resource, true
	}
	return Resource{}, false
}

// ParseRef reads the subject of a traversal such as var.x, local.y,
// file.a.content, file.a["k"].content, source.git.app.commit or
// app.web.status. Names that are not keywords are managed resource types.
func ParseRef(trav hcl.Traversal) (*Reference, hcl.Diagnostics) {
	rng := trav.SourceRange()
	bad := func(summary, detail string) (*Reference, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}}
	}
	root := trav.RootName()
	attrAt := func(i int) (string, hcl.Range, bool) {
		if len(trav) <= i {
			return "", rng, false
		}
		if a, ok := trav[i].(hcl.TraverseAttr); ok {
			return a.Name, a.SrcRange, true
		}
		return "", rng, false
	}
	simple := func(mk func(string) Referenceable, what string) (*Reference, hcl.Diagnostics) {
		name, _, ok := attrAt(1)
		if !ok {
			return bad("Invalid reference", fmt.Sprintf("The %q object cannot be used alone; name one of its attributes, like %s.NAME.", root, root))
		}
		return &Reference{Subject: mk(name), SourceRange: hcl.RangeBetween(trav[0].SourceRange(), trav[1].SourceRange()), Remaining: trav[2:]}, nil
	}
	switch root {
	case "var":
		return simple(func(n string) Referenceable { return InputVariable{n} }, "variable")
	case "local":
		return simple(func(n string) Referenceable { return LocalValue{n} }, "local value")
	case "count":
		return simple(func(n string) Referenceable { return CountAttr{n} }, "count")
	case "each":
		return simple(func(n string) Referenceable { return EachAttr{n} }, "each")
	case "path":
		return simple(func(n string) Referenceable { return PathAttr{n} }, "path")
	case "slipway":
		return simple(func(n string) Referenceable { return SlipwayAttr{n} }, "slipway")
	case "self":
		return &Reference{Subject: SelfRef{}, SourceRange: trav[0].SourceRange(), Remaining: trav[1:]}, nil
	case "source":
		typ, _, ok1 := attrAt(1)
		name, _, ok2 := attrAt(2)
		if !ok1 || !ok2 {
			return bad("Invalid reference", "A source is referred to as source.TYPE.NAME, like source.git.app.")
		}
		return resourceRef(trav, Resource{Kind: Source, Type: typ, Name: name}, 3)
	case "pipeline", "app", "rollout", "analysis":
		name, _, ok := attrAt(1)
		if !ok {
			return bad("Invalid reference", fmt.Sprintf("A %s is referred to as %s.NAME.", root, root))
		}
		kind := map[string]Kind{"pipeline": Pipeline, "app": App, "rollout": Rollout, "analysis": Analysis}[root]
		return resourceRef(trav, Resource{Kind: kind, Name: name}, 2)
	}
	if reserved[root] {
		return bad("Reserved name", fmt.Sprintf("%q is reserved and cannot be referred to here.", root))
	}
	name, _, ok := attrAt(1)
	if !ok {
		return bad("Invalid reference", fmt.Sprintf("A reference to a resource of type %q must name the resource, like %s.NAME. If you meant a variable, write var.%s.", root, root, root))
	}
	return resourceRef(trav, Resource{Kind: Managed, Type: root, Name: name}, 2)
}

// resourceRef builds a reference to r, whose address takes the first n
// steps of trav, followed perhaps by an instance key.
func resourceRef(trav hcl.Traversal, r Resource, n int) (*Reference, hcl.Diagnostics) {
	rng := hcl.RangeBetween(trav[0].SourceRange(), trav[n-1].SourceRange())
	if len(trav) > n {
		if idx, ok := trav[n].(hcl.TraverseIndex); ok {
			if k, err := KeyFromValue(idx.Key); err == nil {
				return &Reference{
					Subject:     r.Instance(k),
					SourceRange: hcl.RangeBetween(rng, idx.SrcRange),
					Remaining:   trav[n+1:],
				}, nil
			}
		}
	}
	return &Reference{Subject: r, SourceRange: rng, Remaining: trav[n:]}, nil
}
