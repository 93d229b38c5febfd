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

package render

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner/plans"
)

// policyDiags are what plan reports for a verdict: an error per denial
// and per rule that could not be evaluated, a warning per warn policy.
func policyDiags(v *PolicyVerdict) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range v.Denied {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Denied by policy %q", n), Detail: "files under keep/ are never deleted\n\nChanges:\n  delete file.d"})
	}
	for _, n := range v.Failed {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Policy %q could not be evaluated", n), Detail: "no such key: replicas"})
	}
	for _, n := range v.Warned {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: fmt.Sprintf("Policy %q warns", n), Detail: "this plan deletes something\n\nChanges:\n  delete file.d"})
	}
	return diags
}

// TestMarkdownPolicyVerdictGolden: the comment's head states the
// policies' verdict, before the summary and the table: a caution when
// they deny the plan (or a rule could not be evaluated), a warning when
// they only warn.
func TestMarkdownPolicyVerdictGolden(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]*PolicyVerdict{
		"policy-denied": {Denied: []string{"keep_kept"}, Warned: []string{"any_delete"}},
		"policy-failed": {Failed: []string{"typo"}},
		"policy-warned": {Warned: []string{"any_delete", "big_plans"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			md := renderComment(deletePlan(), MarkdownOptions{Limit: DefaultMarkdownLimit, Diagnostics: policyDiags(v), Policies: v})
			golden(t, name+".md.golden", []byte(md))
		})
	}
}

// head is the comment up to its summary line.
func head(t *testing.T, md string) string {
	t.Helper()
	i := strings.Index(md, "\n**Plan:**")
	if i < 0 {
		t.Fatalf("the comment has no summary line:\n%s", md[:min(len(md), 2000)])
	}
	return md[:i]
}

// TestMarkdownDenialSurvivesWarnings is the review's case: a plan a
// policy denies, whose pull request draws a warning for each of 400
// manifests, keeps at the default limit the denial in its head and the
// denial's diagnostic, and its last line counts the warnings left out.
func TestMarkdownDenialSurvivesWarnings(t *testing.T) {
	t.Parallel()
	p := plan(fileChanges(400, 200)...)
	v := &PolicyVerdict{Denied: []string{"keep_kept"}}
	md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit, Diagnostics: denialAfterWarnings(400, ""), Policies: v})
	if len(md) > DefaultMarkdownLimit {
		t.Errorf("the comment is %d characters, over the budget", len(md))
	}
	if want := "> [!CAUTION]\n> **Denied by policy:** 1 rule; slipway apply refuses this plan, and each rule's error says why.\n> Denied by <code>keep&#95;kept</code>.\n"; !strings.Contains(head(t, md), want) {
		t.Errorf("the head does not say the plan is denied (%q):\n%s", want, head(t, md))
	}
	if !strings.Contains(md, "**Error:** Denied by policy \"keep\\_kept\"") {
		t.Error("the denial's diagnostic was left out")
	}
	shown := strings.Count(md, "**Warning:**")
	if want := fmt.Sprintf(" %d of 400 warnings. ", 400-shown); shown == 400 || !strings.Contains(lastLine(md), want) {
		t.Errorf("%d warnings shown; the last line does not say %q:\n%s", shown, want, lastLine(md))
	}
	namesEveryAddress(t, md, p)
	wellFormed(t, md)
}

// TestMarkdownVerdictNamesAreCapped: the head, which is never left out,
// names a bounded number of policies and counts the rest.
func TestMarkdownVerdictNamesAreCapped(t *testing.T) {
	t.Parallel()
	var many, long []string
	for i := range 25 {
		many = append(many, fmt.Sprintf("rule_%02d", i))
		long = append(long, fmt.Sprintf("p%02d", i)+strings.Repeat("_", 50))
	}
	for _, tc := range []struct {
		name  string
		v     *PolicyVerdict
		named int
		want  string
	}{
		{"many", &PolicyVerdict{Denied: many}, maxVerdictNames, "> [!CAUTION]\n> **Denied by policy:** 25 rules; slipway apply refuses this plan, and each rule's error says why.\n> Denied by <code>rule&#95;00</code>, <code>rule&#95;01</code>, "},
		{"long", &PolicyVerdict{Denied: long}, 1, "\n> Denied by <code>p00&#95;&#95;"},
		{"too long", &PolicyVerdict{Denied: []string{strings.Repeat("y", 300)}}, 1, "\n> Denied by <code>" + strings.Repeat("y", maxVerdictName-1) + "…</code>.\n"},
		{"failed", &PolicyVerdict{Denied: many[:1], Failed: many[1:]}, 1 + maxVerdictNames, "> **Denied by policy:** 25 rules; slipway apply refuses this plan, and each rule's error says why.\n> Denied by <code>rule&#95;00</code>.\n> Could not be evaluated, which denies the plan as well: <code>rule&#95;01</code>, "},
		{"warned", &PolicyVerdict{Warned: many}, maxVerdictNames, "> [!WARNING]\n> **Policy warnings:** 25 rules; warnings let the plan pass, and each rule's warning says why.\n> Warned by <code>rule&#95;00</code>, "},
	} {
		got := policyVerdictText(tc.v)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: the verdict does not say %q:\n%s", tc.name, tc.want, got)
		}
		if n := strings.Count(got, "<code>"); n != tc.named {
			t.Errorf("%s: the verdict names %d policies, want %d:\n%s", tc.name, n, tc.named, got)
		}
		all := len(tc.v.Denied) + len(tc.v.Failed) + len(tc.v.Warned)
		more := 0
		for _, m := range regexp.MustCompile(` and (\d+) more\.`).FindAllStringSubmatch(got, -1) {
			n := 0
			fmt.Sscan(m[1], &n)
			more += n
		}
		if tc.named > 0 && tc.named+more != all {
			t.Errorf("%s: %d named and %d counted, of %d:\n%s", tc.name, tc.named, more, all, got)
		}
		if len(got) > 1000 {
			t.Errorf("%s: the verdict is %d characters", tc.name, len(got))
		}
	}
}

// TestMarkdownVerdictAtTheSmallestLimit: the denial is stated even in the
// smallest comment, whose fixed parts do not fit and are cut.
func TestMarkdownVerdictAtTheSmallestLimit(t *testing.T) {
	t.Parallel()
	p := realisticPlan()
	for i := range 20 {
		p.Targets = append(p.Targets, fmt.Sprintf("app.web[%q]", strings.Repeat("x", 40)+itoa(i)))
	}
	var names []string
	for i := range 25 {
		names = append(names, fmt.Sprintf("rule_%02d", i))
	}
	v := &PolicyVerdict{Denied: names, Failed: names, Warned: names}
	md := renderComment(p, MarkdownOptions{Limit: MinMarkdownLimit, Diagnostics: append(denialAfterWarnings(400, ""), policyDiags(v)...), Policies: v})
	if len(md) > MinMarkdownLimit {
		t.Errorf("the comment is %d characters", len(md))
	}
	if !strings.Contains(md, "\n> [!CAUTION]\n> **Denied by policy:** 50 rules; slipway apply refuses this plan, and each rule's error says why.\n") {
		t.Errorf("the smallest comment does not say the plan is denied:\n%s", md)
	}
	wellFormed(t, md)
}

// TestMarkdownNoVerdictNoAlert: with no verdict, or one where no policy
// holds, the comment is as it was without policies.
func TestMarkdownNoVerdictNoAlert(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func() *plans.Plan{"delete": deletePlan, "errored": erroredPlan, "no-changes": noChangesPlan} {
		want := renderComment(mk(), MarkdownOptions{Limit: DefaultMarkdownLimit})
		if got := renderComment(mk(), MarkdownOptions{Limit: DefaultMarkdownLimit, Policies: &PolicyVerdict{}}); got != want {
			t.Errorf("%s: a verdict where no policy holds changes the comment:\n%s", name, got)
		}
		if strings.Contains(want, "[!CAUTION]") || strings.Contains(want, "policy") {
			t.Errorf("%s: a comment with no verdict speaks of policies:\n%s", name, want)
		}
	}
	// A comment of no plan states a verdict too, when it has one.
	md := renderComment(nil, MarkdownOptions{Policies: &PolicyVerdict{Failed: []string{"typo"}}})
	if !strings.HasPrefix(md, "> [!CAUTION]\n> **Denied by policy:** 1 rule; slipway apply refuses this plan, and each rule's error says why.\n> Could not be evaluated, which denies the plan as well: <code>typo</code>.\n\n**Planning failed.**") {
		t.Errorf("the comment of no plan does not state the verdict:\n%s", md)
	}
}
