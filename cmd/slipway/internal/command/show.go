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

package command

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/planner/planfile"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/state"
)

func emptyState() *state.State { return state.NewState() }

// ShowArgs are show's flags.
type ShowArgs struct {
	JSON bool
	// HTML writes the plan page (see showHTML).
	HTML     bool
	Markdown bool
	// MarkdownLimit is the most characters -markdown writes; 0 means no
	// limit.
	MarkdownLimit int
	PlanFile      string
}

// Show runs `slipway show [PLANFILE]`: a saved plan, or the state.
func (m *Meta) Show(ctx context.Context, a ShowArgs) int {
	if err := checkViews(a.JSON, a.Markdown, a.MarkdownLimit); err != nil {
		m.View.Error(err)
		return 1
	}
	if a.Markdown && a.PlanFile == "" {
		m.View.Error(fmt.Errorf("show -markdown renders a saved plan, not the state: give the plan's file, as in slipway show -markdown PLANFILE (make one with slipway plan -out=PLANFILE)"))
		return 1
	}
	if a.HTML && a.Markdown {
		m.View.Error(fmt.Errorf("-html and -markdown cannot be used together: give one of them, and run the command again for the other"))
		return 1
	}
	if a.HTML {
		return m.showHTML(a)
	}
	if a.PlanFile != "" {
		p, ok := m.readPlanFile(a.PlanFile)
		if !ok {
			return 1
		}
		// Out names the file the comment points to for the full plan.
		// A saved plan does not record what the policies found, so its
		// comment states no verdict: policies judge a plan when it is
		// made and when it is applied.
		m.showPlan(p, PlanArgs{JSON: a.JSON, Markdown: a.Markdown, MarkdownLimit: a.MarkdownLimit, Out: a.PlanFile}, nil, nil, nil)
		return 0
	}
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	if a.JSON {
		b, err := render.StateJSON(st)
		if err != nil {
			m.View.Error(err)
			return 1
		}
		m.View.Stdout.Write(append(b, '\n'))
		return 0
	}
	if st.Empty() {
		m.View.Printf("The state is empty.\n")
		return 0
	}
	render.HumanState(m.View.Stdout, st, render.Options{Color: m.View.Color})
	return 0
}

// readState reads the state without locking (a read-only look).
func (m *Meta) readState(ctx context.Context) (*state.State, bool) {
	st, _, ok := m.readStatePending(ctx)
	return st, ok
}

// readStatePending is readState, and the changes an interrupted apply
// left unfinished.
func (m *Meta) readStatePending(ctx context.Context) (*state.State, []state.Pending, bool) {
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, nil, false
	}
	b, diags := m.backend(cfg)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, nil, false
	}
	st, pending, err := readJournaled(ctx, b)
	if err != nil {
		m.View.Error(err)
		return nil, nil, false
	}
	return st, pending, true
}

// OutputArgs are output's flags.
type OutputArgs struct {
	JSON bool
	Raw  bool
	Name string
}

// Output runs `slipway output [NAME]`.
func (m *Meta) Output(ctx context.Context, a OutputArgs) int {
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	if a.Name != "" {
		o := st.Outputs[a.Name]
		if o == nil {
			m.View.Error(fmt.Errorf("output %q not found: the state has %s", a.Name, outputNames(st)))
			return 1
		}
		switch {
		case a.Raw:
			v := o.Value
			if v.Type() != cty.String && v.Type() != cty.Number && v.Type() != cty.Bool {
				m.View.Error(fmt.Errorf("-raw works only with strings, numbers and bools; output %q is %s (use -json)", a.Name, v.Type().FriendlyName()))
				return 1
			}
			m.View.Printf("%s", rawString(v))
		case a.JSON:
			b, err := ctyjson.Marshal(o.Value, o.Value.Type())
			if err != nil {
				m.View.Error(err)
				return 1
			}
			m.View.Stdout.Write(append(b, '\n'))
		default:
			m.View.Printf("%s\n", renderValue(o.Value))
		}
		return 0
	}
	if a.JSON {
		b, err := render.OutputsJSON(st.Outputs)
		if err != nil {
			m.View.Error(err)
			return 1
		}
		m.View.Stdout.Write(append(b, '\n'))
		return 0
	}
	if len(st.Outputs) == 0 {
		m.View.Printf("No outputs found.\n")
		return 0
	}
	m.printOutputs(st)
	return 0
}

func (m *Meta) printOutputs(st *state.State) {
	if len(st.Outputs) == 0 {
		return
	}
	names := make([]string, 0, len(st.Outputs))
	for n := range st.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	m.View.Printf("\nOutputs:\n\n")
	for _, n := range names {
		o := st.Outputs[n]
		if o.Sensitive {
			m.View.Printf("%s = (sensitive value)\n", n)
			continue
		}
		m.View.Printf("%s = %s\n", n, renderValue(o.Value))
	}
}

func outputNames(st *state.State) string {
	if len(st.Outputs) == 0 {
		return "no outputs"
	}
	var names []string
	for n := range st.Outputs {
		names = append(names, fmt.Sprintf("%q", n))
	}
	sort.Strings(names)
	return fmt.Sprintf("outputs %v", names)
}

func rawString(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return fmt.Sprint(v.True())
}

// renderValue renders a value as HCL-ish JSON for people.
func renderValue(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	if v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	var x any
	if json.Unmarshal(b, &x) == nil {
		if pretty, err := json.MarshalIndent(x, "", "  "); err == nil {
			return string(pretty)
		}
	}
	return string(b)
}

// readPlanFile reads a saved plan, opened with the encryption block's
// plan key when the configuration has one; it prints why it cannot.
func (m *Meta) readPlanFile(path string) (*plans.Plan, bool) {
	_, ps, ok := m.planSealerFor(VarArgs{})
	if !ok {
		return nil, false
	}
	p, err := planfile.ReadSealed(path, ps)
	if err != nil {
		m.View.Error(err)
		return nil, false
	}
	return p, true
}
