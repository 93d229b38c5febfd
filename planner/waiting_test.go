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

package planner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// waiter is a resource whose apply makes its change at once, then says it
// only waits (sdk.ApplyRequest.Waiting) until the test opens its gate: a
// file NAME.open in the directory gate. It leaves NAME.started there when
// it starts.
type waiter struct{}

func (waiter) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true},
		"gate": {Type: cty.String, Required: true},
		// hold keeps the slot while it waits: it never says it waits.
		"hold": {Type: cty.Bool, Optional: true},
	}}
}

func (waiter) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
	if req.PlannedState.IsNull() {
		return
	}
	name, gate := sdk.GetString(req.PlannedState, "name"), sdk.GetString(req.PlannedState, "gate")
	if err := os.WriteFile(filepath.Join(gate, name+".started"), nil, 0o644); err != nil {
		resp.Diagnostics.AddError("Cannot start", err.Error())
		return
	}
	if !sdk.GetBool(req.PlannedState, "hold") {
		req.Waiting("waiting for " + name + ".open")
	}
	for {
		if _, err := os.Stat(filepath.Join(gate, name+".open")); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			resp.Diagnostics.AddError("Cancelled", ctx.Err().Error())
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (waiter) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

// eventLog records hooks and journal calls in the order they happen.
type eventLog struct {
	mu     sync.Mutex
	events []string
	posted chan string
}

func (l *eventLog) add(ev string) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
}

func (l *eventLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) PreApply(addr addrs.ResourceInstance, _ plans.Action) {
	l.add("start " + addr.String())
}
func (l *eventLog) Progress(addr addrs.ResourceInstance, msg string) {
	l.add(addr.String() + ": " + msg)
}
func (l *eventLog) PostApply(addr addrs.ResourceInstance, _ plans.Action, err error, _ time.Duration) {
	l.add("done " + addr.String())
	l.posted <- addr.String()
}

// journal is an intent journal in memory that logs what it records.
type journal struct {
	log   *eventLog
	mu    sync.Mutex
	addrs map[string]string // operation ID -> address
}

func (j *journal) Begin(_ context.Context, op state.Operation) error {
	j.mu.Lock()
	j.addrs[op.ID] = op.Addr.String()
	j.mu.Unlock()
	j.log.add("begin " + op.Addr.String())
	return nil
}

func (j *journal) End(_ context.Context, id string, addr addrs.ResourceInstance, _ *state.ResourceInstance) error {
	j.mu.Lock()
	known := j.addrs[id] == addr.String()
	j.mu.Unlock()
	if !known {
		return errors.New("end of an operation that never began")
	}
	j.log.add("end " + addr.String())
	return nil
}

func (j *journal) Resolve(context.Context, string) error { return nil }
func (j *journal) Entries(context.Context) ([]state.JournalEntry, error) {
	return nil, nil
}
func (j *journal) Compact(context.Context) error { return nil }

// TestWaitingFreesTheSlot: with -parallelism=1, a change that says it
// only waits gives its slot up, so the next change starts while it waits;
// each outcome is still journaled, and reported, when it finishes, in the
// order they finish.
func TestWaitingFreesTheSlot(t *testing.T) {
	t.Parallel()
	gate := t.TempDir()
	f := newFixture(t, `
resource "kit_waiter" "a" {
  name = "a"
  gate = "`+gate+`"
}
resource "kit_waiter" "b" {
  name = "b"
  gate = "`+gate+`"
}
`)
	p := f.plan(t, PlanOpts{Refresh: true})
	log := &eventLog{posted: make(chan string, 2)}
	c := f.context(nil)
	c.Parallelism = 1
	c.Hooks = log
	c.Journal = &journal{log: log, addrs: map[string]string{}}
	a := c.NewApplier()
	applied := make(chan error, 1)
	go func() {
		diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) })
		if diags.HasErrors() {
			applied <- diags
			return
		}
		applied <- nil
	}()

	// Both start although neither has finished: the first gave its only
	// slot up when it began to wait. Should it keep the slot, the second
	// never starts, and this fails after the guard below.
	started := func(name string) bool {
		_, err := os.Stat(filepath.Join(gate, name+".started"))
		return err == nil
	}
	guard := time.Now().Add(time.Minute)
	for !started("a") || !started("b") {
		if time.Now().After(guard) {
			t.Fatalf("with -parallelism=1, the second change never started while the first waited; events:\n%v", log.list())
		}
		time.Sleep(10 * time.Millisecond)
	}
	first, second := "kit_waiter.a", "kit_waiter.b"
	if i := slices.Index(log.list(), "start kit_waiter.b"); i < slices.Index(log.list(), "start kit_waiter.a") {
		first, second = second, first
	}
	// The second to start finishes first.
	open := func(addr string) {
		if err := os.WriteFile(filepath.Join(gate, name(addr)+".open"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open(second)
	if got := <-log.posted; got != second {
		t.Fatalf("finished first: %s, want %s", got, second)
	}
	open(first)
	if err := <-applied; err != nil {
		t.Fatalf("apply: %v", err)
	}
	want := []string{
		"begin " + first, "start " + first, first + ": waiting for " + name(first) + ".open",
		"begin " + second, "start " + second, second + ": waiting for " + name(second) + ".open",
		"end " + second, "done " + second,
		"end " + first, "done " + first,
	}
	if diff := cmp.Diff(want, log.list()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	st := a.Snapshot()
	for _, addr := range []string{first, second} {
		if st.Resources[addr] == nil {
			t.Errorf("%s is not in state after apply", addr)
		}
	}
}

func name(addr string) string { return addr[len("kit_waiter."):] }

// TestProviderApplyParallelism: with no -parallelism, apply asks a
// provider for as many changes at once as it declares it carries
// (sdk.Metadata.ApplyParallelism, above the default); a -parallelism the
// user chose bounds it instead, above or below. Each change here holds
// its slot until the test opens every gate.
func TestProviderApplyParallelism(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		parallelism int
		want        int
	}{
		{"declared", 0, kitApplyParallelism},
		{"chosen", DefaultParallelism - 3, DefaultParallelism - 3},
		// More than the SDK runs of a plan batch at once (16).
		{"chosen above the declared", 20, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := tc.want + 2
			gate := t.TempDir()
			var src strings.Builder
			for i := range n {
				fmt.Fprintf(&src, "resource \"kit_waiter\" \"w%d\" {\n  name = \"w%d\"\n  gate = %q\n  hold = true\n}\n", i, i, gate)
			}
			f := newFixture(t, src.String())
			p := f.plan(t, PlanOpts{Refresh: true})
			c := f.context(nil)
			c.Parallelism = tc.parallelism
			applied := make(chan hcl.Diagnostics, 1)
			go func() {
				applied <- c.Apply(context.Background(), p, c.NewApplier(), func(done func(error)) { done(nil) })
			}()
			started := func() int {
				m, _ := filepath.Glob(filepath.Join(gate, "*.started"))
				return len(m)
			}
			guard := time.Now().Add(time.Minute)
			for started() < tc.want {
				if time.Now().After(guard) {
					t.Fatalf("%d changes started at once, want %d", started(), tc.want)
				}
				time.Sleep(10 * time.Millisecond)
			}
			// No more start while every slot is held.
			time.Sleep(300 * time.Millisecond)
			if got := started(); got != tc.want {
				t.Errorf("%d changes started at once, want %d", got, tc.want)
			}
			for i := range n {
				if err := os.WriteFile(filepath.Join(gate, fmt.Sprintf("w%d.open", i)), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if diags := <-applied; diags.HasErrors() {
				t.Fatalf("apply: %s", diags.Error())
			}
			if got := started(); got != n {
				t.Errorf("%d changes applied, want %d", got, n)
			}
		})
	}
}
