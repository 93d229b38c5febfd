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
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"

	"slipway.dev/slipway/internal/termtext"
)

// ANSI escapes for WriteDiagnostics.
const (
	ansiReset     = "\x1b[0m"
	ansiBold      = "\x1b[1m"
	ansiUnderline = "\x1b[4m"
	ansiBoldRed   = "\x1b[1;31m"
	ansiYellow    = "\x1b[1;33m"
)

// WriteDiagnostics prints diags for a person, each as its severity and
// summary, the location FILE:LINE,COL with the enclosing block and the
// source lines of the subject, and the detail. files supplies the source
// (Config.Files); a subject in a file not there prints without source.
// With color, severities are coloured and the subject underlined.
//
// The summary, the detail, the file name and the source lines come from
// configuration, from what a provider or a pipeline stage said, and from
// files on a branch anyone may push: they are written through termtext,
// every character that is not printable escaped (tabs and, in the
// summary and the detail, newlines kept), so none can move the terminal.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, color bool) {
	paint := func(style, s string) string {
		if !color {
			return s
		}
		return style + s + ansiReset
	}
	for _, d := range diags {
		severity := paint(ansiBoldRed, "Error:")
		if d.Severity == hcl.DiagWarning {
			severity = paint(ansiYellow, "Warning:")
		}
		fmt.Fprintf(w, "%s %s\n", severity, paint(ansiBold, termtext.Lines(d.Summary)))
		if d.Subject != nil {
			writeSnippet(w, files[d.Subject.Filename], d, color)
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", termtext.Lines(d.Detail))
		}
		fmt.Fprintln(w)
	}
}

// writeSnippet prints where d is and, when the file is known, the lines
// of its context and subject.
func writeSnippet(w io.Writer, file *hcl.File, d *hcl.Diagnostic, color bool) {
	subj := *d.Subject
	fmt.Fprintf(w, "\n  on %s", termtext.Printable(subj.String()))
	if file != nil {
		if block := hcled.ContextString(file, subj.Start.Byte); block != "" {
			fmt.Fprintf(w, ", in %s", termtext.Printable(block))
		}
	}
	fmt.Fprintln(w, ":")
	if file == nil || len(file.Bytes) == 0 {
		return
	}
	show := subj
	if d.Context != nil && d.Context.Filename == subj.Filename {
		show = hcl.RangeOver(*d.Context, subj)
	}
	start := 0
	for n, line := range bytes.SplitAfter(file.Bytes, []byte("\n")) {
		num, end := n+1, start+len(line)
		if num >= show.Start.Line && num <= show.End.Line {
			text := strings.TrimRight(string(line), "\r\n")
			from, to := max(subj.Start.Byte-start, 0), min(subj.End.Byte-start, len(text))
			if color && from < to {
				// The subject's bounds are byte offsets in the raw line:
				// cut there first, then escape each part, so that the
				// underline covers the subject's escaped text exactly.
				text = termtext.Printable(text[:from]) + ansiUnderline + termtext.Printable(text[from:to]) +
					ansiReset + termtext.Printable(text[to:])
			} else {
				text = termtext.Printable(text)
			}
			fmt.Fprintf(w, "%4d: %s\n", num, text)
		}
		start = end
	}
}

// JSONDiagnostic is a diagnostic as `slipway validate -json` prints it.
type JSONDiagnostic struct {
	Severity string     `json:"severity"` // "error" or "warning"
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *JSONRange `json:"range,omitempty"` // absent when there is no subject
}

// JSONRange is a range of source text.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a position in source text; line and column count from 1,
// byte from 0.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// DiagnosticsJSON converts diags to their JSON form.
func DiagnosticsJSON(diags hcl.Diagnostics) []JSONDiagnostic {
	out := make([]JSONDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := JSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if s := d.Subject; s != nil {
			jd.Range = &JSONRange{
				Filename: s.Filename,
				Start:    JSONPos{Line: s.Start.Line, Column: s.Start.Column, Byte: s.Start.Byte},
				End:      JSONPos{Line: s.End.Line, Column: s.End.Column, Byte: s.End.Byte},
			}
		}
		out = append(out, jd)
	}
	return out
}
