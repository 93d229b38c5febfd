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
	"maps"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/policy"
)

// ExitDenied is the exit code of a plan or apply that a policy denied:
// apart from errors (1) and changes present (2, with -detailed-exitcode),
// so that CI can tell a rule from a failure.
const ExitDenied = 3

// policies compiles the configuration's policies and those of the
// -policy directories, which must not share a name with them.
func (m *Meta) policies(cfg *lang.Config, dirs []string) (*policy.Set, hcl.Diagnostics) {
	all := lang.SortedPolicies(cfg.Policies)
	files := maps.Clone(cfg.Files)
	var pds []*lang.PolicyDir
	var diags hcl.Diagnostics
	for _, dir := range dirs {
		pd, d := lang.LoadPolicyDir(dir)
		diags = append(diags, d...)
		pds = append(pds, pd)
		maps.Copy(files, pd.Files)
		all = append(all, lang.SortedPolicies(pd.Policies)...)
	}
	// Diagnostics about a -policy file print with its source too.
	if m.View.Files == nil {
		m.View.Files = map[string]*hcl.File{}
	}
	maps.Copy(m.View.Files, files)
	if diags.HasErrors() {
		return nil, diags
	}
	if d := lang.PolicyConflicts(cfg, pds); d.HasErrors() {
		return nil, append(diags, d...)
	}
	set, d := policy.Compile(all, files)
	return set, append(diags, d...)
}

// checkPolicies evaluates the policies over a plan and prints what they
// found: 0 when the plan passes (warnings print and pass), ExitDenied when
// a policy denies it, 1 when a rule could not be evaluated.
func (m *Meta) checkPolicies(set *policy.Set, p *plans.Plan) int {
	verdict, diags := m.policyVerdict(set, p)
	m.View.Diagnostics(diags)
	return verdict
}

// policyVerdict is checkPolicies without the printing: the verdict and
// the diagnostics that say why (judgePlan, without the names).
func (m *Meta) policyVerdict(set *policy.Set, p *plans.Plan) (int, hcl.Diagnostics) {
	verdict, diags, _ := m.judgePlan(set, p)
	return verdict, diags
}
