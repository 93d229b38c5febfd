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
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// progressConfig is 12 quick changes and one slow one: more than 10, so
// the apply ends with its timing summary, and one that runs through
// several heartbeat intervals.
const progressConfig = `
resource "testkit_sleep" "quick" {
  count    = 12
  name     = "quick-${count.index}"
  duration = "50ms"
}
resource "testkit_sleep" "slow" {
  name     = "slow"
  duration = "3s"
}
`

// progressInterval is the heartbeat interval the tests set, far below
// the slow change's time.
const progressInterval = 500 * time.Millisecond

// TestApplyProgress runs a real apply and reads its lines: every finished
// change carries N/13 and the apply's time, with each N once; the slow
// change has heartbeats naming what its provider last said, no more than
// one per interval; the apply ends with the timing summary, the slow
// change first among the slowest; and nothing is redrawn in place.
func TestApplyProgress(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": progressConfig})
	cmd := slipway(dir, "apply", "-auto-approve")
	cmd.Env = append(cmd.Env, "SLIPWAY_PROGRESS_INTERVAL="+progressInterval.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("apply: %v\n%s\n%s", err, out, stderr.String())
	}
	text := string(out)
	if strings.Contains(text, "\r") {
		t.Errorf("output without a terminal holds a carriage return:\n%q", text)
	}

	finished := regexp.MustCompile(`(?m)^(testkit_sleep\.\S+): Creation complete after (\S+) \[(\d+)/13, \d+s\]$`)
	seen := map[int]string{}
	var slowTook time.Duration
	for _, m := range finished.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[3])
		if prev, dup := seen[n]; dup {
			t.Errorf("counter %d/13 printed twice: %s and %s", n, prev, m[1])
		}
		seen[n] = m[1]
		if m[1] == "testkit_sleep.slow" {
			slowTook, _ = time.ParseDuration(m[2])
		}
	}
	if len(seen) != 13 || seen[13] == "" {
		t.Errorf("finished lines with N/13: %v, want 1 to 13 once each\n%s", seen, text)
	}

	beats := regexp.MustCompile(`(?m)^testkit_sleep\.slow: Still creating\.\.\. \[[0-9.]+m?s elapsed\] \(sleeping 3s\)$`).FindAllString(text, -1)
	if len(beats) == 0 {
		t.Errorf("no heartbeat naming testkit_sleep.slow and what it waits for:\n%s", text)
	}
	if limit := int(slowTook / progressInterval); slowTook == 0 || len(beats) > limit {
		t.Errorf("%d heartbeats for a change of %s, want at most one per %s (%d)", len(beats), slowTook, progressInterval, limit)
	}

	for _, want := range []string{"Apply complete! Resources: 13 added, 0 changed, 0 destroyed.", "\nTiming: 13 changes in ", "\n  create    13  average ", "\nSlowest:\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	slowest := text[strings.Index(text, "Slowest:\n")+len("Slowest:\n"):]
	if first, _, _ := strings.Cut(slowest, "\n"); !strings.HasSuffix(first, "testkit_sleep.slow (create)") {
		t.Errorf("first of the slowest is %q, want testkit_sleep.slow", first)
	}
	if n := strings.Count(slowest, "\n"); n != 5 {
		t.Errorf("%d slowest listed, want 5:\n%s", n, slowest)
	}
}

// TestApplyProgressJSON: apply -json prints nothing but JSON lines on
// standard output: the version, the planned changes and their summary,
// then the same events as the human lines, and a summary with the
// slowest; without -auto-approve it refuses, as a diagnostic event,
// since nobody can answer the prompt.
func TestApplyProgressJSON(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": progressConfig})
	out, err := slipway(dir, "apply", "-json").Output()
	if exitCode(err) != 1 || !strings.Contains(string(out), `"type":"diagnostic","diagnostic":{"severity":"error","summary":"apply -json needs -auto-approve or a saved plan`) {
		t.Fatalf("apply -json without -auto-approve: exit %d, want 1 with the reason as a diagnostic event\n%s", exitCode(err), out)
	}

	cmd := slipway(dir, "apply", "-json", "-auto-approve")
	cmd.Env = append(cmd.Env, "SLIPWAY_PROGRESS_INTERVAL="+progressInterval.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("apply -json: %v\n%s\n%s", err, out, stderr.String())
	}
	type event struct {
		Type string `json:"type"`
		Hook struct {
			Resource struct {
				Address string `json:"address"`
			} `json:"resource"`
			Action    string `json:"action"`
			Heartbeat bool   `json:"heartbeat"`
			Message   string `json:"message"`
			Done      int    `json:"done"`
			Total     int    `json:"total"`
		} `json:"hook"`
		Summary struct {
			Add     int `json:"add"`
			Done    int `json:"done"`
			Total   int `json:"total"`
			Slowest []struct {
				Resource struct {
					Address string `json:"address"`
				} `json:"resource"`
			} `json:"slowest"`
		} `json:"summary"`
		Changes struct {
			Operation string `json:"operation"`
			Add       int    `json:"add"`
		} `json:"changes"`
	}
	var events []event
	count := map[string]int{}
	done := map[int]bool{}
	heartbeat := false
	for line := range strings.SplitSeq(strings.TrimSuffix(string(out), "\n"), "\n") {
		var ev event
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Type == "" {
			t.Fatalf("standard output holds a line that is not a JSON event with a type: %q (%v)", line, err)
		}
		events = append(events, ev)
		count[ev.Type]++
		switch {
		case ev.Type == "apply_complete":
			if ev.Hook.Total != 13 || done[ev.Hook.Done] {
				t.Errorf("apply_complete of %s: %d/%d (seen before: %v)", ev.Hook.Resource.Address, ev.Hook.Done, ev.Hook.Total, done[ev.Hook.Done])
			}
			done[ev.Hook.Done] = true
		case ev.Type == "apply_progress" && ev.Hook.Heartbeat:
			if ev.Hook.Resource.Address == "testkit_sleep.slow" && ev.Hook.Message == "sleeping 3s" && ev.Hook.Action == "create" {
				heartbeat = true
			}
		}
	}
	if len(events) < 15 || events[0].Type != "version" || events[1].Type != "planned_change" || events[14].Type != "change_summary" ||
		events[14].Changes.Operation != "plan" || events[14].Changes.Add != 13 {
		t.Fatalf("the stream does not start with the version, 13 planned changes and their summary:\n%s", out)
	}
	if count["planned_change"] != 13 || count["apply_start"] != 13 || count["apply_complete"] != 13 || len(done) != 13 || !done[13] {
		t.Errorf("events: %v, completes numbered %v; want 13 starts and 13 completes numbered 1 to 13", count, done)
	}
	if !heartbeat {
		t.Errorf("no heartbeat for testkit_sleep.slow naming what it waits for:\n%s", out)
	}
	last := events[len(events)-1]
	if last.Type != "apply_summary" || last.Summary.Add != 13 || last.Summary.Done != 13 || last.Summary.Total != 13 ||
		len(last.Summary.Slowest) != 5 || last.Summary.Slowest[0].Resource.Address != "testkit_sleep.slow" {
		t.Errorf("last event: %+v, want the apply_summary with testkit_sleep.slow the slowest", last)
	}
}
