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
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plans"
)

var _ planner.HooksWithTotal = (*Progress)(nil)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// at sets the clock to d after its start.
func (c *fakeClock) at(d time.Duration) {
	c.mu.Lock()
	c.t = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(d)
	c.mu.Unlock()
}

// fakeTicker never ticks on its own: tests call Progress.onTick.
type fakeTicker struct {
	c       chan time.Time
	stopped bool
}

func (t *fakeTicker) C() <-chan time.Time { return t.c }
func (t *fakeTicker) Stop()               { t.stopped = true }

// testProgress returns a Progress on a fake clock (at 0) and ticker, the
// buffer it prints to, and the tickers it made.
func testProgress(jsonOut, live bool) (*Progress, *fakeClock, *strings.Builder, *[]*fakeTicker) {
	var out strings.Builder
	clk := &fakeClock{}
	clk.at(0)
	var tickers []*fakeTicker
	p := &Progress{View: &View{Stdout: &out, Stderr: io.Discard}, JSON: jsonOut, Live: live, now: clk.now,
		newTicker: func(time.Duration) ticker {
			t := &fakeTicker{c: make(chan time.Time)}
			tickers = append(tickers, t)
			return t
		}}
	return p, clk, &out, &tickers
}

func appAddr(key string) addrs.ResourceInstance {
	return addrs.Resource{Kind: addrs.App, Name: "team"}.Instance(addrs.StringKey(key))
}

// TestProgressCounter: every finished line carries the changes ended of
// those planned and the apply's time, whatever the outcome.
func TestProgressCounter(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, false)
	p.Total(3)
	a, b, c := appAddr("app-0001"), appAddr("app-0002"), appAddr("app-0003")
	p.PreApply(a, plans.Create)
	p.PreApply(b, plans.Update)
	clk.at(4 * time.Second)
	p.PostApply(a, plans.Create, nil, 4*time.Second)
	p.PreApply(c, plans.Delete)
	clk.at(72*time.Second + 900*time.Millisecond)
	p.PostApply(b, plans.Update, errors.New("boom"), 72*time.Second)
	p.PostApply(c, plans.Delete, nil, 68900*time.Millisecond)
	p.Stop()
	want := []string{
		`app.team["app-0001"]: Creating...`,
		`app.team["app-0002"]: Modifying...`,
		`app.team["app-0001"]: Creation complete after 4s [1/3, 4s]`,
		`app.team["app-0003"]: Destroying...`,
		`app.team["app-0002"]: failed after 1m12s [2/3, 1m12s]`,
		`app.team["app-0003"]: Destruction complete after 1m9s [3/3, 1m12s]`,
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("progress:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}

// TestHeartbeatCadence: a change still running after the interval gets a
// line naming the last thing its provider said (or only its action), at
// most one per interval, from one ticker for all changes.
func TestHeartbeatCadence(t *testing.T) {
	t.Parallel()
	p, clk, out, tickers := testProgress(false, false)
	p.interval = 10 * time.Second
	p.Total(2)
	a, b := appAddr("a"), appAddr("b")
	p.PreApply(a, plans.Update)
	p.Progress(a, "waiting for 3 objects to be healthy")
	clk.at(5 * time.Second)
	p.PreApply(b, plans.Create)
	mark := out.Len()
	beats := func(at time.Duration) string {
		clk.at(at)
		p.onTick()
		s := out.String()[mark:]
		mark = out.Len()
		return s
	}
	steps := []struct {
		at   time.Duration
		want string
	}{
		{9 * time.Second, ""},
		{10 * time.Second, `app.team["a"]: Still modifying... [10s elapsed] (waiting for 3 objects to be healthy)` + "\n"},
		{10 * time.Second, ""}, // the same tick again: no second line
		{11 * time.Second, ""},
		{15 * time.Second, `app.team["b"]: Still creating... [10s elapsed]` + "\n"},
		{19900 * time.Millisecond, ""},
		{20 * time.Second, `app.team["a"]: Still modifying... [20s elapsed] (waiting for 3 objects to be healthy)` + "\n"},
		// Both due at once: one line each, in address order.
		{31 * time.Second, `app.team["a"]: Still modifying... [31s elapsed] (waiting for 3 objects to be healthy)` + "\n" +
			`app.team["b"]: Still creating... [26s elapsed]` + "\n"},
	}
	for _, s := range steps {
		if got := beats(s.at); got != s.want {
			t.Errorf("at %s: printed %q, want %q", s.at, got, s.want)
		}
	}
	// A finished change has no more heartbeats.
	clk.at(32 * time.Second)
	p.PostApply(a, plans.Update, nil, 32*time.Second)
	beats(32 * time.Second)
	if got := beats(45 * time.Second); got != `app.team["b"]: Still creating... [40s elapsed]`+"\n" {
		t.Errorf("after a finished: %q", got)
	}
	p.Stop()
	// What comes after Stop starts no ticker again.
	p.PostApply(b, plans.Create, nil, 45*time.Second)
	if len(*tickers) != 1 || !(*tickers)[0].stopped {
		t.Errorf("%d tickers made (want 1), stopped: %v", len(*tickers), len(*tickers) == 1 && (*tickers)[0].stopped)
	}
	if strings.Contains(out.String(), "\r") {
		t.Errorf("plain output holds a carriage return:\n%q", out.String())
	}
}

// TestHeartbeatOff: an interval of "0" turns heartbeats off.
func TestHeartbeatOff(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, false)
	p.interval = -1
	p.PreApply(appAddr("a"), plans.Create)
	clk.at(time.Hour)
	p.onTick()
	p.Stop()
	if strings.Contains(out.String(), "Still") {
		t.Errorf("heartbeat printed with heartbeats off:\n%s", out.String())
	}
}

// TestProgressSummary: a long apply ends with its time, the totals by
// action and the slowest changes, slowest first and ties by address; a
// short one ends with the usual line only.
func TestProgressSummary(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, false)
	p.Total(12)
	durations := []int{3, 40, 7, 40, 1, 12, 2, 9, 5, 33, 4, 6} // seconds
	for i, d := range durations {
		a := appAddr(fmt.Sprintf("app-%02d", i))
		action := plans.Create
		if i%4 == 3 {
			action = plans.Update
		}
		p.PreApply(a, action)
		p.PostApply(a, action, nil, time.Duration(d)*time.Second)
	}
	clk.at(95 * time.Second)
	p.Stop()
	out.Reset()
	p.Complete("Apply", plans.Summary{Add: 9, Change: 3})
	want := `
Apply complete! Resources: 9 added, 3 changed, 0 destroyed.

Timing: 12 changes in 1m35s.
  create     9  average 11.9s, longest 40s
  update     3  average 18.3s, longest 40s
Slowest:
       40s  app.team["app-01"] (create)
       40s  app.team["app-03"] (update)
       33s  app.team["app-09"] (create)
       12s  app.team["app-05"] (create)
        9s  app.team["app-07"] (update)
`
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}

	short, _, out2, _ := testProgress(false, false)
	short.Total(1)
	short.PreApply(appAddr("x"), plans.Create)
	short.PostApply(appAddr("x"), plans.Create, nil, time.Second)
	short.Stop()
	out2.Reset()
	short.Complete("Destroy", plans.Summary{Destroy: 1, Run: 2})
	if want := "\nDestroy complete! Pipelines: 2 run. Resources: 0 added, 0 changed, 1 destroyed.\n"; out2.String() != want {
		t.Errorf("short apply's end: %q, want %q", out2.String(), want)
	}
}

// TestProgressLive: on a terminal a status line is kept at the bottom,
// redrawn when it changes, cleared before every other line, and gone
// after Stop.
func TestProgressLive(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, true)
	p.interval = 10 * time.Second
	p.Total(2)
	a := appAddr("a")
	p.PreApply(a, plans.Create)
	clk.at(3 * time.Second)
	p.onTick()
	p.onTick() // nothing changed: nothing redrawn
	p.View.Printf("a note\n")
	p.PostApply(a, plans.Create, nil, 3*time.Second)
	p.Stop()
	want := `app.team["a"]: Creating...` + "\n" + `Applying: 0/2 done, 1 in progress [0s]` +
		clearLine + `Applying: 0/2 done, 1 in progress [3s]` +
		clearLine + "a note\n" +
		`app.team["a"]: Creation complete after 3s [1/2, 3s]` + "\n" + `Applying: 1/2 done, 0 in progress [3s]` +
		clearLine
	if out.String() != want {
		t.Errorf("live output:\n%q\nwant:\n%q", out.String(), want)
	}
}

// TestProgressLiveSparesPrompt: while a prompt waits for its answer, no
// status line is drawn over it, and a progress line starts a line of its
// own.
func TestProgressLiveSparesPrompt(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(false, true)
	p.Total(1)
	a := appAddr("a")
	p.PreApply(a, plans.Run)
	out.Reset()
	p.View.Printf("Enter a value: ")
	clk.at(2 * time.Second)
	p.onTick()
	p.Progress(a, "[build] ok")
	p.View.Printf("\n")
	p.onTick()
	p.Stop()
	want := clearLine + "Enter a value: " + "\n" + `app.team["a"]: [build] ok` + "\n" + `Applying: 0/1 done, 1 in progress [2s]` +
		clearLine + "\n" + clearLine + `Applying: 0/1 done, 1 in progress [2s]` + clearLine
	if out.String() != want {
		t.Errorf("output:\n%q\nwant:\n%q", out.String(), want)
	}
}

// TestNewProgressDecidesLive: a live line only on a coloured terminal
// and not in automation; never with -json.
func TestNewProgressDecidesLive(t *testing.T) {
	t.Setenv(AutomationEnv, "")
	t.Setenv(HeartbeatEnv, "")
	if NewProgress(&View{Stdout: io.Discard, Color: false}, false).Live {
		t.Errorf("live without a coloured terminal (a pipe, NO_COLOR or -no-color)")
	}
	if !NewProgress(&View{Stdout: io.Discard, Color: true}, false).Live {
		t.Errorf("no live line on a coloured terminal")
	}
	if NewProgress(&View{Stdout: io.Discard, Color: true}, true).Live {
		t.Errorf("live line with -json")
	}
	t.Setenv(AutomationEnv, "1")
	if NewProgress(&View{Stdout: io.Discard, Color: true}, false).Live {
		t.Errorf("live line with %s set", AutomationEnv)
	}

	var stderr strings.Builder
	for _, c := range []struct {
		env  string
		want time.Duration
	}{{"250ms", 250 * time.Millisecond}, {"0", -1}, {"soon", 0}} {
		t.Setenv(HeartbeatEnv, c.env)
		if got := NewProgress(&View{Stdout: io.Discard, Stderr: &stderr}, false).interval; got != c.want {
			t.Errorf("%s=%s: interval %v, want %v", HeartbeatEnv, c.env, got, c.want)
		}
	}
	if !strings.Contains(stderr.String(), `SLIPWAY_PROGRESS_INTERVAL="soon" is not a duration`) {
		t.Errorf("a bad interval is not reported: %q", stderr.String())
	}
}

// TestProgressJSON: with -json every event is one JSON line with a type,
// and human text stays off standard output.
func TestProgressJSON(t *testing.T) {
	t.Parallel()
	p, clk, out, _ := testProgress(true, false)
	p.interval = 10 * time.Second
	p.View.SetSecrets([]string{"hunter2"})
	a, b := appAddr("a"), appAddr("b")
	p.View.now = clk.now
	p.View.StartStream("0.2.0")
	p.View.PlanEvents(&plans.Plan{Changes: []*plans.ResourceChange{
		{Addr: a, Action: plans.Create, Reason: plans.ReasonNew},
		{Addr: b, Action: plans.Create, Reason: plans.ReasonNew},
	}})
	p.Total(2)
	p.PreApply(a, plans.Create)
	p.PreApply(b, plans.Create)
	p.Progress(a, "waiting for hunter2")
	clk.at(10 * time.Second)
	p.onTick()
	clk.at(12 * time.Second)
	p.PostApply(a, plans.Create, nil, 12*time.Second)
	p.PostApply(b, plans.Create, errors.New("disk hunter2 full"), 12*time.Second)
	p.Stop()
	p.View.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Careful", Detail: "hunter2 is weak",
		Subject: &hcl.Range{Filename: "main.slip.hcl", Start: hcl.Pos{Line: 3, Column: 5, Byte: 20}, End: hcl.Pos{Line: 3, Column: 9, Byte: 24}}}})
	p.Complete("Apply", plans.Summary{Add: 2})

	var types []string
	var events []map[string]any
	for line := range strings.SplitSeq(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		for _, k := range []string{"@level", "@message", "@module", "@timestamp", "type"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event lacks %s: %s", k, line)
			}
		}
		types = append(types, ev["type"].(string))
		events = append(events, ev)
	}
	want := "version planned_change planned_change change_summary apply_start apply_start apply_progress apply_progress apply_progress apply_complete apply_errored diagnostic apply_summary"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("event types:\n%s\nwant:\n%s\n%s", got, want, out.String())
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Errorf("the secret is printed:\n%s", out.String())
	}
	// The plan's events come first, after the version.
	events = append(events[:1], events[3:]...)
	if v := events[0]; v["slipway"] != "0.2.0" || v["ui"] != StreamVersion {
		t.Errorf("version event: %v", v)
	}
	if c := events[1]["changes"].(map[string]any); c["operation"] != "plan" || c["add"] != 2.0 || c["errored"] != false ||
		events[1]["@message"] != "Plan: 2 to add, 0 to change, 0 to destroy." {
		t.Errorf("change_summary event: %v", events[1])
	}
	d := events[9]
	events = append(events[:9], events[10:]...)
	if dj := d["diagnostic"].(map[string]any); d["@level"] != "warn" || dj["severity"] != "warning" || dj["detail"] != "*** is weak" ||
		dj["range"].(map[string]any)["start"].(map[string]any)["line"] != 3.0 || d["@message"] != "Careful (main.slip.hcl:3,5)" {
		t.Errorf("diagnostic event: %v", d)
	}
	hook := func(i int) map[string]any { return events[i]["hook"].(map[string]any) }
	if h := hook(5); h["heartbeat"] != true || h["elapsed_seconds"] != 10.0 || h["message"] != "waiting for ***" {
		t.Errorf("heartbeat event: %v", h)
	}
	if h := hook(7); h["done"] != 1.0 || h["total"] != 2.0 || h["elapsed_seconds"] != 12.0 || h["apply_elapsed_seconds"] != 12.0 ||
		h["resource"].(map[string]any)["address"] != `app.team["a"]` || h["resource"].(map[string]any)["index"] != "a" || h["action"] != "create" {
		t.Errorf("apply_complete event: %v", h)
	}
	if h := hook(8); h["error"] != "disk *** full" || events[8]["@level"] != "error" || h["done"] != 2.0 {
		t.Errorf("apply_errored event: %v", events[8])
	}
	sum := events[9]["summary"].(map[string]any)
	if sum["add"] != 2.0 || sum["done"] != 2.0 || sum["total"] != 2.0 || len(sum["slowest"].([]any)) != 2 ||
		sum["actions"].(map[string]any)["create"].(map[string]any)["failed"] != 1.0 {
		t.Errorf("apply_summary event: %v", sum)
	}
}
