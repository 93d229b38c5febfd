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
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// markdownDiagnostics writes each diagnostic as a part of a comment: its
// severity and summary, where it is (FILE:LINE:COLUMN, and the block
// around it) with the source lines of its subject when files holds them,
// and its detail.
func markdownDiagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) []string {
	var out []string
	for _, d := range diags {
		if d == nil {
			continue
		}
		var b strings.Builder
		severity := "Error"
		if d.Severity == hcl.DiagWarning {
			severity = "Warning"
		}
		b.WriteString("**" + severity + ":** " + mdText(d.Summary) + "\n\n")
		if s := d.Subject; s != nil {
			file := files[s.Filename]
			b.WriteString("On " + mdCode(s.Filename+":"+strconv.Itoa(s.Start.Line)+":"+strconv.Itoa(s.Start.Column)))
			if file != nil {
				if block := hcled.ContextString(file, s.Start.Byte); block != "" {
					b.WriteString(", in " + mdCode(block))
				}
			}
			b.WriteString(":\n\n")
			if src := sourceLines(file, d); len(src) > 0 {
				b.WriteString(fenced("hcl", src))
				b.WriteString("\n")
			}
		}
		if detail := strings.TrimSpace(d.Detail); detail != "" {
			// Paragraphs stay paragraphs; a single newline is a break.
			for _, para := range strings.Split(detail, "\n\n") {
				lines := strings.Split(strings.TrimSpace(para), "\n")
				for i, l := range lines {
					lines[i] = mdText(strings.TrimSpace(l))
				}
				b.WriteString(strings.Join(lines, "<br>\n") + "\n\n")
			}
		}
		out = append(out, b.String())
	}
	return out
}

// maxSourceLines is how many lines of source a diagnostic shows.
const maxSourceLines = 10

// sourceLines are the numbered lines of a diagnostic's context and
// subject, as the human view shows them.
func sourceLines(file *hcl.File, d *hcl.Diagnostic) []string {
	if file == nil || len(file.Bytes) == 0 || d.Subject == nil {
		return nil
	}
	show := *d.Subject
	if d.Context != nil && d.Context.Filename == show.Filename {
		show = hcl.RangeOver(*d.Context, show)
	}
	var out []string
	for n, l := range bytes.SplitAfter(file.Bytes, []byte("\n")) {
		num := n + 1
		if num >= show.Start.Line && num <= show.End.Line && len(out) < maxSourceLines {
			text := printable(strings.TrimRight(string(l), "\r\n"))
			out = append(out, spaces(4-len(strconv.Itoa(num)))+strconv.Itoa(num)+": "+text)
		}
	}
	return out
}
