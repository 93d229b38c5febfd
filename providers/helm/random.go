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

package helm

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
)

// A template that renders differently each time (randAlphaNum, now,
// uuidv4) would make every plan an upgrade and every upgrade a new
// value. Plan renders twice with the same inputs: the fields that differ
// between the two renders are random. They are not what decides an
// upgrade; when the release is upgraded for another reason they are
// planned as known only after apply, since helm renders them anew.

// randomFields are the random fields of a release, by object ID, each a
// JSON pointer.
type randomFields map[string][]string

// findRandom compares two renders of the same inputs object by object
// and returns the leaves that differ. Objects only one render has (a
// random name) are left to the plan, which shows them as they are. A
// Secret is compared in the shape the plan shows it (secretShape): a
// random value of its stringData is the field of data the server folds it
// into, which is the field the plan settles.
func findRandom(a, b []*manifestObject) randomFields {
	other := map[string]*manifestObject{}
	for _, o := range b {
		other[o.id.String()] = o
	}
	out := randomFields{}
	for _, o := range a {
		key := o.id.String()
		ob, ok := other[key]
		if !ok {
			continue
		}
		var ptrs []string
		diffLeaves(secretShape(o.obj), secretShape(ob.obj), "", &ptrs)
		if len(ptrs) > 0 {
			sort.Strings(ptrs)
			out[key] = ptrs
		}
	}
	return out
}

// diffLeaves appends to out the JSON pointers under at where a and b
// differ: the deepest objects or lists both have, or the values.
func diffLeaves(a, b any, at string, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, at)
			return
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok {
				*out = append(*out, at+"/"+escapePointer(k))
				continue
			}
			diffLeaves(x, y, at+"/"+escapePointer(k), out)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				*out = append(*out, at+"/"+escapePointer(k))
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*out = append(*out, at)
			return
		}
		for i := range av {
			diffLeaves(av[i], bv[i], at+"/"+strconv.Itoa(i), out)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, at)
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// value is the attribute random_fields holds.
func (r randomFields) value() cty.Value {
	if len(r) == 0 {
		return cty.MapValEmpty(cty.List(cty.String))
	}
	m := make(map[string]cty.Value, len(r))
	for k, ptrs := range r {
		vals := make([]cty.Value, len(ptrs))
		for i, s := range ptrs {
			vals[i] = cty.StringVal(s)
		}
		m[k] = cty.ListVal(vals)
	}
	return cty.MapVal(m)
}

// settle gives the random fields of a planned object their value: the
// prior one, when the release is not upgraded (helm will not render
// them again), or unknown, when it is.
func settle(obj, prior cty.Value, ptrs []string, upgrade bool) (cty.Value, error) {
	for _, ptr := range ptrs {
		path := builtin.PointerPath(ptr)
		cur, err := path.Apply(obj)
		if err != nil {
			continue // not among the fields the plan shows
		}
		repl := cty.UnknownVal(cur.Type())
		if !upgrade {
			pv, err := path.Apply(prior)
			if err != nil {
				// Nothing live to keep: the field is what helm rendered
				// last, unknown to the plan.
				pv = repl
			}
			repl = pv
		}
		obj, err = setAt(obj, path, repl)
		if err != nil {
			return cty.NilVal, fmt.Errorf("field %s: %w", ptr, err)
		}
	}
	return obj, nil
}

// setAt is v with the value at path replaced by repl.
func setAt(v cty.Value, path cty.Path, repl cty.Value) (cty.Value, error) {
	if len(path) == 0 {
		return repl, nil
	}
	switch st := path[0].(type) {
	case cty.GetAttrStep:
		if !v.Type().IsObjectType() || !v.Type().HasAttribute(st.Name) || !v.IsKnown() || v.IsNull() {
			return v, fmt.Errorf("no attribute %q", st.Name)
		}
		m := v.AsValueMap()
		nv, err := setAt(m[st.Name], path[1:], repl)
		if err != nil {
			return v, err
		}
		m[st.Name] = nv
		return cty.ObjectVal(m), nil
	case cty.IndexStep:
		if !(v.Type().IsTupleType() || v.Type().IsListType()) || !v.IsKnown() || v.IsNull() {
			return v, fmt.Errorf("not a list")
		}
		i, _ := st.Key.AsBigFloat().Int64()
		elems := v.AsValueSlice()
		if i < 0 || int(i) >= len(elems) {
			return v, fmt.Errorf("index %d out of range", i)
		}
		nv, err := setAt(elems[i], path[1:], repl)
		if err != nil {
			return v, err
		}
		elems[i] = nv
		if v.Type().IsListType() && nv.Type().Equals(v.Type().ElementType()) {
			return cty.ListVal(elems), nil
		}
		return cty.TupleVal(elems), nil
	}
	return v, fmt.Errorf("unsupported path step")
}
