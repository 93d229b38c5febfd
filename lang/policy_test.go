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
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicies(t *testing.T) {
	t.Parallel()
	cfg, _ := LoadDir(filepath.Join("testdata", "policies"))
	got := map[string]string{}
	for name, p := range cfg.Policies {
		got[name] = string(p.Effect) + ": " + strings.TrimSpace(p.Rule) + " / " + p.Message
	}
	want := map[string]string{
		"no_prod_deletes": "deny: plan.changes.exists(c, c.action == 'delete' && c.namespace.startsWith('prod')) / deleting objects in prod needs an approval",
		"big_plans":       "warn: size(plan.changes) > 100 / this plan is big; review it in parts",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
}

func TestLoadPolicyDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "policydirs", "bad")
	pd, diags := LoadPolicyDir(dir)
	if diff := cmp.Diff(wantMarks(t, dir), gotMarks(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nall diagnostics:\n%s", diff, diags.Error())
	}
	if p := pd.Policies["ok"]; p == nil || !p.External || p.Effect != PolicyDeny {
		t.Errorf("policy ok: got %+v, want an external deny policy", p)
	}

	// A name the configuration uses too is a clash, reported on the
	// second declaration.
	cfg, _ := LoadDir(filepath.Join("testdata", "policies"))
	clash, _ := LoadPolicyDir(dir)
	p := clash.Policies["ok"]
	delete(clash.Policies, "ok")
	p.Name = "big_plans"
	clash.Policies[p.Name] = p
	d := PolicyConflicts(cfg, []*PolicyDir{clash})
	if len(d) != 1 || d[0].Summary != "Duplicate policy" || d[0].Subject.Filename != filepath.Join(dir, "rules.slip.hcl") {
		t.Errorf("want one Duplicate policy in %s, got %v", dir, d)
	}

	if _, diags := LoadPolicyDir(t.TempDir()); len(diags) != 1 || diags[0].Summary != "No policy files" {
		t.Errorf("empty directory: want No policy files, got %v", diags)
	}
}
