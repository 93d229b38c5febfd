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
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// githubLimit is the most characters a GitHub comment may hold.
const githubLimit = 65536

func renderComment(p *plans.Plan, opts MarkdownOptions) string {
	var b bytes.Buffer
	MarkdownComment(&b, p, opts)
	return b.String()
}

// fileChanges is n files created, each with content of size bytes.
func fileChanges(n, size int) []*plans.ResourceChange {
	var out []*plans.ResourceChange
	for i := range n {
		out = append(out, &plans.ResourceChange{
			Addr: managed("file", "f", addrs.IntKey(i)), Provider: fileProvider, Type: "file",
			Action: plans.Create, Reason: plans.ReasonNew,
			Before: cty.NullVal(cty.DynamicPseudoType),
			After: obj(map[string]cty.Value{
				"path":    str(fmt.Sprintf("out/file-%d.txt", i)),
				"content": str(strings.Repeat(fmt.Sprintf("line %d\n", i), size/8+1)),
			}),
		})
	}
	return out
}

// realisticPlan is the plan of a platform team's pull request: a pipeline
// run per service, an app per service and environment with its
// Kubernetes objects, a few files, and a replace and a delete; some diffs
// are large (a whole ConfigMap of settings), most are small.
func realisticPlan() *plans.Plan {
	p := plan()
	services := []string{"api", "web", "worker", "billing", "search", "auth", "mail", "reports", "gateway", "events"}
	for _, svc := range services {
		p.Changes = append(p.Changes, &plans.ResourceChange{
			Addr:     addrs.Resource{Kind: addrs.Pipeline, Name: svc}.Instance(addrs.NoKey),
			Provider: addrs.Provider{Name: "slipway"}, Action: plans.Run,
			Reason: plans.ReasonInputsChanged, ReasonDetail: "source.git." + svc + " moved 1a2b3c4 -> 9f8e7d6",
			Before: obj(map[string]cty.Value{"commit": str("1a2b3c4"), "image": obj(map[string]cty.Value{"tag": str("1a2b3c4")})}),
			After:  obj(map[string]cty.Value{"commit": str("9f8e7d6"), "image": obj(map[string]cty.Value{"tag": str("9f8e7d6")})}),
		})
	}
	for i := range 480 {
		svc := services[i%len(services)]
		env := fmt.Sprintf("env-%02d", i/len(services))
		settings := map[string]cty.Value{}
		for k := range 1 + (i%7)*(i%7)*2 {
			settings[fmt.Sprintf("SETTING_%03d", k)] = str(fmt.Sprintf("value-%d-%d", i, k))
		}
		p.Changes = append(p.Changes, &plans.ResourceChange{
			Addr:     addrs.Resource{Kind: addrs.App, Name: svc}.Instance(addrs.StringKey(env)),
			Provider: k8sProvider, Action: plans.Update, Reason: plans.ReasonConfigChanged,
			Before: obj(map[string]cty.Value{"revision": str("1a2b3c4"), "namespace": str(env)}),
			After:  obj(map[string]cty.Value{"revision": cty.UnknownVal(cty.String), "namespace": str(env)}),
			Nested: []*plans.NestedChange{
				{
					Address: "apps/v1 Deployment " + env + "/" + svc, Action: plans.Update, Reason: plans.ReasonConfigChanged,
					Before: deployment("127.0.0.1:5000/team/"+svc+":1a2b3c4", 2),
					After:  deployment("", 3),
				},
				{
					Address: "v1 ConfigMap " + env + "/" + svc + "-settings", Action: plans.Create, Reason: plans.ReasonNew,
					Before: cty.NullVal(cty.DynamicPseudoType),
					After:  obj(map[string]cty.Value{"data": cty.MapVal(settings)}),
				},
			},
		})
	}
	p.Changes = append(p.Changes, fileChanges(8, 400)...)
	p.Changes = append(p.Changes, replacePlan().Changes...)
	p.Changes = append(p.Changes, deletePlan().Changes...)
	p.Drift = driftPlan().Drift
	p.Outputs = outputsPlan().Outputs
	return p
}

// addresses are the addresses of the plan's changes as the comment writes
// them, in the table or in the compact list.
func addresses(p *plans.Plan) (table, list []string) {
	for _, c := range changed(p.Changes) {
		a := printable(c.Addr.String())
		table = append(table, "| "+cell(mdCode(a))+" |")
		list = append(list, " "+a+"\n")
	}
	return table, list
}

// namesEveryAddress fails unless md names every change of p with its
// action, in the table or in the compact list.
func namesEveryAddress(t *testing.T, md string, p *plans.Plan) {
	t.Helper()
	table, list := addresses(p)
	missing := 0
	for i, c := range changed(p.Changes) {
		sym := c.Action.Symbol()
		inTable := strings.Contains(md, "| `"+sym+"` "+c.Action.String()+" "+table[i])
		inList := strings.Contains(md, "\n"+spaces(3-len(sym))+sym+list[i])
		if !inTable && !inList {
			if missing < 5 {
				t.Errorf("the comment does not name %s with its action", c.Addr)
			}
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d addresses missing", missing, len(table))
	}
}

// wellFormed fails unless every fold and fence the comment opens is
// closed: leaving parts out must never cut one in half.
func wellFormed(t *testing.T, md string) {
	t.Helper()
	if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%d <details> opened, %d closed", o, c)
	}
	fences := regexp.MustCompile("(?m)^```+").FindAllString(md, -1)
	if len(fences)%2 != 0 {
		t.Errorf("%d fence lines: one is not closed", len(fences))
	}
}

// lastLine is the comment's last line.
func lastLine(md string) string {
	md = strings.TrimRight(md, "\n")
	return md[strings.LastIndex(md, "\n")+1:]
}

// TestMarkdownFitsTwoThousandResources is the size budget's promise: a
// 2,000-resource plan comes under GitHub's limit and names every address.
func TestMarkdownFitsTwoThousandResources(t *testing.T) {
	t.Parallel()
	p := plan(fileChanges(2000, 200)...)
	full := renderComment(p, MarkdownOptions{})
	if len(full) < 10*githubLimit {
		t.Fatalf("the unlimited comment is only %d characters: the test proves nothing", len(full))
	}
	md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit, PlanFile: "plan.out"})
	t.Logf("2,000 resources: %d characters unlimited, %d within the budget", len(full), len(md))
	if len(md) > DefaultMarkdownLimit || len(md) >= githubLimit {
		t.Errorf("the comment is %d characters, over the budget of %d", len(md), DefaultMarkdownLimit)
	}
	if !strings.Contains(md, "**Plan:** 2000 to add, 0 to change, 0 to destroy.") {
		t.Error("the summary is not exact")
	}
	namesEveryAddress(t, md, p)
	wellFormed(t, md)
	last := lastLine(md)
	for _, want := range []string{"**Left out to fit 65000 characters:**", "the reasons for the changes", "of 2000 changes (the biggest first)", "<code>slipway show plan.out</code>", "<code>slipway show -html plan.out &gt; plan.html</code>"} {
		if !strings.Contains(last, want) {
			t.Errorf("the last line lacks %q:\n%s", want, last)
		}
	}
	if strings.Contains(last, "addresses of") {
		t.Errorf("the last line says addresses were left out, but all fit:\n%s", last)
	}
}

// TestMarkdownFitsRealisticPlan fits the plan of a realistic pull request:
// the table with reasons stays, and diffs go biggest first.
func TestMarkdownFitsRealisticPlan(t *testing.T) {
	t.Parallel()
	p := realisticPlan()
	full := renderComment(p, MarkdownOptions{})
	if len(full) < 3*githubLimit {
		t.Fatalf("the unlimited comment is only %d characters: the test proves nothing", len(full))
	}
	md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit})
	t.Logf("%d changes: %d characters unlimited, %d within the budget", len(changed(p.Changes)), len(full), len(md))
	if len(md) > DefaultMarkdownLimit {
		t.Errorf("the comment is %d characters, over the budget", len(md))
	}
	if !strings.Contains(md, "**Plan:** 10 pipelines to run, 11 to add, 480 to change, 6 to destroy.") {
		t.Errorf("the summary is not exact:\n%s", md[:min(len(md), 600)])
	}
	if !strings.Contains(md, "| Action | Address | Reason |") || !strings.Contains(md, "source.git.api moved 1a2b3c4 -&#62; 9f8e7d6") {
		t.Error("the table with its reasons did not stay, though it fits")
	}
	namesEveryAddress(t, md, p)
	wellFormed(t, md)

	// What stayed is smaller than what went.
	c := composeMarkdown(p, MarkdownOptions{Limit: DefaultMarkdownLimit})
	c.fit(MarkdownOptions{Limit: DefaultMarkdownLimit})
	kept, dropped := 0, 0
	biggestKept, smallestDropped := 0, 1<<30
	for _, b := range c.blocks() {
		if b.dropped {
			dropped++
			smallestDropped = min(smallestDropped, len(b.text))
		} else {
			kept++
			biggestKept = max(biggestKept, len(b.text))
			if !strings.Contains(md, b.text) {
				t.Error("a kept diff is not in the comment whole")
			}
		}
	}
	if kept == 0 || dropped == 0 {
		t.Fatalf("%d diffs kept, %d left out: the budget did not bite as the test needs", kept, dropped)
	}
	if biggestKept > smallestDropped {
		t.Errorf("a diff of %d characters stayed while one of %d went: the biggest must go first", biggestKept, smallestDropped)
	}
	last := lastLine(md)
	want := fmt.Sprintf("the diffs of %d of %d changes (the biggest first)", dropped-boolInt(c.drift.dropped)-boolInt(c.outputs.dropped), len(c.diffs))
	if !strings.Contains(last, want) || !strings.Contains(last, "<code>slipway plan -out=PLANFILE</code>") {
		t.Errorf("the last line does not say %q and where the full plan is:\n%s", want, last)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestMarkdownSaysWhenAddressesDoNotFit: when not even the compact list
// fits, the comment stays within the limit, its counts stay exact, and
// its last line says how many addresses it does not name.
func TestMarkdownSaysWhenAddressesDoNotFit(t *testing.T) {
	t.Parallel()
	var cs []*plans.ResourceChange
	for i := range 2000 {
		cs = append(cs, &plans.ResourceChange{
			Addr:     managed("kubernetes_manifest", "platform", addrs.StringKey(fmt.Sprintf("%04d-%s", i, strings.Repeat("long-name-", 6)))),
			Provider: k8sProvider, Type: "kubernetes_manifest", Action: plans.Delete, Reason: plans.ReasonRemoved,
			Before: obj(map[string]cty.Value{"name": str("x")}), After: cty.NullVal(cty.DynamicPseudoType),
		})
	}
	p := plan(cs...)
	md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit})
	if len(md) > DefaultMarkdownLimit {
		t.Errorf("the comment is %d characters, over the budget", len(md))
	}
	if !strings.Contains(md, "**Plan:** 0 to add, 0 to change, 2000 to destroy.") {
		t.Error("the summary is not exact")
	}
	wellFormed(t, md)
	listed := strings.Count(md, "\n  - kubernetes_manifest.platform[")
	m := regexp.MustCompile(`the addresses of (\d+) of 2000 changes`).FindStringSubmatch(lastLine(md))
	if m == nil {
		t.Fatalf("the last line does not say addresses were left out:\n%s", lastLine(md))
	}
	if listed == 0 || m[1] != itoa(2000-listed) {
		t.Errorf("%d addresses listed, the last line says %s left out", listed, m[1])
	}
}

// TestMarkdownListsDestroysFirst: when not even the list of addresses
// fits, addresses are left out from its end; a pull request adding many
// objects whose addresses sort before a delete must not push the delete
// out of the comment.
func TestMarkdownListsDestroysFirst(t *testing.T) {
	t.Parallel()
	var cs []*plans.ResourceChange
	for i := range 2000 {
		cs = append(cs, &plans.ResourceChange{
			Addr:     managed("kubernetes_manifest", "a", addrs.StringKey(fmt.Sprintf("%04d-%s", i, strings.Repeat("long-name-", 6)))),
			Provider: k8sProvider, Type: "kubernetes_manifest", Action: plans.Create, Reason: plans.ReasonNew,
			Before: cty.NullVal(cty.DynamicPseudoType), After: obj(map[string]cty.Value{"name": str("x")}),
		})
	}
	for _, name := range []string{"zz_database", "zz_volume"} {
		action := plans.Delete
		if name == "zz_volume" {
			action = plans.DeleteThenCreate
		}
		cs = append(cs, &plans.ResourceChange{
			Addr:     managed("kubernetes_manifest", name, addrs.NoKey),
			Provider: k8sProvider, Type: "kubernetes_manifest", Action: action, Reason: plans.ReasonRemoved,
			Before: obj(map[string]cty.Value{"name": str("x")}), After: cty.NullVal(cty.DynamicPseudoType),
		})
	}
	md := renderComment(plan(cs...), MarkdownOptions{Limit: DefaultMarkdownLimit})
	if !strings.Contains(lastLine(md), "the addresses of") {
		t.Fatalf("the list fits whole; the test needs it cut:\n%s", lastLine(md))
	}
	for _, addr := range []string{"kubernetes_manifest.zz_database", "kubernetes_manifest.zz_volume"} {
		if !strings.Contains(md, " "+addr+"\n") {
			t.Errorf("the change of %s, which destroys an object, is not among the addresses listed", addr)
		}
	}
}

// TestMarkdownUnderTheLimitIsWhole: a comment that fits is the same with
// and without a limit, and has no last line of what was left out.
func TestMarkdownUnderTheLimitIsWhole(t *testing.T) {
	t.Parallel()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			full := renderComment(mk(), MarkdownOptions{})
			if got := renderComment(mk(), MarkdownOptions{Limit: DefaultMarkdownLimit}); got != full {
				t.Errorf("the limited comment differs though it fits:\n%s", got)
			}
			if strings.Contains(full, "Left out") {
				t.Error("a whole comment says something was left out")
			}
		})
	}
}

// TestMarkdownWithinEveryLimit fits the realistic plan to limits from the
// smallest up: it never goes over, and never cuts a fold or fence.
func TestMarkdownWithinEveryLimit(t *testing.T) {
	t.Parallel()
	p := realisticPlan()
	for _, limit := range []int{MinMarkdownLimit, 2000, 5000, 20000, 40000, 100000, 200000} {
		md := renderComment(p, MarkdownOptions{Limit: limit, PlanFile: "p"})
		if len(md) > limit {
			t.Errorf("limit %d: the comment is %d characters", limit, len(md))
		}
		wellFormed(t, md)
		if !strings.Contains(md, "**Plan:** 10 pipelines to run, 11 to add, 480 to change, 6 to destroy.") {
			t.Errorf("limit %d: the summary is gone", limit)
		}
	}
	// A limit below the least a comment needs is taken as that least.
	if md := renderComment(p, MarkdownOptions{Limit: 10}); len(md) > MinMarkdownLimit {
		t.Errorf("limit 10: the comment is %d characters, over %d", len(md), MinMarkdownLimit)
	}
}

const badConfig = `resource "file" "a" {
  path   = "a.txt"
  conten = "x"
}
`

func badDiagnostics(t *testing.T) (hcl.Diagnostics, map[string]*hcl.File) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(badConfig), "main.slip.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body := f.Body.(*hclsyntax.Body)
	attr := body.Blocks[0].Body.Attributes["conten"]
	rng := attr.NameRange
	return hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: `An argument named "conten" is not expected here. Did you mean "content"?`, Subject: &rng},
		{Severity: hcl.DiagError, Summary: "Provider failed", Detail: "file: cannot write <out/a.txt>: *permission* denied\n\nCheck the directory's mode."},
	}, map[string]*hcl.File{"main.slip.hcl": f}
}

// TestMarkdownRendersErrors: a failed plan's comment holds each error's
// summary, place, source and detail, and never says there are no
// changes.
func TestMarkdownRendersErrors(t *testing.T) {
	t.Parallel()
	diags, files := badDiagnostics(t)
	for name, p := range map[string]*plans.Plan{"errored plan": erroredEmptyPlan(), "no plan": nil, "errored with changes": erroredPlan()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit, Diagnostics: diags, Files: files})
			for _, want := range []string{
				"**Planning failed.**",
				"**Error:** Unsupported argument\n\nOn <code>main.slip.hcl:3:3</code>, in <code>resource &#34;file&#34; &#34;a&#34;</code>:\n\n```hcl\n   3:   conten = \"x\"\n```\n\n",
				"An argument named \"conten\" is not expected here. Did you mean \"content\"?",
				"**Error:** Provider failed\n\nfile: cannot write &lt;out/a.txt&gt;: \\*permission\\* denied\n\nCheck the directory's mode.\n",
			} {
				if !strings.Contains(md, want) {
					t.Errorf("the comment lacks %q:\n%s", want, md)
				}
			}
			if strings.Contains(md, "No changes") {
				t.Errorf("a failed plan says there are no changes:\n%s", md)
			}
		})
	}
}

// TestMarkdownCapsManyErrors: a thousand errors do not push the comment
// over its limit; the last line says how many are not shown.
func TestMarkdownCapsManyErrors(t *testing.T) {
	t.Parallel()
	var diags hcl.Diagnostics
	for i := range 1000 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value", Detail: fmt.Sprintf("error number %d: %s", i, strings.Repeat("why ", 30))})
	}
	md := renderComment(erroredPlan(), MarkdownOptions{Limit: 20000, Diagnostics: diags})
	if len(md) > 20000 {
		t.Errorf("the comment is %d characters", len(md))
	}
	shown := strings.Count(md, "**Error:**")
	if shown == 0 || !strings.Contains(lastLine(md), " "+itoa(1000-shown)+" of 1000 errors. ") {
		t.Errorf("%d errors shown; the last line does not say the rest are left out:\n%s", shown, lastLine(md))
	}
	namesEveryAddress(t, md, erroredPlan())
}

// denialAfterWarnings are the diagnostics of a pull request that draws
// many warnings and a policy's denial, which plan appends last: the
// given number of warnings (a provider's, one per manifest, of about 110
// characters each, and detail), then the denial.
func denialAfterWarnings(warnings int, detail string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range warnings {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Deprecated API", Detail: fmt.Sprintf("apps/v1 Deployment team/service-%03d uses a deprecated API version; move it to the new one.", i) + detail})
	}
	return append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagError, Summary: `Denied by policy "keep_kept"`,
		Detail: "files under keep/ are never deleted\n\nChanges:\n  delete file.d\n\nPolicy \"keep_kept\" denies this plan.",
	})
}

// TestMarkdownDropsWarningsBeforeErrors: warnings that do not fit go
// before any error, so a policy's denial after a flood of warnings (a
// warning for each of 400 manifests, or one huge warning) stays in the
// comment, and the last line counts the warnings left out.
func TestMarkdownDropsWarningsBeforeErrors(t *testing.T) {
	t.Parallel()
	p := plan(fileChanges(400, 200)...)
	for _, tc := range []struct {
		name     string
		diags    hcl.Diagnostics
		warnings int
	}{
		{"400 warnings", denialAfterWarnings(400, ""), 400},
		{"one huge warning", denialAfterWarnings(1, strings.Repeat(" And more.", 5000)), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if n := len(strings.Join(markdownDiagnostics(tc.diags, nil), "")); n <= DefaultMarkdownLimit/2 {
				t.Fatalf("the diagnostics are only %d characters: the test proves nothing", n)
			}
			md := renderComment(p, MarkdownOptions{Limit: DefaultMarkdownLimit, Diagnostics: tc.diags})
			if len(md) > DefaultMarkdownLimit {
				t.Errorf("the comment is %d characters, over the budget", len(md))
			}
			if !strings.Contains(md, "**Error:** Denied by policy \"keep\\_kept\"\n\nfiles under keep/ are never deleted") {
				t.Errorf("the policy's denial was left out of the comment:\n%s", lastLine(md))
			}
			shown := strings.Count(md, "**Warning:**")
			last := lastLine(md)
			want := fmt.Sprintf(" %d of %d %s. The full plan", tc.warnings-shown, tc.warnings, plural(tc.warnings, "warning", "warnings"))
			if shown == tc.warnings || !strings.Contains(last, want) {
				t.Errorf("%d of %d warnings shown; the last line does not say %q:\n%s", shown, tc.warnings, want, last)
			}
			if strings.Contains(last, "error") {
				t.Errorf("the last line says errors were left out, but none was:\n%s", last)
			}
			namesEveryAddress(t, md, p)
			wellFormed(t, md)
		})
	}
}

// TestMarkdownCountsErrorsAndWarningsApart: when even the errors do not
// all fit, every warning goes first, and the last line counts each.
func TestMarkdownCountsErrorsAndWarningsApart(t *testing.T) {
	t.Parallel()
	var diags hcl.Diagnostics
	for i := range 300 {
		sev := hcl.DiagWarning
		if i%3 == 0 {
			sev = hcl.DiagError
		}
		diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: "Invalid value", Detail: fmt.Sprintf("number %d: %s", i, strings.Repeat("why ", 30))})
	}
	md := renderComment(erroredPlan(), MarkdownOptions{Limit: 20000, Diagnostics: diags})
	if len(md) > 20000 {
		t.Errorf("the comment is %d characters", len(md))
	}
	errs, warns := strings.Count(md, "**Error:**"), strings.Count(md, "**Warning:**")
	if errs == 0 || warns != 0 {
		t.Errorf("%d errors and %d warnings shown: the warnings must go before any error", errs, warns)
	}
	if want := ":** " + itoa(100-errs) + " of 100 errors; 200 of 200 warnings. "; !strings.Contains(lastLine(md), want) {
		t.Errorf("the last line does not say %q:\n%s", want, lastLine(md))
	}
	// The errors kept are the first ones, in order.
	if !strings.Contains(md, "number 0: ") || strings.Contains(md, "number 297: ") {
		t.Error("the errors kept are not the first ones")
	}
}

// TestMarkdownCutsWhatCannotBeLeftOut: when even the parts that are never
// left out (here a long list of interrupted changes and a long partial
// warning) are over the limit, the comment is cut at a line, closes what
// it opened, and says so.
func TestMarkdownCutsWhatCannotBeLeftOut(t *testing.T) {
	t.Parallel()
	p := realisticPlan()
	for i := range 200 {
		p.Interrupted = append(p.Interrupted, &plans.Interrupted{ID: itoa(i), Addr: managed("file", "f", addrs.IntKey(i)), Action: plans.Create, Outcome: plans.InterruptedAdopted})
	}
	for i := range 20 {
		p.Targets = append(p.Targets, fmt.Sprintf("app.web[%q]", strings.Repeat("x", 40)+itoa(i)))
	}
	for _, limit := range []int{MinMarkdownLimit, 3000, 10000} {
		md := renderComment(p, MarkdownOptions{Limit: limit, PlanFile: "p"})
		if len(md) > limit {
			t.Errorf("limit %d: the comment is %d characters", limit, len(md))
		}
		wellFormed(t, md)
		if !strings.Contains(lastLine(md), "the end of this comment, which did not fit even so") {
			t.Errorf("limit %d: the last line does not say the comment was cut:\n%s", limit, lastLine(md))
		}
	}
	// Within a budget that holds them, nothing is cut.
	if md := renderComment(p, MarkdownOptions{Limit: 40000}); strings.Contains(md, "did not fit even so") {
		t.Errorf("cut though the fixed parts fit:\n%s", lastLine(md))
	}
}

// TestMarkdownPlanLineOfNoObjects: a plan that changes no object says
// what applying it does: its outputs change, or it records what reading
// back an interrupted apply's changes found. Neither is "only output
// values change" when no output changes.
func TestMarkdownPlanLineOfNoObjects(t *testing.T) {
	t.Parallel()
	interrupted := func(p *plans.Plan) *plans.Plan {
		p.Interrupted = []*plans.Interrupted{{ID: "1", Addr: managed("file", "a", addrs.NoKey), Action: plans.Create, Outcome: plans.InterruptedAdopted}}
		return p
	}
	for _, tc := range []struct {
		name string
		p    *plans.Plan
		want string
	}{
		{"outputs", outputsOnlyPlan(), "**Plan:** only output values change."},
		{"interrupted", interrupted(noChangesPlan()), "**Plan:** no objects change; applying it records what the interrupted changes were found to be."},
		{"both", interrupted(outputsOnlyPlan()), "**Plan:** no objects change; output values change, and applying it records what the interrupted changes were found to be."},
	} {
		md := renderComment(tc.p, MarkdownOptions{Limit: githubLimit})
		if !strings.Contains(md, tc.want) {
			t.Errorf("%s: the comment does not say %q:\n%s", tc.name, tc.want, md)
		}
	}
}

// hostileMarkdown are values a pull request could hold (a for_each key, a
// reason, a file name), each of which GitHub would show as a link, an
// image, a mention, markup, a table column or math if the comment let it
// through as Markdown.
var hostileMarkdown = []string{
	`[Approve this PR](https://evil.example/x)`,
	`![](https://evil.example/p.gif)`,
	`@acme/oncall please approve`,
	`a"b`,
	`a\"b\c`,
	"`code` *em* _em_ ~~gone~~ | a cell | $x^2$",
	`<img src=x> &amp; &#64;acme \&#34;`,
	"see https://evil.example/bare",
}

// outsideFences is md without its fenced blocks, which show values as
// they are and need no escaping: what remains is parsed as Markdown.
func outsideFences(md string) string {
	var b strings.Builder
	fence := ""
	for _, l := range strings.SplitAfter(md, "\n") {
		f, _ := foldsAfter(fence, 0, strings.TrimRight(l, "\n"))
		if fence == "" && f == "" {
			b.WriteString(l)
		}
		fence = f
	}
	return b.String()
}

// The comment shows every address and reason from the repository as
// text: GitHub parses Markdown inside <code> and table cells, so none may
// hold a link, an image, a mention or a column of its own, and each must
// read back as the value it is.
func TestMarkdownHostileAddresses(t *testing.T) {
	t.Parallel()
	p := plan()
	for i, h := range hostileMarkdown {
		addr := managed("file", "h", addrs.StringKey(h))
		p.Changes = append(p.Changes, &plans.ResourceChange{
			Addr: addr, Provider: fileProvider, Type: "file", Action: plans.Create, Reason: plans.ReasonNew,
			ReasonDetail: "cc " + h,
			Before:       cty.NullVal(cty.DynamicPseudoType),
			After:        obj(map[string]cty.Value{"content": str(h)}),
		})
		p.Interrupted = append(p.Interrupted, &plans.Interrupted{ID: itoa(i), Addr: addr, Action: plans.Create, Outcome: plans.InterruptedAdopted})
		p.NotPlanned = append(p.NotPlanned, addr.String())
		p.LocalSources = append(p.LocalSources, plans.LocalSource{Addr: "source.git." + h, Dir: "../" + h, Revision: h})
	}
	p.Workspace = hostileMarkdown[0]
	p.Offline = true
	rng := hcl.Range{Filename: hostileMarkdown[0] + ".slip.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2}}
	diags := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: hostileMarkdown[2], Detail: strings.Join(hostileMarkdown, "\n"), Subject: &rng}}
	md := renderComment(p, MarkdownOptions{Diagnostics: diags})
	text := outsideFences(md)
	// A character reference after a backslash (an odd number of them) is
	// not one: "\&#34;" shows as &#34;, not as a quote.
	if i := regexp.MustCompile(`(^|[^\\])(\\\\)*\\&`).FindStringIndex(text); i != nil {
		t.Errorf("the comment escapes a character reference, at %q", around(text, i[0]))
	}
	// What a backslash escapes is taken literally; what is left must hold
	// no syntax.
	unescaped := regexp.MustCompile(`\\[[:punct:]]`).ReplaceAllString(text, "")
	for _, bad := range []string{"](", "![", "[", "<img", "$", "~"} {
		if i := strings.Index(unescaped, bad); i >= 0 {
			t.Errorf("the comment holds %q outside code blocks, at %q", bad, around(unescaped, i))
		}
	}
	for _, code := range regexp.MustCompile(`<code>.*?</code>`).FindAllString(text, -1) {
		if strings.Contains(code, "://") {
			t.Errorf("a URL in code is linked: %s", code)
		}
	}
	if n, safe := strings.Count(text, "@"), strings.Count(text, "@&#8203;"); n != safe {
		t.Errorf("%d of the comment's %d @ can mention:\n%s", n-safe, n, text)
	}

	// Each row has its three cells, and its address and reason read as
	// they are (the reason with a zero-width space after its @).
	row := regexp.MustCompile(`(?m)^\| ` + "`\\+`" + ` create \| <code>([^|]*)</code> \| ([^|]*) \|$`)
	rows := row.FindAllStringSubmatch(text, -1)
	if len(rows) != len(hostileMarkdown) {
		t.Fatalf("the table has %d rows of three cells, want %d:\n%s", len(rows), len(hostileMarkdown), text)
	}
	for i, r := range rows {
		c := changed(p.Changes)[i]
		if got := html.UnescapeString(r[1]); got != c.Addr.String() {
			t.Errorf("the address %s reads as %s", c.Addr, got)
		}
		if got := strings.ReplaceAll(html.UnescapeString(r[2]), "@\u200b", "@"); got != c.ReasonDetail {
			t.Errorf("the reason %q reads as %q", c.ReasonDetail, got)
		}
	}
}

// Free text (a policy's message, an error's detail, a rollout's words)
// mentions no one, and none of its lines can make itself a heading, a
// list or a rule under the plan's own lines.
func TestMarkdownTextCannotForge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"ask @acme/oncall", "ask @&#8203;acme/oncall"},
		{"@octocat", "@&#8203;octocat"},
		{"===", `\===`},
		{"---", `\---`},
		{"- No changes.", `\- No changes.`},
		{"+ item", `\+ item`},
		{"# No changes.", `\# No changes.`},
		{"1. first", `1\. first`},
		{"12) twelfth", `12\) twelfth`},
		{"2026", "2026"},
		{"a - b = c", "a - b = c"},
		{"a | b", "a &#124; b"},
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	detail := "Denied; ask @acme/oncall.\n**No changes.** Your infrastructure matches the configuration.\n===\n- nothing to review\n+ approved\n# No changes.\n1. merge\n\n2) merge now\n---"
	diags := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Policy @acme/oncall denied the plan", Detail: detail}}
	md := renderComment(erroredPlan(), MarkdownOptions{Diagnostics: diags})
	start := strings.Index(md, "**Error:**")
	if start < 0 {
		t.Fatalf("no error in the comment:\n%s", md)
	}
	part := md[start:]
	part = part[:strings.Index(part, "| Action |")]
	forged := regexp.MustCompile(`^(=|-|\+|#|\d+[.)]|\*\*No)`)
	for _, l := range strings.Split(part, "\n") {
		if forged.MatchString(l) {
			t.Errorf("a line of the error's detail starts Markdown: %q", l)
		}
	}
	if n, safe := strings.Count(part, "@"), strings.Count(part, "@&#8203;"); n == 0 || n != safe {
		t.Errorf("%d of the error's %d @ can mention:\n%s", n-safe, n, part)
	}
	if strings.Count(md, "No changes") != 2 {
		t.Errorf("the comment says \"No changes\" outside the error's words:\n%s", md)
	}
}
