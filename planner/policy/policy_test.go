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
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
)

// load compiles the policies of one configuration file.
func load(t *testing.T, src string) (*Set, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return Compile(lang.SortedPolicies(cfg.Policies), cfg.Files)
}

func TestCompileErrorsPointInsideTheRule(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src        string
		line, col  int
		summary    string
		detailPart string
	}{
		"quoted": {
			src:  "policy \"p\" {\n  deny    = \"plan.changes.exists(c, c.action == 'delete' &&)\"\n  message = \"m\"\n}\n",
			line: 2, col: 60,
			summary: "Invalid policy rule", detailPart: "Syntax error",
		},
		"after an escape": {
			src:  "policy \"p\" {\n  deny    = \"plan.x == \\\"a\\\" && plans.y\"\n  message = \"m\"\n}\n",
			line: 2, col: 33,
			summary: "Invalid policy rule", detailPart: "The only name a rule starts from is `plan`",
		},
		"heredoc": {
			src:  "policy \"p\" {\n  deny = <<-EOT\n    plan.changes.exists(c,\n      c.action == 'delete' && changes)\n  EOT\n  message = \"m\"\n}\n",
			line: 4, col: 31,
			summary: "Invalid policy rule", detailPart: "undeclared reference to 'changes'",
		},
		"not a condition": {
			src:  "policy \"p\" {\n  warn    = \"size(plan.changes)\"\n  message = \"m\"\n}\n",
			line: 2, col: 13,
			summary: "Policy rule is not a condition", detailPart: "is a int",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags := load(t, tt.src)
			if len(diags) == 0 {
				t.Fatal("no diagnostics")
			}
			d := diags[0]
			if d.Summary != tt.summary || !strings.Contains(d.Detail, tt.detailPart) {
				t.Errorf("got %q: %s; want %q with %q", d.Summary, d.Detail, tt.summary, tt.detailPart)
			}
			if d.Subject == nil || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("subject %v, want line %d column %d", d.Subject, tt.line, tt.col)
			}
		})
	}
}

const rules = `
policy "no_prod_deletes" {
  deny    = "plan.changes.exists(c, c.action == 'delete' && c.namespace.startsWith('prod'))"
  message = "deleting objects in prod needs an approval"
}

policy "few_destroys" {
  warn    = "plan.summary.destroy > 1"
  message = "this plan deletes more than one thing"
}

policy "replicas" {
  deny    = "plan.changes.exists(c, c.replicas > 5)"
  message = "too many replicas"
}
`

const model = `{
  "summary": {"add": 0, "change": 0, "destroy": 2, "run": 0},
  "changes": [
    {"address": "app.web", "action": "update", "namespace": "prod-web"},
    {"address": "app.web v1 Service prod-web/web", "action": "delete", "namespace": "prod-web"},
    {"address": "app.web v1 ConfigMap prod-web/c", "action": "no-op", "namespace": "prod-web"},
    {"address": "app.dev v1 Service dev/web", "action": "delete", "namespace": "dev"}
  ]
}`

func TestEvaluate(t *testing.T) {
	t.Parallel()
	set, diags := load(t, rules)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, err := decode([]byte(model))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name    string
		Holds   bool
		Err     bool
		Changes []Change
	}
	var gots []got
	for _, r := range set.Evaluate(t.Context(), m) {
		gots = append(gots, got{r.Policy.Name, r.Holds, r.Err != nil, r.Changes})
	}
	want := []got{
		// The change that makes an exists() rule hold, alone.
		{"no_prod_deletes", true, false, []Change{{"app.web v1 Service prod-web/web", "delete"}}},
		// A rule over the plan as a whole lists what the plan changes.
		{"few_destroys", true, false, []Change{{"app.web", "update"}, {"app.web v1 Service prod-web/web", "delete"}, {"app.dev v1 Service dev/web", "delete"}}},
		// No change has replicas: reading it fails, and says so.
		{"replicas", false, true, nil},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}

	diags, denied, failed := Report(set.Evaluate(t.Context(), m))
	if !denied || !failed || len(diags) != 3 {
		t.Fatalf("Report: denied %v failed %v, %d diagnostics; want true, true, 3", denied, failed, len(diags))
	}
	if d := diags[0]; d.Severity != hcl.DiagError || d.Summary != `Denied by policy "no_prod_deletes"` || !strings.Contains(d.Detail, "deleting objects in prod needs an approval\n\nChanges:\n  delete app.web v1 Service prod-web/web") {
		t.Errorf("denial: %s: %s", d.Summary, d.Detail)
	}
	if d := diags[1]; d.Severity != hcl.DiagWarning || d.Summary != `Policy "few_destroys" warns` {
		t.Errorf("warning: %v %s", d.Severity, d.Summary)
	}
}

func TestWholeNumbersAreInts(t *testing.T) {
	t.Parallel()
	set, diags := load(t, `
policy "capped" {
  deny    = "plan.changes.exists(c, has(c.replicas) && c.replicas > 5 && c.replicas * 2 == 12)"
  message = "m"
}
policy "ratio" {
  deny    = "plan.ratio < 1"
  message = "m"
}
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, err := decode([]byte(`{"ratio": 0.5, "changes": [{"address": "a", "action": "create", "replicas": 6}, {"address": "b", "action": "create"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.Evaluate(t.Context(), m) {
		if r.Err != nil || !r.Holds {
			t.Errorf("%s: holds %v, err %v; want it to hold", r.Policy.Name, r.Holds, r.Err)
		}
	}
}

// TestAttributionIsBounded: finding which changes make a rule hold runs
// the rule once per change, and those runs share one budget. Within it,
// the one change that makes the rule hold is named; past it, the rule is
// reported as about the whole plan (every change named) instead of
// running on, for hours over thousands of changes.
func TestAttributionIsBounded(t *testing.T) {
	t.Parallel()
	set, diags := load(t, `
policy "one_delete" {
  deny    = "plan.items.all(i, i >= 0) && plan.changes.exists(c, c.action == 'delete')"
  message = "m"
}
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	changes := []any{}
	for i := range 200 {
		action := "create"
		if i == 150 {
			action = "delete"
		}
		changes = append(changes, map[string]any{"address": fmt.Sprintf("file.f[%d]", i), "action": action})
	}
	items := []any{}
	for i := range 1000 {
		items = append(items, int64(i))
	}
	m := map[string]any{"changes": changes, "items": items}
	r := set.rules[0]
	if res := r.evaluate(t.Context(), m, attributionBudget); !res.Holds || len(res.Changes) != 1 || res.Changes[0].Address != "file.f[150]" {
		t.Errorf("within the budget: holds %v, changes %v; want file.f[150] alone", res.Holds, res.Changes)
	}
	// Each run costs some thousands (the items): 200 runs pass 100,000.
	if res := r.evaluate(t.Context(), m, 100_000); !res.Holds || len(res.Changes) != 200 {
		t.Errorf("past the budget: holds %v, %d changes; want every change named", res.Holds, len(res.Changes))
	}
}

// TestEvaluationStops: a rule still running when its context ends (the
// user's Ctrl-C) stops, and could not be evaluated, which denies.
func TestEvaluationStops(t *testing.T) {
	t.Parallel()
	set, diags := load(t, `
policy "slow" {
  deny    = "plan.changes.all(a, plan.changes.all(b, a.action != 'x' || b.action != 'y'))"
  message = "m"
}
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	changes := []any{}
	for i := range 3000 {
		changes = append(changes, map[string]any{"address": fmt.Sprintf("file.f[%d]", i), "action": "create"})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := set.Evaluate(ctx, map[string]any{"changes": changes})
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "stopped before it was done") {
		t.Fatalf("results %+v; want the rule stopped", res)
	}
	if _, denied, failed := Report(res); denied || !failed {
		t.Errorf("denied %v, failed %v; want a rule that could not be evaluated", denied, failed)
	}
}
