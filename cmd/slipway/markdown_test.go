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

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A 2,000-resource plan's comment, made as a user makes it: under
// GitHub's 65,536 characters, every address named with its action, the
// counts exact, and the last line pointing to the saved plan; show
// -markdown of that plan gives the same comment.
func TestMarkdownCommentOfTwoThousandResources(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "f" {
  count   = 2000
  path    = "out/file-${count.index}.txt"
  content = "${count.index}\n"
}
`})
	cmd := slipway(dir, "plan", "-markdown", "-out=big.plan", "-detailed-exitcode")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if code := exitCode(cmd.Run()); code != 2 {
		t.Fatalf("plan exited %d, want 2:\n%s", code, stderr.String())
	}
	md := stdout.String()
	t.Logf("the comment of 2,000 resources is %d characters", len(md))
	if len(md) > 65000 {
		t.Errorf("the comment is %d characters, over the default limit of 65,000", len(md))
	}
	if !strings.Contains(md, "\n**Plan:** 2000 to add, 0 to change, 0 to destroy.\n") {
		t.Error("the comment's summary is not exact")
	}
	for i := range 2000 {
		if !strings.Contains(md, fmt.Sprintf("\n  + file.f[%d]\n", i)) {
			t.Fatalf("the comment does not name file.f[%d] with its action", i)
		}
	}
	lines := strings.Split(strings.TrimRight(md, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "**Left out to fit 65000 characters:**") || !strings.Contains(last, "<code>slipway show big.plan</code>") || strings.Contains(last, "addresses of") {
		t.Errorf("the last line does not say what was left out and where the plan is:\n%s", last)
	}
	if strings.Contains(md, "Saved the plan") || !strings.Contains(stderr.String(), "Saved the plan to: big.plan") {
		t.Error("the note about the saved plan is not on standard error alone")
	}

	shown, err := slipway(dir, "show", "-markdown", "big.plan").Output()
	if err != nil {
		t.Fatalf("show -markdown: %v", err)
	}
	if string(shown) != md {
		t.Error("show -markdown of the saved plan differs from the comment plan made")
	}
}

// A pull request that draws a flood of warnings (one for each of 400
// warn policies, in the configuration) and a denial (a central policy of
// a -policy directory, checked last): at the default limit the comment
// says in its head that the plan is denied, keeps the denial's error,
// and its last line counts the warnings it left out.
func TestMarkdownCommentOfDeniedPlanWithManyWarnings(t *testing.T) {
	t.Parallel()
	var cfg strings.Builder
	cfg.WriteString(`
resource "file" "f" {
  count   = 40
  path    = "out/file-${count.index}.txt"
  content = "${count.index}\n"
}
`)
	for i := range 400 {
		fmt.Fprintf(&cfg, "\npolicy \"review_%03d\" {\n  warn    = \"plan.summary.add > 0\"\n  message = \"new files need a look from team %03d\"\n}\n", i, i)
	}
	dir := workdir(t, map[string]string{"main.slip.hcl": cfg.String()})
	if err := os.Mkdir(filepath.Join(dir, "central"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "central", "central.slip.hcl"), []byte(`
policy "no_new_files" {
  deny    = "plan.changes.exists(c, c.action == 'create')"
  message = "new files are decided centrally"
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := slipway(dir, "plan", "-markdown", "-out=denied.plan", "-policy=central")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if code := exitCode(cmd.Run()); code != 3 {
		t.Fatalf("plan exited %d, want 3 (denied):\n%s", code, stderr.String())
	}
	md := stdout.String()
	t.Logf("the comment is %d characters", len(md))
	if len(md) > 65000 {
		t.Errorf("the comment is %d characters, over the default limit of 65,000", len(md))
	}
	head, _, ok := strings.Cut(md, "\n**Plan:** 40 to add, 0 to change, 0 to destroy.\n")
	if !ok {
		t.Fatalf("the comment's summary is missing or not exact:\n%s", md[:min(len(md), 2000)])
	}
	for _, want := range []string{
		"\n> [!CAUTION]\n> **Denied by policy:** 1 rule; slipway apply refuses this plan, and each rule's error says why.\n> Denied by <code>no&#95;new&#95;files</code>.\n",
		"\n> **Policy warnings:** 400 rules.\n> Warned by <code>review&#95;000</code>, ",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("the comment's head does not say %q:\n%s", want, head)
		}
	}
	if !strings.Contains(md, "\n**Error:** Denied by policy \"no\\_new\\_files\"\n") || !strings.Contains(md, "new files are decided centrally") {
		t.Error("the denial's error was left out of the comment")
	}
	lines := strings.Split(strings.TrimRight(md, "\n"), "\n")
	last := lines[len(lines)-1]
	shown := strings.Count(md, "\n**Warning:** ")
	if want := fmt.Sprintf(" %d of 400 warnings. ", 400-shown); shown == 400 || !strings.Contains(last, want) {
		t.Errorf("%d warnings shown; the last line does not say %q:\n%s", shown, want, last)
	}
	if strings.Contains(last, " errors") {
		t.Errorf("the last line says errors were left out:\n%s", last)
	}
}
