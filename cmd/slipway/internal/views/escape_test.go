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

package views

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner/plans"
)

// hostile is text from an untrusted branch, a provider or a pipeline
// stage that tries to move the terminal: return to the start of the line
// and erase it, write the clipboard (OSC 52), and reverse what follows.
const hostile = "ok\r\x1b[2K\x1b]52;c;Y3VybCBldmlsfHNo\x07 \u202Etxt.exe"

// hostileShown is hostile as a terminal must show it.
const hostileShown = `ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007 \u202Etxt.exe`

// rawControl finds what must never reach a terminal from a message: a
// carriage return, BEL, a bidi override, and ESC when the view has no
// colours of its own to write.
func rawControl(t *testing.T, what, s string, color bool) {
	t.Helper()
	bad := "\r\x07\u202E\u200B"
	if !color {
		bad += "\x1b"
	}
	if i := strings.IndexAny(s, bad); i >= 0 {
		t.Errorf("%s: a raw control at byte %d:\n%q", what, i, s)
	}
	for _, seq := range []string{"\x1b]", "\x1b[2K"} {
		if strings.Contains(s, seq) {
			t.Errorf("%s: holds %q:\n%q", what, seq, s)
		}
	}
}

// TestViewEscapesDiagnostics: a diagnostic's summary, detail, file name
// and source line are shown escaped, full or compact, with or without
// colour, and secrets are masked in them whether or not they hold a
// character that is escaped.
func TestViewEscapesDiagnostics(t *testing.T) {
	t.Parallel()
	const path = "main.slip.hcl"
	const evilPath = "evil\x1b]0;title\x07.slip.hcl"
	src := "variable \"token\" {\n  default = \"s3\x01cr3t\" # \x1b[2K\u202E\u200B\n}\n"
	subjectFrom := strings.Index(src, "default")
	files := map[string]*hcl.File{path: {Bytes: []byte(src)}}
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagWarning, Summary: "Careful " + hostile, Detail: "It says " + hostile + "\nwith s3\x01cr3t and hunter2.",
			Subject: &hcl.Range{Filename: path, Start: hcl.Pos{Line: 2, Column: 3, Byte: subjectFrom}, End: hcl.Pos{Line: 2, Column: 10, Byte: subjectFrom + 7}}},
		{Severity: hcl.DiagWarning, Summary: "Elsewhere", Subject: &hcl.Range{Filename: evilPath, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2, Byte: 1}}},
	}
	for _, tt := range []struct {
		name           string
		color, compact bool
		want           []string
	}{
		{"plain", false, false, []string{"Warning: Careful " + hostileShown, "It says " + hostileShown + "\nwith *** and ***.",
			`   2:   default = "***" # \u001B[2K\u202E\u200B`, `on evil\u001B]0;title\u0007.slip.hcl:1,1-2:`}},
		{"color", true, false, []string{"Careful " + hostileShown, "It says " + hostileShown + "\nwith *** and ***.",
			"   2:   \x1b[4mdefault\x1b[0m = \"***\" # \\u001B[2K\\u202E\\u200B", `on evil\u001B]0;title\u0007.slip.hcl:1,1-2:`}},
		{"compact", false, true, []string{"- Careful " + hostileShown, `on evil\u001B]0;title\u0007.slip.hcl line 1`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			v := &View{Stdout: io.Discard, Stderr: &stderr, Files: files, Color: tt.color, CompactWarnings: tt.compact, Record: true}
			v.SetSecrets([]string{"hunter2", "s3\x01cr3t"})
			v.Diagnostics(diags)
			got := stderr.String()
			rawControl(t, "diagnostics", got, tt.color)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("output lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "hunter2") || strings.Contains(got, "cr3t") {
				t.Errorf("a secret is printed:\n%s", got)
			}
			// What is kept for plan -markdown is masked, not escaped: the
			// comment escapes it its own way.
			if rec := v.Recorded(); len(rec) != 2 || rec[0].Summary != "Careful "+hostile {
				t.Errorf("recorded %v", rec)
			}
		})
	}
}

// TestViewEscapesErrorsAndLogs: a machine failure and a provider's log
// line are shown escaped, newlines kept.
func TestViewEscapesErrorsAndLogs(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	v := &View{Stdout: io.Discard, Stderr: &stderr}
	v.Error(errors.New("provider said " + hostile + "\nsecond line"))
	io.WriteString(v.LogWriter(), "[WARN] provider.helm: "+hostile+"\n")
	got := stderr.String()
	rawControl(t, "errors", got, false)
	for _, want := range []string{"Error: provider said " + hostileShown + "\nsecond line\n", "[WARN] provider.helm: " + hostileShown + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestProgressEscapesMessages: what a provider or a pipeline stage says
// is shown escaped, colours and newlines too, in its line and in the
// heartbeat that repeats it, so that every line names its instance.
func TestProgressEscapesMessages(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, false)
	p.interval = 10 * time.Second
	a := appAddr("a")
	p.PreApply(a, plans.Create)
	p.Progress(a, "[build] \x1b[32mPASS\x1b[0m "+hostile)
	p.Progress(a, "[build] two\nfile.b: Creation complete")
	p.Progress(a, "[build] "+hostile)
	clk.at(10 * time.Second)
	p.onTick()
	p.Stop()
	got := out.String()
	rawControl(t, "progress", got, false)
	want := `app.team["a"]: Creating...` + "\n" +
		`app.team["a"]: [build] \u001B[32mPASS\u001B[0m ` + hostileShown + "\n" +
		`app.team["a"]: [build] two\u000Afile.b: Creation complete` + "\n" +
		`app.team["a"]: [build] ` + hostileShown + "\n" +
		// The heartbeat's repeat has its whitespace, the CR too, made one space.
		`app.team["a"]: Still creating... [10s elapsed] ([build] ` + strings.Replace(hostileShown, `\u000D`, " ", 1) + ")\n"
	if got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
}

// TestStreamKeepsRawText: with -json, diagnostics and progress messages
// are events holding the text as it is; JSON escapes its controls, and
// nothing is escaped twice.
func TestStreamKeepsRawText(t *testing.T) {
	t.Parallel()
	p, _, out, _ := testProgress(true, false)
	p.View.StartStream("0.2.0")
	a := appAddr("a")
	p.PreApply(a, plans.Create)
	p.Progress(a, hostile)
	p.Stop()
	p.View.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: hostile, Detail: hostile + "\nmore"}})
	p.View.Error(errors.New(hostile))
	if i := strings.IndexAny(out.String(), "\r\x07\x1b"); i >= 0 {
		t.Errorf("a raw control at byte %d:\n%q", i, out.String())
	}
	var messages, summaries []string
	for line := range strings.SplitSeq(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var ev struct {
			Hook *struct {
				Message string `json:"message"`
			} `json:"hook"`
			Diagnostic *struct {
				Summary string `json:"summary"`
				Detail  string `json:"detail"`
			} `json:"diagnostic"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		if ev.Hook != nil && ev.Hook.Message != "" {
			messages = append(messages, ev.Hook.Message)
		}
		if d := ev.Diagnostic; d != nil {
			summaries = append(summaries, d.Summary)
			if d.Detail != "" && d.Detail != hostile+"\nmore" {
				t.Errorf("diagnostic detail = %q", d.Detail)
			}
		}
	}
	if len(messages) != 1 || messages[0] != hostile {
		t.Errorf("progress messages = %q, want [%q]", messages, hostile)
	}
	if len(summaries) != 2 || summaries[0] != hostile || summaries[1] != hostile {
		t.Errorf("diagnostic summaries = %q", summaries)
	}
}
