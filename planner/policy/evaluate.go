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

package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cel.dev/cel-go/common/types"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
)

// Model is a plan as rules read it: the JSON plan document (render.JSON)
// as plain maps and lists, with whole numbers as int and the rest as
// double.
func Model(p *plans.Plan) (map[string]any, error) {
	doc, err := render.JSON(p)
	if err != nil {
		return nil, err
	}
	return decode(doc)
}

func decode(doc []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("read the JSON plan: %w", err)
	}
	return numbers(m).(map[string]any), nil
}

// numbers turns json.Numbers into int64 when whole, float64 otherwise:
// CEL compares replicas with 3, not 3.0.
func numbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbers(e)
		}
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

// Result is what one policy found.
type Result struct {
	Policy *lang.Policy
	// Holds says the rule was true: the policy denies the plan, or
	// warns about it.
	Holds bool
	// Changes are the entries of plan.changes that make the rule hold,
	// or, for a rule that does not hinge on single changes, the changes
	// the plan makes.
	Changes []Change
	// Err is why the rule could not be evaluated.
	Err error
}

// Change names one entry of plan.changes.
type Change struct {
	Address, Action string
}

// Denies reports whether the result stops the plan.
func (r Result) Denies() bool { return r.Holds && r.Policy.Effect == lang.PolicyDeny }

// Evaluate runs every rule over the model, in the order of the set. A
// rule still running when ctx ends could not be evaluated (Result.Err).
func (s *Set) Evaluate(ctx context.Context, model map[string]any) []Result {
	if s == nil {
		return nil
	}
	out := make([]Result, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r.evaluate(ctx, model, attributionBudget))
	}
	return out
}

// evaluate runs r over model, and when it holds, finds the changes that
// make it hold within budget (see attributionBudget).
func (r *rule) evaluate(ctx context.Context, model map[string]any, budget uint64) Result {
	res := Result{Policy: r.policy}
	res.Holds, _, res.Err = r.holds(ctx, model)
	if res.Err != nil || !res.Holds {
		return res
	}
	changes, _ := model["changes"].([]any)
	// A rule that holds with only one change in the plan is about that
	// change: try each alone. A rule that holds with none is about the
	// plan as a whole.
	// The runs share one budget: past it, the rule is taken to be about
	// the plan as a whole.
	var spent uint64
	over := false
	with := func(cs []any) bool {
		m := make(map[string]any, len(model))
		for k, v := range model {
			m[k] = v
		}
		m["changes"] = cs
		ok, cost, err := r.holds(ctx, m)
		spent += cost
		if spent > budget || ctx.Err() != nil {
			over = true
		}
		return ok && err == nil
	}
	if !with([]any{}) && !over {
		for _, c := range changes {
			if with([]any{c}) {
				res.Changes = append(res.Changes, changeOf(c))
			}
			if over {
				res.Changes = nil
				break
			}
		}
	}
	if len(res.Changes) == 0 {
		for _, c := range changes {
			if a := jsonString(c, "action"); a != "no-op" && a != "read" {
				res.Changes = append(res.Changes, changeOf(c))
			}
		}
	}
	return res
}

// holds evaluates the rule over model, with the cost it took.
func (r *rule) holds(ctx context.Context, model map[string]any) (bool, uint64, error) {
	out, det, err := r.prg.ContextEval(ctx, map[string]any{"plan": model})
	var cost uint64
	if det != nil {
		if c := det.ActualCost(); c != nil {
			cost = *c
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("stopped before it was done: %w", context.Cause(ctx))
		}
		return false, cost, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, cost, fmt.Errorf("the rule gave %s %v, not true or false", out.Type().TypeName(), out.Value())
	}
	return bool(b), cost, nil
}

func changeOf(c any) Change {
	return Change{Address: jsonString(c, "address"), Action: jsonString(c, "action")}
}

func jsonString(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

// maxListed is how many changes a diagnostic names before it counts the
// rest.
const maxListed = 20

// Report turns results into diagnostics: an error for each denial and
// each rule that could not be evaluated, a warning for each warn policy
// that holds. denied says a deny policy holds; failed that a rule could
// not be evaluated, which denies too, as no one can tell whether it
// holds.
func Report(results []Result) (diags hcl.Diagnostics, denied, failed bool) {
	for _, r := range results {
		p := r.Policy
		rng := p.DeclRange
		where := ""
		if p.External {
			where = " (from -policy)"
		}
		switch {
		case r.Err != nil:
			failed = true
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Policy %q could not be evaluated", p.Name),
				Detail:   fmt.Sprintf("Evaluating the rule of policy %q%s over this plan failed: %v. Fix the rule: a field that only some changes have is read safely with has(), like has(c.replicas) && c.replicas > 10.", p.Name, where, r.Err),
				Subject:  &rng,
			})
		case r.Holds:
			d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: fmt.Sprintf("Policy %q warns", p.Name), Subject: &rng}
			if r.Denies() {
				denied = true
				d.Severity, d.Summary = hcl.DiagError, fmt.Sprintf("Denied by policy %q", p.Name)
			}
			d.Detail = p.Message + "\n\n" + listChanges(r.Changes)
			if r.Denies() {
				d.Detail += fmt.Sprintf("\n\nPolicy %q%s denies this plan. Change the configuration so that its rule no longer holds, or have the policy changed.", p.Name, where)
			}
			diags = append(diags, d)
		}
	}
	return diags, denied, failed
}

func listChanges(cs []Change) string {
	if len(cs) == 0 {
		return "The plan changes nothing; the rule holds for the plan as a whole."
	}
	var b strings.Builder
	b.WriteString("Changes:")
	for i, c := range cs {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more", len(cs)-maxListed)
			break
		}
		fmt.Fprintf(&b, "\n  %s %s", c.Action, c.Address)
	}
	return b.String()
}
