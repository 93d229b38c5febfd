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
	"errors"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	yamlv3 "go.yaml.in/yaml/v3"
)

// jsondecode and yamldecode decode text that often comes from a
// repository under review (a file of a source). go-cty's decoders build
// a type for the value, level by level and without sharing: a document
// nested a million deep overflows the stack (which nothing recovers),
// and a YAML document of a few hundred bytes whose aliases refer to
// aliases ("billion laughs") expands to billions of values. So the text
// is measured first, as the configuration's own files are (checkNesting),
// and refused past the nesting limit or maxDecodedValues.

// maxDecodedValues bounds how many values (scalars, lists and maps, with
// every alias expanded) a decoded document may hold.
const maxDecodedValues = 1_000_000

// guardedDecode is f, a function of one string argument that decodes it,
// with check run on the text before f reads it.
func guardedDecode(f function.Function, check func(src string) error) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if a := args[0]; a.IsKnown() && !a.IsNull() {
				if err := check(a.AsString()); err != nil {
					return cty.NilType, function.NewArgError(0, err)
				}
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return f.Call(args) },
	})
}

// checkJSONText refuses JSON nested deeper than the nesting limit.
func checkJSONText(src string) error {
	if diags := checkNesting([]byte(src), "", jsonSyntax); diags.HasErrors() {
		return errors.New(diags[0].Detail)
	}
	return nil
}

// checkYAMLText refuses a YAML document nested deeper than the nesting
// limit, or holding more than maxDecodedValues values once its aliases
// are expanded. A document that does not parse is left to the decoder,
// which says what is wrong with it.
func checkYAMLText(src string) error {
	limit, d := nestingLimit()
	if d != nil {
		return errors.New(d.Detail)
	}
	var doc yamlv3.Node
	if err := yamlv3.NewDecoder(strings.NewReader(src)).Decode(&doc); err != nil {
		return nil
	}
	type measure struct{ values, depth int }
	memo := map[*yamlv3.Node]measure{}
	var walk func(n *yamlv3.Node, level int) (measure, error)
	walk = func(n *yamlv3.Node, level int) (measure, error) {
		if level > limit {
			return measure{}, fmt.Errorf("the document nests more than %d deep at line %d; slipway refuses deeper documents before decoding them, so that none can exhaust the decoder's stack (the environment variable %s raises the limit)", limit, n.Line, MaxNestingEnv)
		}
		if n.Kind == yamlv3.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if m, ok := memo[n]; ok {
			if level+m.depth > limit {
				return measure{}, fmt.Errorf("the document nests more than %d deep through the alias at line %d; slipway refuses deeper documents before decoding them (the environment variable %s raises the limit)", limit, n.Line, MaxNestingEnv)
			}
			return m, nil
		}
		m := measure{values: 1}
		for _, c := range n.Content {
			cm, err := walk(c, level+1)
			if err != nil {
				return measure{}, err
			}
			m.values += cm.values
			m.depth = max(m.depth, cm.depth+1)
			if m.values > maxDecodedValues {
				return measure{}, fmt.Errorf("the document holds more than %d values once its aliases are expanded (at line %d); slipway refuses it before decoding it, as a document whose aliases refer to aliases can expand to billions", maxDecodedValues, c.Line)
			}
		}
		memo[n] = m
		return m, nil
	}
	_, err := walk(&doc, 0)
	return err
}
