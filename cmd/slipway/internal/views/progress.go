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
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"slipway.dev/slipway/internal/termtext"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// DefaultHeartbeat is how long a change runs before Progress says it is
// still running, and how often it says so again: Terraform's 10 s.
const DefaultHeartbeat = 10 * time.Second

// HeartbeatEnv overrides DefaultHeartbeat with a Go duration ("2s");
// "0" turns heartbeats off.
const HeartbeatEnv = "SLIPWAY_PROGRESS_INTERVAL"

// AutomationEnv, set to anything, says slipway runs in automation (CI):
// no live status line even on a terminal.
const AutomationEnv = "SLIPWAY_IN_AUTOMATION"

// The timing summary prints after an apply that took at least
// summaryAfter or finished more than summaryOver changes: a short apply
// of a few changes has nothing to add to its own lines.
const (
	summaryAfter   = 30 * time.Second
	summaryOver    = 10
	slowestListed  = 5
	maxHeartbeatIn = 120 // runes of the last message a heartbeat repeats
)

// Progress reports an apply as it goes; it implements
// planner.HooksWithTotal. Every line names the instance, Terraform style:
//
//	file.a: Creating...
//	file.a: writing out/a.txt
//	file.a: Still creating... [10s elapsed] (writing out/a.txt)
//	file.a: Creation complete after 12s [37/1000, 1m12s]
//
// The engine calls PreApply when a change leaves its provider's queue, so
// "Creating..." says the provider has the change; nothing prints while it
// waits for a slot. A change still running after the heartbeat interval
// gets a "Still ..." line naming the last thing its provider said, at most
// one per interval; one ticker serves every change in flight. A finished
// line carries how many changes have ended (whatever their outcome) of
// those the apply will report (planner.Steps), and the time since the
// apply started.
//
// A change that ends cancelled (the apply's context was cancelled) prints
// one line, "cancelled after", when it had started, and nothing when it
// was still waiting: such changes are summed up once, at the end, by
// CollapseCancelled.
//
// With JSON set, every event is one JSON line on standard output instead
// (apply_start, apply_progress, apply_complete, apply_errored and, from
// Complete, apply_summary). With Live set (NewProgress sets it on a
// terminal), a status line at the bottom of the terminal is redrawn as
// changes end, and cleared by every other line.
//
// Stop must be called once the apply has ended: it stops the ticker.
type Progress struct {
	View *View
	// JSON prints machine-readable events instead of lines for people.
	JSON bool
	// Live keeps a redrawn status line at the bottom of a terminal.
	Live bool

	// interval is the heartbeat interval: DefaultHeartbeat when zero,
	// none when negative.
	interval time.Duration
	// now is the clock, and newTicker makes the one ticker; time's when
	// nil. Tests set both.
	now       func() time.Time
	newTicker func(time.Duration) ticker

	mu        sync.Mutex
	begun     time.Time
	total     int
	done      int
	running   map[string]*inFlight
	byAction  map[plans.Action]*actionTotal
	slowest   []slowChange
	cancelled []string
	tick      ticker
	stopTick  chan struct{}
	tickDone  chan struct{}
	// stopped is set by Stop: no ticker starts again.
	stopped bool
}

// ticker is the part of time.Ticker Progress uses.
type ticker interface {
	C() <-chan time.Time
	Stop()
}

type realTicker struct{ *time.Ticker }

func (t realTicker) C() <-chan time.Time { return t.Ticker.C }

// inFlight is a change a provider is working on.
type inFlight struct {
	addr    addrs.ResourceInstance
	action  plans.Action
	started time.Time
	// beat is when the change last had a heartbeat (its start at first).
	beat time.Time
	// last is the last thing its provider said, masked, or "".
	last string
}

// actionTotal sums the changes of one action that finished.
type actionTotal struct {
	count, failed int
	sum, longest  time.Duration
}

// slowChange is one of the slowest changes.
type slowChange struct {
	addr    addrs.ResourceInstance
	action  plans.Action
	elapsed time.Duration
}

// NewProgress returns the Progress of one apply writing to v: JSON lines
// when jsonOut, else lines for people, with a live status line when v is
// coloured (standard output is a terminal, and neither NO_COLOR nor
// -no-color is set) and AutomationEnv is unset. The heartbeat interval is
// HeartbeatEnv's when set; a value that is not a duration is reported on
// standard error and ignored.
func NewProgress(v *View, jsonOut bool) *Progress {
	p := &Progress{View: v, JSON: jsonOut}
	p.Live = !jsonOut && v.Color && os.Getenv(AutomationEnv) == ""
	if s := os.Getenv(HeartbeatEnv); s != "" {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil || d < 0:
			v.Eprintf("Warning: %s=%q is not a duration such as 10s or 500ms; using %s.\n", HeartbeatEnv, s, DefaultHeartbeat)
		case d == 0:
			p.interval = -1
		default:
			p.interval = d
		}
	}
	return p
}

func (p *Progress) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

func (p *Progress) heartbeat() time.Duration {
	if p.interval == 0 {
		return DefaultHeartbeat
	}
	return p.interval
}

// Total hears how many changes the apply will report, before the first
// starts; the apply's clock starts here.
func (p *Progress) Total(steps int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = steps
	p.beginLocked()
}

// beginLocked starts the apply's clock and the ticker, once.
func (p *Progress) beginLocked() {
	if p.begun.IsZero() {
		p.begun = p.clock()
	}
	if p.tick != nil || p.stopped || (p.heartbeat() < 0 && !p.Live) {
		return
	}
	// One ticker for every change in flight, fine enough that each
	// heartbeat comes within a tenth of the interval of its due time,
	// and that a live status line's clock moves every second.
	every := time.Second
	if hb := p.heartbeat(); hb > 0 && hb/10 < every {
		every = max(hb/10, time.Millisecond)
	}
	if p.newTicker != nil {
		p.tick = p.newTicker(every)
	} else {
		p.tick = realTicker{time.NewTicker(every)}
	}
	p.stopTick, p.tickDone = make(chan struct{}), make(chan struct{})
	go p.tickLoop(p.tick, p.stopTick, p.tickDone)
}

func (p *Progress) tickLoop(t ticker, stop, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-t.C():
			p.onTick()
		case <-stop:
			return
		}
	}
}

// Stop stops the ticker and clears the status line. Progress prints
// nothing more on its own; Complete may still be called.
func (p *Progress) Stop() {
	p.mu.Lock()
	t, stop, done := p.tick, p.stopTick, p.tickDone
	p.tick, p.stopTick, p.stopped = nil, nil, true
	p.mu.Unlock()
	if t != nil {
		t.Stop()
		close(stop)
		<-done
	}
	p.View.clearLive()
}

// onTick prints the heartbeats that are due and redraws the status line.
func (p *Progress) onTick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock()
	if hb := p.heartbeat(); hb > 0 {
		var due []*inFlight
		for _, f := range p.running {
			if now.Sub(f.beat) >= hb {
				due = append(due, f)
			}
		}
		sort.Slice(due, func(i, j int) bool { return due[i].addr.Less(due[j].addr) })
		for _, f := range due {
			f.beat = now
			p.heartbeatLocked(f, now)
		}
	}
	if p.Live && !p.JSON {
		p.View.drawLive(p.statusLocked(now))
	}
}

func (p *Progress) heartbeatLocked(f *inFlight, now time.Time) {
	elapsed := now.Sub(f.started)
	shown := clockString(elapsed)
	if p.heartbeat() < time.Second {
		// An interval under a second (tests) needs finer times.
		shown = round(elapsed)
	}
	line := fmt.Sprintf("%s: %s [%s elapsed]", f.addr, verbOf(f.action).still, shown)
	last := ""
	if f.last != "" {
		last = truncate(f.last, maxHeartbeatIn)
	}
	if p.JSON {
		if last != "" {
			line += " (" + last + ")"
		}
		p.event(EventApplyProgress, "info", line, &hookJSON{Resource: resourceOf(f.addr), Action: f.action.String(),
			Heartbeat: true, Message: f.last, ElapsedSeconds: seconds(elapsed)})
		return
	}
	if last != "" {
		line += " (" + termtext.Printable(last) + ")"
	}
	p.lineLocked(p.View.Bold(f.addr.String()) + strings.TrimPrefix(line, f.addr.String()))
}

// statusLocked is the live status line.
func (p *Progress) statusLocked(now time.Time) string {
	s := fmt.Sprintf("%d", p.done)
	if p.total > 0 {
		s += fmt.Sprintf("/%d", p.total)
	}
	return fmt.Sprintf("Applying: %s done, %d in progress [%s]", s, len(p.running), clockString(now.Sub(p.begun)))
}

// lineLocked prints one line for people, keeping the status line below
// it on a terminal.
func (p *Progress) lineLocked(line string) {
	status := ""
	if p.Live {
		status = p.statusLocked(p.clock())
	}
	p.View.printAboveLive(line+"\n", status)
}

type verb struct{ start, end, still string }

var verbs = map[plans.Action]verb{
	plans.Create:           {"Creating...", "Creation complete", "Still creating..."},
	plans.Update:           {"Modifying...", "Modifications complete", "Still modifying..."},
	plans.Delete:           {"Destroying...", "Destruction complete", "Still destroying..."},
	plans.DeleteThenCreate: {"Replacing...", "Replacement complete", "Still replacing..."},
	plans.CreateThenDelete: {"Replacing...", "Replacement complete", "Still replacing..."},
	plans.Run:              {"Running...", "Run complete", "Still running..."},
}

func verbOf(a plans.Action) verb {
	if v, ok := verbs[a]; ok {
		return v
	}
	return verb{"Applying...", "Apply complete", "Still applying..."}
}

func (p *Progress) PreApply(addr addrs.ResourceInstance, action plans.Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.beginLocked()
	now := p.clock()
	if p.running == nil {
		p.running = map[string]*inFlight{}
	}
	p.running[addr.String()] = &inFlight{addr: addr, action: action, started: now, beat: now}
	if p.JSON {
		p.event(EventApplyStart, "info", addr.String()+": "+verbOf(action).start, &hookJSON{Resource: resourceOf(addr), Action: action.String()})
		return
	}
	p.lineLocked(fmt.Sprintf("%s: %s", p.View.Bold(addr.String()), verbOf(action).start))
}

func (p *Progress) Progress(addr addrs.ResourceInstance, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg = p.View.Mask(msg)
	action := ""
	if f := p.running[addr.String()]; f != nil {
		f.last, action = msg, f.action.String()
	}
	if p.JSON {
		p.event(EventApplyProgress, "info", addr.String()+": "+msg, &hookJSON{Resource: resourceOf(addr), Action: action, Message: msg})
		return
	}
	// What a provider or a pipeline stage said, escaped, newlines too:
	// it is one line, naming its instance, and cannot move the terminal.
	// Colour a stage printed is escaped as well, not passed through: it
	// could hide text or outlast the line, and the output is coloured
	// only when the View is.
	p.lineLocked(fmt.Sprintf("%s: %s", p.View.Bold(addr.String()), termtext.Printable(msg)))
}

func (p *Progress) PostApply(addr addrs.ResourceInstance, action plans.Action, err error, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.beginLocked()
	key := addr.String()
	_, started := p.running[key]
	delete(p.running, key)
	p.done++
	counter := p.counterLocked()
	hook := &hookJSON{Resource: resourceOf(addr), Action: action.String(), ElapsedSeconds: seconds(elapsed),
		Done: p.done, Total: p.total, ApplyElapsedSeconds: seconds(p.clock().Sub(p.begun))}
	if err != nil && IsCancellation(err.Error()) {
		p.cancelled = append(p.cancelled, key)
		if !started {
			return
		}
		p.countLocked(addr, action, elapsed, true)
		text := "cancelled after " + round(elapsed)
		if p.JSON {
			hook.Cancelled, hook.Error = true, p.View.Mask(err.Error())
			p.event(EventApplyErrored, "error", key+": "+text+" "+counter, hook)
			return
		}
		p.lineLocked(fmt.Sprintf("%s: %s %s", p.View.Bold(key), p.View.paint(red, text), counter))
		return
	}
	p.countLocked(addr, action, elapsed, err != nil)
	if err != nil {
		text := "failed after " + round(elapsed)
		if p.JSON {
			hook.Error = p.View.Mask(err.Error())
			p.event(EventApplyErrored, "error", key+": "+text+" "+counter, hook)
			return
		}
		p.lineLocked(fmt.Sprintf("%s: %s %s", p.View.Bold(key), p.View.paint(red, text), counter))
		return
	}
	text := fmt.Sprintf("%s after %s", verbOf(action).end, round(elapsed))
	if p.JSON {
		p.event(EventApplyComplete, "info", key+": "+text+" "+counter, hook)
		return
	}
	p.lineLocked(fmt.Sprintf("%s: %s %s", p.View.Bold(key), text, counter))
}

// counterLocked is "[N/M, elapsed]": the changes ended of those planned,
// and the time since the apply started, in whole seconds.
func (p *Progress) counterLocked() string {
	n := fmt.Sprintf("%d done", p.done)
	if p.total > 0 {
		n = fmt.Sprintf("%d/%d", p.done, max(p.total, p.done))
	}
	return "[" + n + ", " + clockString(p.clock().Sub(p.begun)) + "]"
}

// countLocked adds a change that ran to the totals and the slowest.
func (p *Progress) countLocked(addr addrs.ResourceInstance, action plans.Action, elapsed time.Duration, failed bool) {
	if p.byAction == nil {
		p.byAction = map[plans.Action]*actionTotal{}
	}
	t := p.byAction[action]
	if t == nil {
		t = &actionTotal{}
		p.byAction[action] = t
	}
	t.count++
	t.sum += elapsed
	t.longest = max(t.longest, elapsed)
	if failed {
		t.failed++
	}
	// Keep the slowest few, slowest first; ties by address, so the
	// list does not depend on the order changes ended in.
	c := slowChange{addr, action, elapsed}
	i := sort.Search(len(p.slowest), func(i int) bool { return slower(c, p.slowest[i]) })
	if i >= slowestListed {
		return
	}
	p.slowest = append(p.slowest, slowChange{})
	copy(p.slowest[i+1:], p.slowest[i:])
	p.slowest[i] = c
	if len(p.slowest) > slowestListed {
		p.slowest = p.slowest[:slowestListed]
	}
}

func slower(a, b slowChange) bool {
	if a.elapsed != b.elapsed {
		return a.elapsed > b.elapsed
	}
	if a.addr != b.addr {
		return a.addr.Less(b.addr)
	}
	return a.action < b.action
}

// Cancelled lists the instances whose change ended cancelled, in the
// order they ended.
func (p *Progress) Cancelled() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cancelled...)
}

// Complete prints the end of a successful apply: the usual
// "Apply complete! ..." line with the plan's counts, then, when the apply
// took at least 30 s or finished more than 10 changes, how long it took,
// the totals by action and the slowest changes. With JSON set it prints
// one apply_summary event holding all of that, whatever the apply's size.
// verb is "Apply" or "Destroy".
func (p *Progress) Complete(verb string, sum plans.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	runs := ""
	if sum.Run > 0 {
		runs = fmt.Sprintf("Pipelines: %d run. ", sum.Run)
	}
	headline := fmt.Sprintf("%s complete! %sResources: %d added, %d changed, %d destroyed.", verb, runs, sum.Add, sum.Change, sum.Destroy)
	var elapsed time.Duration
	if !p.begun.IsZero() {
		elapsed = p.clock().Sub(p.begun)
	}
	actions := p.actionsLocked()
	if p.JSON {
		s := &summaryJSON{Operation: strings.ToLower(verb), Add: sum.Add, Change: sum.Change, Remove: sum.Destroy, Run: sum.Run,
			Done: p.done, Total: p.total, ElapsedSeconds: seconds(elapsed), Actions: map[string]actionJSON{}, Slowest: []slowJSON{}}
		for _, a := range actions {
			t := p.byAction[a]
			s.Actions[a.String()] = actionJSON{Count: t.count, Failed: t.failed, Seconds: seconds(t.sum), LongestSeconds: seconds(t.longest)}
		}
		for _, c := range p.slowest {
			s.Slowest = append(s.Slowest, slowJSON{Resource: resourceOf(c.addr), Action: c.action.String(), ElapsedSeconds: seconds(c.elapsed)})
		}
		p.View.writeJSONLine(eventJSON{Level: "info", Message: headline, Module: uiModule, Timestamp: p.stamp(), Type: EventApplySummary, Summary: s})
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", p.View.Green(headline))
	if elapsed >= summaryAfter || p.done > summaryOver {
		fmt.Fprintf(&b, "\nTiming: %d %s in %s.\n", p.done, plural(p.done, "change", "changes"), clockString(elapsed))
		width := 0
		for _, a := range actions {
			width = max(width, len(a.String()))
		}
		for _, a := range actions {
			t := p.byAction[a]
			failed := ""
			if t.failed > 0 {
				failed = fmt.Sprintf(", %d failed", t.failed)
			}
			fmt.Fprintf(&b, "  %-*s %5d  average %s, longest %s%s\n", width, a, t.count, round(t.sum/time.Duration(t.count)), round(t.longest), failed)
		}
		if len(p.slowest) > 0 {
			b.WriteString("Slowest:\n")
			for _, c := range p.slowest {
				fmt.Fprintf(&b, "  %8s  %s (%s)\n", round(c.elapsed), c.addr, c.action)
			}
		}
	}
	p.View.printAboveLive(b.String(), "")
}

// actionsLocked lists the actions that ran, in the order of plans.Action.
func (p *Progress) actionsLocked() []plans.Action {
	out := make([]plans.Action, 0, len(p.byAction))
	for a := range p.byAction {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clockString is a duration in whole seconds ("0s", "4s", "1m12s"): the
// apply's clock, stable from line to line.
func clockString(d time.Duration) string {
	return max(d, 0).Truncate(time.Second).String()
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
