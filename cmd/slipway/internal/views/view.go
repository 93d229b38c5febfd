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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/mattn/go-isatty"

	"slipway.dev/slipway/internal/termtext"
	"slipway.dev/slipway/lang"
)

// View is where one command writes.
type View struct {
	Stdout io.Writer
	Stderr io.Writer
	Color  bool
	// Files are the configuration's parsed files, for source snippets in
	// diagnostics.
	Files map[string]*hcl.File
	// CompactWarnings prints warnings as one summary line each, unless
	// errors come with them (-compact-warnings, as Terraform has it).
	CompactWarnings bool

	secretsMu sync.RWMutex
	secrets   []string

	// Record, when set, makes the view keep every diagnostic and error it
	// prints, masked, for a command that writes them again in a form of
	// its own (plan -markdown puts them in the comment). See Recorded.
	Record   bool
	recordMu sync.Mutex
	recorded hcl.Diagnostics

	// termMu orders what is written to the streams, so that a live
	// status line (Progress) is cleared before any other line prints.
	termMu    sync.Mutex
	liveShown bool
	liveText  string
	// midLine is set while standard output's last line is unfinished (a
	// prompt waiting for an answer): no status line is drawn over it.
	midLine bool

	// stream is set by StartStream: standard output is the
	// machine-readable UI, and diagnostics and errors are events on it.
	stream bool
	// now is the clock of the events' timestamps; time.Now when nil.
	now func() time.Time
}

// clearLine returns a terminal's cursor to the start of its line and
// erases it.
const clearLine = "\r\x1b[K"

// write writes s to w whole, clearing the live status line first.
func (v *View) write(w io.Writer, s string) {
	v.termMu.Lock()
	defer v.termMu.Unlock()
	v.clearLiveLocked()
	io.WriteString(w, s)
	if w == v.Stdout && s != "" {
		v.midLine = !strings.HasSuffix(s, "\n")
	}
}

func (v *View) clearLiveLocked() {
	if v.liveShown {
		io.WriteString(v.Stdout, clearLine)
		v.liveShown = false
	}
}

// clearLive erases the live status line, if one is shown.
func (v *View) clearLive() {
	v.termMu.Lock()
	v.clearLiveLocked()
	v.termMu.Unlock()
}

// drawLive shows status as the live status line, in place of the last.
func (v *View) drawLive(status string) {
	v.termMu.Lock()
	defer v.termMu.Unlock()
	if v.midLine || (v.liveShown && v.liveText == status) {
		return
	}
	io.WriteString(v.Stdout, clearLine+status)
	v.liveShown, v.liveText = true, status
}

// printAboveLive prints text to stdout, then shows status as the live
// status line below it (none when status is "").
func (v *View) printAboveLive(text, status string) {
	v.termMu.Lock()
	defer v.termMu.Unlock()
	v.clearLiveLocked()
	if v.midLine && text != "" {
		// A line for people must not land after an open prompt.
		text = "\n" + text
		v.midLine = false
	}
	if v.midLine {
		status = ""
	}
	io.WriteString(v.Stdout, text+status)
	v.liveShown, v.liveText = status != "", status
}

// SetSecrets sets the strings (lang.SensitiveStrings: the values of
// sensitive variables) that diagnostics, errors, apply progress and
// provider logs print as ***. Plans and state are masked by their paths
// instead; this catches what a provider or a message quotes.
func (v *View) SetSecrets(secrets []string) {
	v.secretsMu.Lock()
	v.secrets = secrets
	v.secretsMu.Unlock()
}

// AddSecrets adds strings computed from sensitive values (a sha256 of a
// secret) to those masked, as the planner finds them.
func (v *View) AddSecrets(more []string) {
	v.secretsMu.Lock()
	list := append(append([]string(nil), v.secrets...), more...)
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	v.secrets = list
	v.secretsMu.Unlock()
}

// Mask replaces the secrets in s by ***.
func (v *View) Mask(s string) string {
	v.secretsMu.RLock()
	defer v.secretsMu.RUnlock()
	return lang.MaskSensitive(s, v.secrets)
}

// maskShown masks text already escaped for a terminal (termtext): the
// secrets as they are and as termtext.Printable writes them, so that a
// secret with a character that is not printable is masked all the same.
// Text masked before it is escaped needs only Mask.
func (v *View) maskShown(s string) string {
	v.secretsMu.RLock()
	defer v.secretsMu.RUnlock()
	s = lang.MaskSensitive(s, v.secrets)
	for _, m := range v.secrets {
		if e := termtext.Printable(m); e != m && strings.Contains(s, e) {
			s = strings.ReplaceAll(s, e, "***")
		}
	}
	return s
}

// LogWriter is standard error with secrets masked and what is not
// printable escaped (termtext.Lines), for the log lines of provider
// plugins (each written whole).
func (v *View) LogWriter() io.Writer { return maskedWriter{v} }

type maskedWriter struct{ v *View }

func (w maskedWriter) Write(p []byte) (int, error) {
	w.v.write(w.v.Stderr, termtext.Lines(w.v.Mask(string(p))))
	return len(p), nil
}

// WantColor reports whether output to w should be coloured: w is a
// terminal, NO_COLOR is unset and -no-color was not given.
func WantColor(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// IsTerminal reports whether r is a terminal someone can answer at.
func IsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Diagnostics prints diagnostics to stderr, or, in a stream
// (StartStream), as diagnostic events on standard output. Their text is
// masked, then escaped (lang.WriteDiagnostics), so that no summary,
// detail, file name or source line can move the terminal.
func (v *View) Diagnostics(diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if v.stream {
		v.diagnosticEvents(diags)
		return
	}
	// Masked before they are written: escaping would hide from Mask a
	// secret holding a character that is not printable.
	masked := make(hcl.Diagnostics, 0, len(diags))
	for _, d := range diags {
		masked = append(masked, v.MaskDiagnostic(d))
	}
	var b strings.Builder
	if v.CompactWarnings && !diags.HasErrors() {
		writeCompactWarnings(&b, masked, v.paint)
	} else {
		lang.WriteDiagnostics(&b, v.Files, masked, v.Color)
	}
	// Again for the source lines, which only the written text holds.
	v.write(v.Stderr, v.maskShown(b.String()))
	if v.Record {
		v.keep(masked...)
	}
}

// MaskDiagnostic is d with the secrets in its summary and detail masked.
func (v *View) MaskDiagnostic(d *hcl.Diagnostic) *hcl.Diagnostic {
	if d == nil {
		return nil
	}
	c := *d
	c.Summary, c.Detail = v.Mask(d.Summary), v.Mask(d.Detail)
	return &c
}

func (v *View) keep(diags ...*hcl.Diagnostic) {
	v.recordMu.Lock()
	v.recorded = append(v.recorded, diags...)
	v.recordMu.Unlock()
}

// Recorded returns what the view printed as diagnostics and errors since
// Record was set, masked, in order; an error is a diagnostic whose
// summary is its first line and whose detail is the rest.
func (v *View) Recorded() hcl.Diagnostics {
	v.recordMu.Lock()
	defer v.recordMu.Unlock()
	return append(hcl.Diagnostics(nil), v.recorded...)
}

// writeCompactWarnings writes warnings as Terraform's -compact-warnings
// does: a list of summaries with where each is, and how to see the rest.
// It is used only when no error came with them, whose context the full
// warnings may be.
func writeCompactWarnings(b *strings.Builder, diags hcl.Diagnostics, paint func(style, s string) string) {
	b.WriteString(paint(bold+yellow, "Warnings:") + "\n\n")
	for _, d := range diags {
		fmt.Fprintf(b, "- %s\n", termtext.Lines(d.Summary))
		if d.Subject != nil {
			fmt.Fprintf(b, "  on %s line %d\n", termtext.Printable(d.Subject.Filename), d.Subject.Start.Line)
		}
	}
	b.WriteString("\nTo see the full warning notes, run slipway without -compact-warnings.\n")
}

// ValidateFormatVersion is the version of `slipway validate -json`'s
// document, whose schema is website/schema/validate.schema.json.
const ValidateFormatVersion = "1.0"

// ValidateDocument is the document `slipway validate -json` prints.
type ValidateDocument struct {
	FormatVersion string                `json:"format_version"`
	Valid         bool                  `json:"valid"`
	ErrorCount    int                   `json:"error_count"`
	WarningCount  int                   `json:"warning_count"`
	Diagnostics   []lang.JSONDiagnostic `json:"diagnostics"`
}

// DiagnosticsJSON prints `{"valid": ..., "error_count": ..., "diagnostics": [...]}`.
func (v *View) DiagnosticsJSON(diags hcl.Diagnostics) {
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	out := ValidateDocument{ValidateFormatVersion, errs == 0, errs, warns, lang.DiagnosticsJSON(diags)}
	if out.Diagnostics == nil {
		out.Diagnostics = []lang.JSONDiagnostic{}
	}
	for i := range out.Diagnostics {
		d := &out.Diagnostics[i]
		d.Summary, d.Detail = v.Mask(d.Summary), v.Mask(d.Detail)
	}
	v.JSON(out)
}

// JSON prints any value as indented JSON on stdout.
func (v *View) JSON(x any) {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		fmt.Fprintf(v.Stderr, "error: %v\n", err)
		return
	}
	v.write(v.Stdout, string(b)+"\n")
}

// Error prints a machine failure: on stderr, or, in a stream
// (StartStream), as a diagnostic event whose summary is the error.
func (v *View) Error(err error) {
	if v.stream {
		v.diagnosticEvents(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: err.Error()}})
		return
	}
	text := v.Mask(err.Error())
	v.write(v.Stderr, fmt.Sprintf("%s %s\n", v.paint(bold+red, "Error:"), termtext.Lines(text)))
	if v.Record {
		summary, detail, _ := strings.Cut(text, "\n")
		v.keep(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: strings.TrimSpace(detail)})
	}
}

// Printf prints to stdout.
func (v *View) Printf(format string, args ...any) {
	v.write(v.Stdout, fmt.Sprintf(format, args...))
}

// Bold and Green decorate text when colour is on.
// Eprintf writes to standard error: notes that are not the command's
// output.
func (v *View) Eprintf(format string, args ...any) {
	v.write(v.Stderr, fmt.Sprintf(format, args...))
}

func (v *View) Bold(s string) string  { return v.paint(bold, s) }
func (v *View) Green(s string) string { return v.paint(bold+green, s) }

const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
)

func (v *View) paint(code, s string) string {
	if !v.Color {
		return s
	}
	return code + s + reset
}

// cancellationTexts are what the error of a change cut short by a
// cancelled context says: Go's context error, gRPC's status for it, and
// a pipeline stage's.
var cancellationTexts = []string{context.Canceled.Error(), "code = Canceled", "cancelled running "}

// IsCancellation reports whether an error's text says it was cut short
// by a cancelled context.
func IsCancellation(text string) bool {
	for _, c := range cancellationTexts {
		if strings.Contains(text, c) {
			return true
		}
	}
	return false
}

// maxCancelledListed is how many cancelled changes the summary names.
const maxCancelledListed = 10

// CollapseCancelled replaces the error diagnostics of changes cut short
// by a cancelled context, one per instance, by one that sums them up,
// naming the instances (cancelled, from Progress.Cancelled, when known).
// An interrupted apply of a thousand instances prints one error, not a
// thousand.
func CollapseCancelled(diags hcl.Diagnostics, cancelled []string) hcl.Diagnostics {
	var out hcl.Diagnostics
	n := 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError && IsCancellation(d.Summary+" "+d.Detail) {
			n++
			continue
		}
		out = append(out, d)
	}
	if n == 0 {
		return diags
	}
	n = max(n, len(cancelled))
	detail := fmt.Sprintf("%d changes were cancelled before they finished", n)
	if n == 1 {
		detail = "1 change was cancelled before it finished"
	}
	if len(cancelled) > 0 {
		names := cancelled
		if len(names) > maxCancelledListed {
			names = names[:maxCancelledListed]
		}
		detail += ": " + strings.Join(names, ", ")
		if more := len(cancelled) - len(names); more > 0 {
			detail += fmt.Sprintf(" and %d more", more)
		}
	}
	detail += ". What finished is recorded in state; run slipway plan to see what is left."
	return append(out, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply cancelled", Detail: detail})
}

func round(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
