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
	"encoding/json"
	"strings"
	"testing"
)

// uiEvent is what the tests read of a machine-readable UI event.
type uiEvent struct {
	Level      string `json:"@level"`
	Message    string `json:"@message"`
	Type       string `json:"type"`
	UI         string `json:"ui"`
	Diagnostic struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Range    *struct {
			Filename string `json:"filename"`
			Start    struct {
				Line   int `json:"line"`
				Column int `json:"column"`
			} `json:"start"`
		} `json:"range"`
	} `json:"diagnostic"`
	Change struct {
		Resource struct {
			Address string `json:"address"`
		} `json:"resource"`
		Action string `json:"action"`
	} `json:"change"`
	Changes struct {
		Add     int  `json:"add"`
		Errored bool `json:"errored"`
	} `json:"changes"`
}

// uiEvents parses a stream, failing on any line that is not an event.
func uiEvents(t *testing.T, out []byte) []uiEvent {
	t.Helper()
	var evs []uiEvent
	for line := range strings.SplitSeq(strings.TrimSuffix(string(out), "\n"), "\n") {
		var ev uiEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Type == "" {
			t.Fatalf("standard output holds a line that is not an event: %q (%v)\n%s", line, err, out)
		}
		evs = append(evs, ev)
	}
	return evs
}

// TestPlanJSONStream: plan -json prints events, one a line: the
// version, each planned change and the summary; when planning fails, the
// diagnostics are events too, with their source range, and nothing
// reaches standard error in human form.
func TestPlanJSONStream(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
variable "env" {
  type    = string
  default = "dev"
  validation {
    condition     = contains(["dev", "prod"], var.env)
    error_message = "env must be dev or prod."
  }
}

resource "file" "a" {
  path    = "out/${var.env}/a.txt"
  content = "a"
}

resource "file" "b" {
  path    = "out/${var.env}/b.txt"
  content = file.a.id
}
`})
	cmd := slipway(dir, "plan", "-json", "-detailed-exitcode")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if exitCode(err) != 2 {
		t.Fatalf("plan -json -detailed-exitcode: exit %d, want 2\n%s%s", exitCode(err), out, stderr.String())
	}
	evs := uiEvents(t, out)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if got, want := strings.Join(types, " "), "version planned_change planned_change change_summary"; got != want {
		t.Fatalf("events %s, want %s\n%s", got, want, out)
	}
	if evs[0].UI != "1.0" || evs[1].Change.Resource.Address != "file.a" || evs[1].Change.Action != "create" || evs[3].Changes.Add != 2 || evs[3].Changes.Errored {
		t.Errorf("events: %+v", evs)
	}

	cmd = slipway(dir, "plan", "-json", "-var", "env=qa")
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if exitCode(err) != 1 {
		t.Fatalf("plan -json with a bad variable: exit %d, want 1\n%s%s", exitCode(err), out, stderr.String())
	}
	evs = uiEvents(t, out)
	if len(evs) != 2 || evs[0].Type != "version" || evs[1].Type != "diagnostic" {
		t.Fatalf("want the version and one diagnostic:\n%s", out)
	}
	d := evs[1]
	if d.Level != "error" || d.Diagnostic.Severity != "error" || d.Diagnostic.Summary != "Invalid value for variable" ||
		!strings.Contains(d.Diagnostic.Detail, "env must be dev or prod.") || d.Diagnostic.Range == nil ||
		d.Diagnostic.Range.Filename == "" || d.Diagnostic.Range.Start.Line == 0 || d.Diagnostic.Range.Start.Column == 0 {
		t.Errorf("diagnostic event: %+v\n%s", d, out)
	}
	if strings.Contains(stderr.String(), "Invalid value for variable") {
		t.Errorf("the diagnostic is also on standard error:\n%s", stderr.String())
	}

	// An error while planning: what was planned, the summary saying
	// planning failed, then the diagnostic.
	dir = workdir(t, map[string]string{"main.slip.hcl": `
resource "file" "a" {
  path    = "out/a.txt"
  content = "a"
}

resource "file" "b" {
  path    = "out/b.txt"
  content = tostring(parseint(file.a.path, 10))
}
`})
	out, err = slipway(dir, "plan", "-json").Output()
	evs = uiEvents(t, out)
	types = nil
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if got, want := strings.Join(types, " "), "version planned_change change_summary diagnostic"; exitCode(err) != 1 || got != want {
		t.Fatalf("exit %d, events %s; want 1, %s\n%s", exitCode(err), got, want, out)
	}
	if !evs[2].Changes.Errored || evs[3].Diagnostic.Summary != "Invalid function argument" || evs[3].Diagnostic.Range == nil || evs[3].Diagnostic.Range.Start.Line != 9 {
		t.Errorf("events: %+v\n%s", evs, out)
	}
}
