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

package planner

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// values holds what graph nodes have computed so far: locals and the
// values of resources (an instance's object, a tuple for count, an object
// keyed by each.key for for_each). It is safe for concurrent use.
type values struct {
	mu        sync.RWMutex
	locals    map[string]cty.Value
	resources map[addrs.Resource]cty.Value
	// sensitive holds the sensitive paths of instances, by resource and
	// key: expressions see those values marked, so that whatever is
	// computed from them is sensitive too.
	sensitive map[addrs.Resource]map[addrs.InstanceKey][]cty.Path
}

func newValues() *values {
	return &values{locals: map[string]cty.Value{}, resources: map[addrs.Resource]cty.Value{},
		sensitive: map[addrs.Resource]map[addrs.InstanceKey][]cty.Path{}}
}

// setSensitive records the sensitive paths of an instance's value.
func (v *values) setSensitive(addr addrs.ResourceInstance, paths []cty.Path) {
	v.mu.Lock()
	defer v.mu.Unlock()
	m := v.sensitive[addr.Resource]
	if len(paths) == 0 {
		delete(m, addr.Key)
		return
	}
	if m == nil {
		m = map[addrs.InstanceKey][]cty.Path{}
		v.sensitive[addr.Resource] = m
	}
	m[addr.Key] = paths
}

func (v *values) setLocal(name string, val cty.Value) {
	v.mu.Lock()
	v.locals[name] = val
	v.mu.Unlock()
}

func (v *values) setResource(r addrs.Resource, val cty.Value) {
	v.mu.Lock()
	v.resources[r] = val
	v.mu.Unlock()
}

// repetition is what each.* and count.* mean in one instance.
type repetition struct {
	key       addrs.InstanceKey
	eachValue cty.Value
}

// scope evaluates expressions. It builds each evaluation context from
// only the values an expression refers to, so evaluating one resource
// costs the same however many resources the configuration declares.
type scope struct {
	cfg       *lang.Config
	vars      map[string]cty.Value
	values    *values
	funcs     map[string]function.Function
	sensitive map[string]bool // sensitive variables
	// fallback gives a resource's value when no node computed one (a
	// resource outside -target, or any resource in destroy mode): its
	// value in state, or unknown.
	fallback func(addrs.Resource) cty.Value
	// unknownRefs evaluates every reference as unknown (validate).
	unknownRefs bool
	// workspace is slipway.workspace.
	workspace string
}

func newScope(cfg *lang.Config, vars map[string]cty.Value, vals *values, fallback func(addrs.Resource) cty.Value) *scope {
	s := &scope{cfg: cfg, vars: vars, values: vals, funcs: lang.Functions(cfg.Dir), sensitive: map[string]bool{}, fallback: fallback}
	for n, v := range cfg.Variables {
		if v.Sensitive {
			s.sensitive[n] = true
		}
	}
	return s
}

// evalContext returns an evaluation context holding the subjects of refs.
// The sensitive values of resources and sources are marked, as the
// values of sensitive variables are, so that what is computed from them
// is sensitive too.
func (s *scope) evalContext(refs []*addrs.Reference, rep *repetition) *hcl.EvalContext {
	return s.context(refs, rep, true)
}

// kindContext is evalContext for the blocks of kinds (pipelines, apps),
// which read the values of sources and resources as plain values: only
// the values of sensitive variables are marked.
func (s *scope) kindContext(refs []*addrs.Reference, rep *repetition) *hcl.EvalContext {
	return s.context(refs, rep, false)
}

func (s *scope) context(refs []*addrs.Reference, rep *repetition, markResources bool) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	nested := map[string]map[string]cty.Value{}  // root -> name -> value
	sources := map[string]map[string]cty.Value{} // type -> name -> value
	put := func(root, name string, v cty.Value) {
		m := nested[root]
		if m == nil {
			m = map[string]cty.Value{}
			nested[root] = m
		}
		m[name] = v
	}
	s.values.mu.RLock()
	for _, ref := range refs {
		switch sub := ref.Subject.(type) {
		case addrs.InputVariable:
			v, ok := s.vars[sub.Name]
			if !ok || s.unknownRefs {
				v = cty.DynamicVal
			}
			if s.sensitive[sub.Name] {
				v = v.Mark(kind.SensitiveMark)
			}
			put("var", sub.Name, v)
		case addrs.LocalValue:
			v, ok := s.values.locals[sub.Name]
			if !ok {
				v = cty.DynamicVal
			}
			put("local", sub.Name, v)
		case addrs.Resource:
			s.putResource(sub, put, sources, markResources)
		case addrs.ResourceInstance:
			s.putResource(sub.Resource, put, sources, markResources)
		case addrs.PathAttr:
			put("path", sub.Name, s.pathValue(sub.Name))
		case addrs.SlipwayAttr:
			if sub.Name == "workspace" {
				put("slipway", "workspace", cty.StringVal(s.workspace))
			}
		case addrs.CountAttr:
			if rep != nil {
				if k, ok := rep.key.(addrs.IntKey); ok {
					put("count", "index", cty.NumberIntVal(int64(k)))
				} else {
					put("count", "index", cty.UnknownVal(cty.Number))
				}
			}
		case addrs.EachAttr:
			if rep != nil {
				if k, ok := rep.key.(addrs.StringKey); ok {
					put("each", "key", cty.StringVal(string(k)))
				} else {
					put("each", "key", cty.UnknownVal(cty.String))
				}
				ev := rep.eachValue
				if ev == cty.NilVal {
					ev = cty.DynamicVal
				}
				put("each", "value", ev)
			}
		}
	}
	s.values.mu.RUnlock()
	for root, m := range nested {
		vars[root] = cty.ObjectVal(m)
	}
	if len(sources) > 0 {
		st := map[string]cty.Value{}
		for t, m := range sources {
			st[t] = cty.ObjectVal(m)
		}
		vars["source"] = cty.ObjectVal(st)
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.funcs}
}

// putResource adds a resource's value; called with values.mu held.
func (s *scope) putResource(r addrs.Resource, put func(root, name string, v cty.Value), sources map[string]map[string]cty.Value, mark bool) {
	v, ok := s.values.resources[r]
	if !ok || s.unknownRefs {
		if s.fallback != nil && !s.unknownRefs {
			v = s.fallback(r)
		} else {
			v = cty.DynamicVal
		}
	}
	if mark {
		v = s.markSensitive(r, v)
	}
	switch r.Kind {
	case addrs.Managed:
		put(r.Type, r.Name, v)
	case addrs.Source:
		m := sources[r.Type]
		if m == nil {
			m = map[string]cty.Value{}
			sources[r.Type] = m
		}
		m[r.Name] = v
	default:
		put(r.Kind.String(), r.Name, v)
	}
}

// markSensitive marks the sensitive paths of a resource's instances in
// its value as expressions see it (the object of an instance, a tuple
// for count, an object keyed by each.key for for_each); called with
// values.mu held.
func (s *scope) markSensitive(r addrs.Resource, v cty.Value) cty.Value {
	byKey := s.values.sensitive[r]
	if len(byKey) == 0 || v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return v
	}
	var pvms []cty.PathValueMarks
	for key, paths := range byKey {
		var prefix cty.Path
		switch k := key.(type) {
		case addrs.IntKey:
			prefix = cty.Path{cty.IndexStep{Key: cty.NumberIntVal(int64(k))}}
		case addrs.StringKey:
			prefix = cty.GetAttrPath(string(k))
		}
		for _, p := range paths {
			full := append(append(make(cty.Path, 0, len(prefix)+len(p)), prefix...), p...)
			pvms = append(pvms, cty.PathValueMarks{Path: full, Marks: cty.NewValueMarks(kind.SensitiveMark)})
		}
	}
	return v.MarkWithPaths(pvms)
}

func (s *scope) pathValue(name string) cty.Value {
	switch name {
	case "module", "root":
		abs, err := filepath.Abs(s.cfg.Dir)
		if err != nil {
			abs = s.cfg.Dir
		}
		return cty.StringVal(abs)
	case "cwd":
		wd, _ := os.Getwd()
		return cty.StringVal(wd)
	}
	return cty.DynamicVal
}

// evalExpr evaluates one expression with the values it refers to.
func (s *scope) evalExpr(expr hcl.Expression, rep *repetition) (cty.Value, hcl.Diagnostics) {
	refs, diags := lang.ReferencesInExpr(expr)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	v, d := expr.Value(s.evalContext(refs, rep))
	return v, append(diags, d...)
}

// unmarkSensitive strips sensitive marks from v and returns the paths
// they were on.
func unmarkSensitive(v cty.Value) (cty.Value, []cty.Path) {
	unmarked, pvm := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, p := range pvm {
		if _, ok := p.Marks[kind.SensitiveMark]; ok {
			paths = append(paths, p.Path)
		}
	}
	return unmarked, paths
}
