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
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SensitiveMark marks the values of sensitive variables, and every value
// computed from one, during evaluation. The engine strips it before values
// reach a provider or the plan, and keeps where it was as sensitive paths.
const SensitiveMark = "sensitive"

// IsSensitive reports whether v, or anything inside it, is marked
// sensitive.
func IsSensitive(v cty.Value) bool {
	if v == cty.NilVal || !v.ContainsMarked() {
		return false
	}
	_, marks := v.UnmarkDeep()
	_, ok := marks[SensitiveMark]
	return ok
}

// guardSensitive wraps a function so that its errors never quote a
// sensitive argument: when any argument is marked sensitive, an error
// (which might show the value, as "cannot parse \"hunter2\"" does) is
// replaced by one that names the function and says why it is hidden.
// Everything else, marks included, is f's own behaviour: the wrapper sees
// marked arguments and hands them to f unchanged.
func guardSensitive(name string, f function.Function) function.Function {
	params := f.Params()
	for i := range params {
		params[i] = guardParam(params[i])
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		p := guardParam(*vp)
		varParam = &p
	}
	hide := func(args []cty.Value, err error) error {
		if err == nil || !anySensitive(args) {
			return err
		}
		hidden := fmt.Errorf("%s failed, and its error is not shown because an argument is sensitive: the error could reveal the value. Check the values given to %s, or pass the argument through nonsensitive() if it is not secret", name, name)
		var ae function.ArgError
		if errors.As(err, &ae) {
			return function.NewArgError(ae.Index, hidden)
		}
		return hidden
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			ty, err := f.ReturnTypeForValues(args)
			return ty, hide(args, err)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			return v, hide(args, err)
		},
	})
}

// guardParam lets every argument through to the wrapped function, which
// applies its own parameter's rules.
func guardParam(p function.Parameter) function.Parameter {
	p.AllowMarked, p.AllowNull, p.AllowUnknown, p.AllowDynamicType = true, true, true, true
	return p
}

func anySensitive(args []cty.Value) bool {
	for _, a := range args {
		if IsSensitive(a) {
			return true
		}
	}
	return false
}

// nonsensitiveFunc is nonsensitive(value): value without its sensitive
// marks, for the places that refuse sensitive values (for_each keys,
// count) when the value is known not to be secret. A value that is not
// sensitive is returned as it is.
var nonsensitiveFunc = function.New(&function.Spec{
	Description: "Returns the value without its sensitive marking, so that it can be used where sensitive values are refused and is shown in plans.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
		AllowMarked: true, AllowNull: true, AllowUnknown: true, AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, pvms := args[0].UnmarkDeepWithPaths()
		keep := pvms[:0]
		for _, pvm := range pvms {
			marks := cty.ValueMarks{}
			for m := range pvm.Marks {
				if m != SensitiveMark {
					marks[m] = struct{}{}
				}
			}
			if len(marks) > 0 {
				keep = append(keep, cty.PathValueMarks{Path: pvm.Path, Marks: marks})
			}
		}
		return v.MarkWithPaths(keep), nil
	},
})

// SensitiveStrings lists the strings that reveal the values of cfg's
// sensitive variables: every string of at least three characters inside
// them, as it is and as Go and JSON quote it, longest first. Output that
// may quote a secret (a provider's error, its progress) is masked with
// MaskSensitive before it is shown or kept.
func SensitiveStrings(cfg *Config, vars map[string]cty.Value) []string {
	if cfg == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 3 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for name, decl := range cfg.Variables {
		v, ok := vars[name]
		if !decl.Sensitive || !ok || v == cty.NilVal {
			continue
		}
		v, _ = v.UnmarkDeep()
		cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
			if !e.IsKnown() || e.IsNull() || e.Type() != cty.String {
				return true, nil
			}
			s := e.AsString()
			if len(s) < 3 {
				return true, nil
			}
			add(s)
			q := strconv.Quote(s)
			add(q[1 : len(q)-1])
			if b, err := json.Marshal(s); err == nil {
				add(string(b[1 : len(b)-1]))
			}
			return true, nil
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// MaskSensitive replaces every one of secrets (SensitiveStrings) in s by
// ***, as pipeline output is masked.
func MaskSensitive(s string, secrets []string) string {
	for _, m := range secrets {
		if strings.Contains(s, m) {
			s = strings.ReplaceAll(s, m, "***")
		}
	}
	return s
}

// DerivedSecrets lists the strings computed from sensitive values in a
// block's body: the value of every expression in it that is marked
// sensitive, such as sha256(var.token) inside a command or a path. What
// runs or a provider prints may quote them as it may quote the secrets
// themselves, so they are masked alike (MaskSensitive). A template, a
// collection or a condition is not taken whole (its parts are), so that a
// line that quotes a secret still shows the rest of its text.
func DerivedSecrets(body hcl.Body, ctx *hcl.EvalContext) []string {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		e, ok := n.(hclsyntax.Expression)
		if !ok {
			return nil
		}
		switch e.(type) {
		case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr, *hclsyntax.TemplateJoinExpr, *hclsyntax.LiteralValueExpr,
			*hclsyntax.TupleConsExpr, *hclsyntax.ObjectConsExpr, *hclsyntax.ObjectConsKeyExpr, *hclsyntax.ForExpr, *hclsyntax.ConditionalExpr:
			// Compositions: their sensitive parts are visited on their own.
			return nil
		}
		v, diags := e.Value(ctx)
		if diags.HasErrors() || !IsSensitive(v) {
			return nil
		}
		v, _ = v.UnmarkDeep()
		cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
			if !e.IsKnown() || e.IsNull() || e.Type() != cty.String {
				return true, nil
			}
			if s := e.AsString(); len(s) >= MinDerivedSecret && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
			return true, nil
		})
		return nil
	})
	return out
}

// MinDerivedSecret is the shortest computed value masked: a hash or an
// encoding of a secret is long, and masking short words ("yes") from a
// condition on a secret would garble every log for nothing.
const MinDerivedSecret = 6
