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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestNestingRefusedBeforeParsing checks that text nested deeper than
// the limit is refused with the place where the limit was passed, where
// parsing it could overflow the stack.
func TestNestingRefusedBeforeParsing(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	for _, c := range []struct {
		name, src string
		syn       syntax
		summary   string
		line, col int
	}{
		{"100,000 parentheses", "a = " + deep("(", ")", 100000) + "\n", nativeSyntax, "Nesting too deep", 1, 5 + 200},
		{"brackets on the second line", "# x\n b = " + deep("[", "]", 300) + "\n", nativeSyntax, "Nesting too deep", 2, 6 + 200},
		{"braces", "a = " + deep("{x=", "}", 300) + "\n", nativeSyntax, "Nesting too deep", 1, 5 + 3*200},
		{"interpolations", "a = " + deep(`"${`, `}"`, 300) + "\n", nativeSyntax, "Nesting too deep", 1, 5 + 3*100},
		{"blocks", strings.Repeat("b {\n", 300) + strings.Repeat("}\n", 300), nativeSyntax, "Nesting too deep", 201, 3},
		{"heredoc interpolations", "a = <<EOT\n" + deep("${(", ")}", 150) + "\nEOT\n", nativeSyntax, "Nesting too deep", 2, 3*99 + 3}, // the heredoc is a level
		{"template directives", strings.Repeat("%{ if true }x", 300), templateSyntax, "Nesting too deep", 1, 13*199 + 1},
		{"unary operators", "a = " + strings.Repeat("!", 100000) + "true\n", nativeSyntax, "Expression too long", 1, 4 + 10000}, // = counts
		{"binary operators", "a = 1" + strings.Repeat("+1", 100000) + "\n", nativeSyntax, "Expression too long", 1, 4 + 2*10000},
		{"conditionals", "a = " + strings.Repeat("true ? 1 : ", 100000) + "2\n", nativeSyntax, "Expression too long", 1, 5 + 11*9999 + 5},
		{"JSON arrays", `{"a": ` + deep("[", "]", 300) + "}", jsonSyntax, "Nesting too deep", 1, 7 + 199},
		{"JSON string templates", `{"a": "` + deep("${(", ")}", 150) + `"}`, jsonSyntax, "Nesting too deep", 1, 7},
		{"-var value", deep("[", "]", 100000), nativeSyntax, "Nesting too deep", 1, 201},
	} {
		t.Run(c.name, func(t *testing.T) {
			diags := checkNesting([]byte(c.src), "f", c.syn)
			if len(diags) != 1 || diags[0].Summary != c.summary {
				t.Fatalf("got %v, want one %q", diags, c.summary)
			}
			d := diags[0]
			if d.Subject == nil || d.Subject.Start.Line != c.line || d.Subject.Start.Column != c.col || d.Subject.Filename != "f" {
				t.Errorf("subject %v, want f:%d,%d", d.Subject, c.line, c.col)
			}
			if !strings.Contains(d.Detail, MaxNestingEnv) {
				t.Errorf("the detail does not say how to change the limit: %s", d.Detail)
			}
		})
	}
}

// TestNestingIgnoresStringsAndComments checks that brackets in strings,
// comments, heredocs and template text are not counted, and that what is
// accepted parses.
func TestNestingIgnoresStringsAndComments(t *testing.T) {
	many := strings.Repeat("(", 1000)
	for _, c := range []struct {
		name, src string
		syn       syntax
	}{
		{"quoted", `a = "` + many + `"` + "\n", nativeSyntax},
		{"escaped quotes", `a = "\"` + many + `\""` + "\n", nativeSyntax},
		{"line comments", "# " + many + "\n// " + many + "\na = 1\n", nativeSyntax},
		{"block comment", "/* " + many + " */\na = 1\n", nativeSyntax},
		{"heredoc", "a = <<-EOT\n  " + many + "\n  EOT\nb = 1\n", nativeSyntax},
		{"literal interpolation", `a = "$${` + many + `"` + "\n", nativeSyntax},
		{"template text", many + " ${1} %{ if true }x%{ endif }", templateSyntax},
		{"JSON strings", `{"a": "` + many + `"}`, jsonSyntax},
		{"many short expressions", strings.Repeat("a = 1 + 2 - 3\n", 20000), nativeSyntax},
		{"many elements", "a = [" + strings.Repeat("-1, ", 20000) + "]\n", nativeSyntax},
		{"dashed names", "a = {" + strings.Repeat("\n  my-long-name = x-y-z", 20000) + "\n}\n", nativeSyntax},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diags := checkNesting([]byte(c.src), "f", c.syn); diags.HasErrors() {
				t.Fatalf("refused: %v", diags)
			}
		})
	}
}

func TestNestingLimitFromEnvironment(t *testing.T) {
	src := []byte("a = " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n")
	t.Setenv(MaxNestingEnv, "400")
	if diags := CheckNesting(src, "f.slip.hcl"); diags.HasErrors() {
		t.Fatalf("refused under a limit of 400: %v", diags)
	}
	t.Setenv(MaxNestingEnv, "100")
	if diags := CheckNesting(src, "f.slip.hcl"); len(diags) != 1 || diags[0].Subject.Start.Column != 5+100 {
		t.Fatalf("under a limit of 100: %v", diags)
	}
	for _, bad := range []string{"x", "0", "-1", "2001"} {
		t.Setenv(MaxNestingEnv, bad)
		diags := CheckNesting(src, "f.slip.hcl")
		if len(diags) != 1 || diags[0].Summary != "Invalid "+MaxNestingEnv {
			t.Fatalf("%s=%s: %v", MaxNestingEnv, bad, diags)
		}
	}
}

// TestNestingAcceptsEveryExample checks that no configuration of the
// repository comes near the limit.
func TestNestingAcceptsEveryExample(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/*/*.slip.hcl", "../examples/*/*.slip.hcl", "../examples/*/*/*.slip.hcl", "../cmd/slipway/testdata/*/*.slip.hcl"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d configuration files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if diags := CheckNesting(src, f); diags.HasErrors() {
			t.Errorf("%s: %v", f, diags)
		}
	}
}

// TestLoadDirRefusesDeepNesting checks the limit where configuration,
// variable files, -var values, fmt and templatefile meet it.
func TestLoadDirRefusesDeepNesting(t *testing.T) {
	deep := "(" + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + ")"
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.slip.hcl", "variable \"v\" {\n  type = list(number)\n}\nlocals {\n  x = "+deep+"\n}\n")
	_, diags := LoadDir(dir)
	if len(diags) != 1 || diags[0].Summary != "Nesting too deep" || diags[0].Subject.Start.Line != 5 {
		t.Fatalf("LoadDir: %v", diags)
	}

	write("main.slip.hcl", "variable \"v\" {\n  type = list(number)\n}\n")
	write("deep.slipvars", "v = "+deep+"\n")
	cfg, diags := LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, diags = LoadVariableValues(cfg, VarOptions{VarFiles: []string{filepath.Join(dir, "deep.slipvars")}})
	if !hasSummary(diags, "Nesting too deep") {
		t.Fatalf("-var-file: %v", diags)
	}
	_, diags = LoadVariableValues(cfg, VarOptions{CLIVars: []string{"v=" + deep}})
	if !hasSummary(diags, "Nesting too deep") {
		t.Fatalf("-var: %v", diags)
	}
	_, diags = LoadVariableValues(cfg, VarOptions{Env: []string{"SLIPWAY_VAR_v=" + deep}})
	if !hasSummary(diags, "Nesting too deep") {
		t.Fatalf("environment: %v", diags)
	}

	if _, diags := Format([]byte("a = " + deep + "\n")); !hasSummary(diags, "Nesting too deep") {
		t.Fatalf("Format: %v", diags)
	}

	write("deep.tmpl", "${"+deep+"}")
	expr, _ := hclsyntax.ParseExpression([]byte(`templatefile("deep.tmpl", {})`), "x", hcl.InitialPos)
	_, diags = expr.Value(&hcl.EvalContext{Functions: Functions(dir)})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nesting too deep") {
		t.Fatalf("templatefile: %v", diags)
	}
}

func hasSummary(diags hcl.Diagnostics, summary string) bool {
	for _, d := range diags {
		if d.Summary == summary {
			return true
		}
	}
	return false
}
