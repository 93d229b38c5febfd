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

package sdk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// applyUntilProgress starts an apply of one instance of typeName with
// config and returns once the provider has reported progress, with a
// channel that yields the apply's outcome.
func applyUntilProgress(t *testing.T, c *host.Client, typeName string, config cty.Value) <-chan *sdk.ApplyResponse {
	t.Helper()
	progressed := make(chan struct{})
	out := make(chan *sdk.ApplyResponse, 1)
	go func() {
		var resp *sdk.ApplyResponse
		first := true
		err := c.Apply(context.Background(), []sdk.ApplyRequest{{
			Address: typeName + ".a", TypeName: typeName, Config: config,
			PriorState: cty.NullVal(config.Type()), PlannedState: config,
		}}, func(ev host.ApplyEvent) {
			if ev.Message != "" && first {
				first = false
				close(progressed)
			}
			if ev.Done {
				resp = ev.Response
			}
		})
		if err != nil {
			resp = &sdk.ApplyResponse{}
			resp.Diagnostics.AddError("apply failed", err.Error())
		}
		out <- resp
	}()
	select {
	case <-progressed:
	case resp := <-out:
		t.Fatalf("the apply ended before it reported progress: %v", resp.Diagnostics.Err())
	case <-time.After(20 * time.Second):
		t.Fatal("no progress in 20s")
	}
	return out
}

// TestStopCancelsCallsInFlight stops a provider while an apply waits for a
// file that never comes: Stop cancels the apply's context, the apply
// returns an error diagnostic, and Halt reports that the provider stopped
// in time, leaving its process running.
func TestStopCancelsCallsInFlight(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	cfg := obj(map[string]cty.Value{"name": cty.StringVal("g"), "value": cty.StringVal("wait:" + filepath.Join(t.TempDir(), "never"))})
	done := applyUntilProgress(t, c, "gate", cfg)
	if err := c.Halt(20 * time.Second); err != nil {
		t.Fatalf("halt: %v", err)
	}
	select {
	case resp := <-done:
		// The gate reports its context's cause: the SDK cancelled it
		// with ErrStopped, though the host's call was not cancelled.
		err := resp.Diagnostics.Err()
		if err == nil || !strings.Contains(err.Error(), sdk.ErrStopped.Error()) {
			t.Errorf("the stopped apply returned %v, want an error saying %q", err, sdk.ErrStopped)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Halt returned but the apply did not")
	}
	if c.Exited() {
		t.Error("a provider that stopped in time was killed")
	}
	// Calls made after Stop run normally.
	if st := sdktest.PlanApply(t, c, "echo", obj(map[string]cty.Value{"name": cty.StringVal("after")})); sdk.GetString(st, "id") != "id-after" {
		t.Errorf("apply after Stop: %#v", st)
	}
}

// TestHaltKillsAProviderThatIgnoresStop halts a provider whose apply
// ignores its context: after the grace period it is killed, and the error
// says so.
func TestHaltKillsAProviderThatIgnoresStop(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	done := applyUntilProgress(t, c, "stubborn", obj(map[string]cty.Value{"name": cty.StringVal("s"), "value": cty.StringVal("block")}))
	err := c.Halt(300 * time.Millisecond)
	if !errors.Is(err, host.ErrKilled) || !strings.Contains(err.Error(), `provider "test" did not stop within 300ms after Stop; killed`) {
		t.Fatalf("halt: %v, want the provider killed after 300ms", err)
	}
	select {
	case resp := <-done:
		if !resp.Diagnostics.HasErrors() {
			t.Error("the apply of a killed provider succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the apply did not end when its provider was killed")
	}
	if !c.Exited() {
		t.Error("the provider's process still runs")
	}
}

// TestInterruptEndsResumableWaitsOnly interrupts a provider (a graceful
// Stop, the user's first Ctrl-C during an apply) while an apply waits in
// a way the next apply can resume: the wait ends with the change made
// and a warning, nothing is cancelled, and an apply begun after the
// interrupt is not interrupted by it.
func TestInterruptEndsResumableWaitsOnly(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	cfg := obj(map[string]cty.Value{"name": cty.StringVal("g"), "value": cty.StringVal("resumable:" + filepath.Join(t.TempDir(), "never"))})
	done := applyUntilProgress(t, c, "gate", cfg)
	sent, err := c.Interrupt(t.Context())
	if err != nil || !sent {
		t.Fatalf("interrupt: sent %v, %v; want sent", sent, err)
	}
	select {
	case resp := <-done:
		if resp.Diagnostics.HasErrors() {
			t.Fatalf("the interrupted apply failed: %v", resp.Diagnostics.Err())
		}
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Interrupted" {
			t.Errorf("diagnostics %+v, want the provider's Interrupted warning", resp.Diagnostics)
		}
		if got := sdk.GetString(resp.NewState, "id"); got != "id-g" {
			t.Errorf("new state id %q, want the change made (id-g)", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Interrupt returned but the resumable wait did not end")
	}

	// An apply that begins after the interrupt waits as usual.
	file := filepath.Join(t.TempDir(), "later")
	later := applyUntilProgress(t, c, "gate", obj(map[string]cty.Value{"name": cty.StringVal("h"), "value": cty.StringVal("resumable:" + file)}))
	select {
	case resp := <-later:
		t.Fatalf("an apply begun after the interrupt ended before its file came: %+v", resp.Diagnostics)
	case <-time.After(300 * time.Millisecond):
	}
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-later:
		if len(resp.Diagnostics) != 0 || sdk.GetString(resp.NewState, "id") != "id-h" {
			t.Errorf("the later apply: %+v, state %#v", resp.Diagnostics, resp.NewState)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the later apply did not end once its file came")
	}
}

// TestInterruptCancelsNothing interrupts a provider while an apply waits
// in a way that cannot be resumed (it does not watch Interrupt): the
// apply goes on, and ends when what it waits for comes.
func TestInterruptCancelsNothing(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	file := filepath.Join(t.TempDir(), "soon")
	done := applyUntilProgress(t, c, "gate", obj(map[string]cty.Value{"name": cty.StringVal("g"), "value": cty.StringVal("wait:" + file)}))
	if sent, err := c.Interrupt(t.Context()); err != nil || !sent {
		t.Fatalf("interrupt: sent %v, %v; want sent", sent, err)
	}
	select {
	case resp := <-done:
		t.Fatalf("an apply that does not watch Interrupt ended at it: %+v", resp.Diagnostics)
	case <-time.After(300 * time.Millisecond):
	}
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-done:
		if resp.Diagnostics.HasErrors() {
			t.Errorf("the apply failed: %v", resp.Diagnostics.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the apply did not end once its file came")
	}
}
