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
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestWriteDiagnostics(t *testing.T) {
	t.Parallel()
	src := "resource \"file\" \"a\" {\n  contnet = \"x\"\n}\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.slip.hcl": src})
	cfg, _ := LoadDir(dir)
	path := filepath.Join(dir, "main.slip.hcl")
	file := cfg.Files[path]
	subject := &hcl.Range{Filename: path, Start: hcl.Pos{Line: 2, Column: 3, Byte: 24}, End: hcl.Pos{Line: 2, Column: 10, Byte: 31}}
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: `An argument named "contnet" is not expected here. Did you mean "content"?`, Subject: subject},
		{Severity: hcl.DiagWarning, Summary: "Deprecated", Detail: "Use something else."},
	}
	tests := map[string]struct {
		color bool
		want  string
	}{
		"plain": {want: `Error: Unsupported argument

  on ` + path + `:2,3-10, in resource "file" "a":
   2:   contnet = "x"

An argument named "contnet" is not expected here. Did you mean "content"?

Warning: Deprecated

Use something else.

`},
		"color": {color: true, want: "\x1b[1;31mError:\x1b[0m \x1b[1mUnsupported argument\x1b[0m\n\n  on " + path + ":2,3-10, in resource \"file\" \"a\":\n   2:   \x1b[4mcontnet\x1b[0m = \"x\"\n\n" +
			"An argument named \"contnet\" is not expected here. Did you mean \"content\"?\n\n\x1b[1;33mWarning:\x1b[0m \x1b[1mDeprecated\x1b[0m\n\nUse something else.\n\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			WriteDiagnostics(&buf, map[string]*hcl.File{path: file}, diags, tt.color)
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteDiagnosticsLocation checks the location line of a diagnostic
// from the loader itself, which editors and CI annotations parse.
func TestWriteDiagnosticsLocation(t *testing.T) {
	t.Parallel()
	cfg, diags := load(t, filepath.Join("testdata", "typo-variable-attr"))
	var buf bytes.Buffer
	WriteDiagnostics(&buf, cfg.Files, diags, false)
	loc := regexp.MustCompile(`(?m)^  on (\S+):(\d+),(\d+)(-\d+(,\d+)?)?, in variable "region":$`)
	m := loc.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no FILE:LINE,COL location line in:\n%s", buf.String())
	}
	if diff := cmp.Diff([]string{filepath.Join("testdata", "typo-variable-attr", "main.slip.hcl"), "2", "3"}, m[1:4]); diff != "" {
		t.Errorf("location (-want +got):\n%s", diff)
	}
	if !strings.Contains(buf.String(), "   2:   typ     = string") {
		t.Errorf("no source line in:\n%s", buf.String())
	}
}

func TestDiagnosticsJSON(t *testing.T) {
	t.Parallel()
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Bad", Detail: "Because.", Subject: &hcl.Range{
			Filename: "main.slip.hcl", Start: hcl.Pos{Line: 1, Column: 2, Byte: 1}, End: hcl.Pos{Line: 1, Column: 5, Byte: 4},
		}},
		{Severity: hcl.DiagWarning, Summary: "Hmm"},
	}
	got, err := json.Marshal(DiagnosticsJSON(diags))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"severity":"error","summary":"Bad","detail":"Because.","range":{"filename":"main.slip.hcl","start":{"line":1,"column":2,"byte":1},"end":{"line":1,"column":5,"byte":4}}},` +
		`{"severity":"warning","summary":"Hmm","detail":""}]`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestWriteDiagnosticsEscapes: nothing a configuration says can move the
// terminal through a diagnostic: a validation's error_message with a
// carriage return, an erase-line and an OSC 52 clipboard write, and an
// ESC and a bidi override in a comment on the line the diagnostic
// points at, are all shown escaped.
func TestWriteDiagnosticsEscapes(t *testing.T) {
	t.Parallel()
	src := "variable \"region\" {\n" +
		"  type    = string\n" +
		"  default = \"eu\"\n" +
		"  validation {\n" +
		"    condition     = false # \x1b]0;pwned\x07 \u202Etxt.exe\n" +
		"    error_message = \"ok\\r\\u001b[2K\\u001b]52;c;Y3VybCBldmlsfHNo\\u0007\"\n" +
		"  }\n" +
		"}\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.slip.hcl": src})
	cfg, diags := LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, diags = LoadVariableValues(cfg, VarOptions{})
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "\x1b]52;") {
		t.Fatalf("want the validation's diagnostic, got %v", diags)
	}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		WriteDiagnostics(&buf, cfg.Files, diags, color)
		got := buf.String()
		// The only escapes left are WriteDiagnostics' own colours.
		bare := strings.NewReplacer(ansiReset, "", ansiBold, "", ansiUnderline, "", ansiBoldRed, "", ansiYellow, "").Replace(got)
		if i := strings.IndexAny(bare, "\x1b\r\x07\u202E"); i >= 0 {
			t.Errorf("color=%v: a raw control at byte %d:\n%q", color, i, got)
		}
		for _, want := range []string{
			`ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007`,
			`   5:     condition     = false # \u001B]0;pwned\u0007 \u202Etxt.exe`,
		} {
			if color {
				want = strings.Replace(want, "false", ansiUnderline+"false"+ansiReset, 1)
			}
			if !strings.Contains(got, want) {
				t.Errorf("color=%v: output lacks %q:\n%s", color, want, got)
			}
		}
	}
}

// TestWriteDiagnosticsUnderlinesEscapedSubject: the subject's bounds are
// byte offsets in the raw line; with characters before and inside it
// escaped, the underline still covers the subject, and only it.
func TestWriteDiagnosticsUnderlinesEscapedSubject(t *testing.T) {
	t.Parallel()
	const line = "/* \x1b[2K\u202E */ name\u200B = \"x\" # \x07"
	path := "main\x1b]0;t\x07.slip.hcl"
	file := &hcl.File{Bytes: []byte("# first\n" + line + "\n")}
	from := len("# first\n") + strings.Index(line, "name")
	to := from + len("name\u200B")
	subject := &hcl.Range{Filename: path, Start: hcl.Pos{Line: 2, Column: 20, Byte: from}, End: hcl.Pos{Line: 2, Column: 25, Byte: to}}
	diags := hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Odd\u202Ename", Detail: "a\x1b[1Ab\n\tc", Subject: subject}}
	var buf bytes.Buffer
	WriteDiagnostics(&buf, map[string]*hcl.File{path: file}, diags, true)
	want := ansiYellow + "Warning:" + ansiReset + " " + ansiBold + `Odd\u202Ename` + ansiReset + "\n\n" +
		`  on main\u001B]0;t\u0007.slip.hcl:2,20-25:` + "\n" +
		`   2: /* \u001B[2K\u202E */ ` + ansiUnderline + `name\u200B` + ansiReset + ` = "x" # \u0007` + "\n\n" +
		`a\u001B[1Ab` + "\n\tc\n\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
