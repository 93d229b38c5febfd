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
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// testkit is a provider for the engine's own end-to-end tests: a
// resource that takes its time to apply (to hold the state lock), one
// whose apply kills the provider process (to test crash handling), and
// one that repeats its message everywhere a provider can speak
// (secrets_test.go), and one whose state changes shape between schema
// versions (upgrade_test.go). With SLIPWAY_TESTKIT_MARKERS set, Stop and
// a sleeper whose context is cancelled leave marker files there; with
// SLIPWAY_TESTKIT_IGNORE_STOP=1 a sleeper ignores both (stop_test.go).
type testkit struct{}

// serveTestkit serves the testkit provider. With SLIPWAY_TESTKIT_PIDFILE
// set it first adds its process ID to that file, a line each; with
// SLIPWAY_TESTKIT_HANG=1 it then sleeps forever instead of serving, as a
// provider that hangs at start.
func serveTestkit() int {
	if f := os.Getenv("SLIPWAY_TESTKIT_PIDFILE"); f != "" {
		w, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			_, err = fmt.Fprintln(w, os.Getpid())
			w.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	if os.Getenv("SLIPWAY_TESTKIT_HANG") == "1" {
		// A sleep, not select {}: without cgo, the runtime ends a
		// process whose every goroutine is blocked on nothing.
		for {
			time.Sleep(time.Hour)
		}
	}
	sdk.Serve(newTestkit())
	return 0
}

func newTestkit() sdk.Provider { return testkit{} }

func (testkit) Metadata() sdk.Metadata { return sdk.Metadata{Name: "testkit", Version: "0.0.1"} }
func (testkit) Schema() sdk.Schema     { return sdk.Schema{} }
func (testkit) Configure(context.Context, sdk.ConfigureRequest, *sdk.ConfigureResponse) {
}
func (testkit) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"testkit_sleep": sleeper{}, "testkit_crash": crasher{}, "testkit_echo": echoer{}, "testkit_widget": widget{}}
}

// Stop writes the marker "stop" (see mark).
func (testkit) Stop(context.Context) error {
	mark("stop", "slipway sent Stop")
	return nil
}

// mark writes a file named name holding text into the directory
// SLIPWAY_TESTKIT_MARKERS, when it is set, for a test to find.
func mark(name, text string) {
	if dir := os.Getenv("SLIPWAY_TESTKIT_MARKERS"); dir != "" {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
}

var kitSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
	"name":     {Type: cty.String, Required: true},
	"duration": {Type: cty.String, Optional: true},
}}

type sleeper struct{}

func (sleeper) Schema() sdk.Schema { return kitSchema }
func (sleeper) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if !req.PlannedState.IsNull() {
		d, _ := time.ParseDuration(sdk.GetString(req.PlannedState, "duration"))
		req.Progress("sleeping " + d.String())
		if os.Getenv("SLIPWAY_TESTKIT_IGNORE_STOP") == "1" {
			// A provider that ignores Stop and its contexts.
			time.Sleep(d)
		} else {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				mark("cancelled", context.Cause(ctx).Error())
			}
		}
	}
	resp.NewState = req.PlannedState
}
func (sleeper) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

type crasher struct{}

func (crasher) Schema() sdk.Schema { return kitSchema }
func (crasher) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if !req.PlannedState.IsNull() {
		os.Exit(7)
	}
	resp.NewState = req.PlannedState
}
func (crasher) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

// widget is a resource whose state changed shape: at schema version 1
// its size is a string, at version 2 (when SLIPWAY_TESTKIT_WIDGET_V2=1)
// a number, and version 2 upgrades the states version 1 wrote.
type widget struct{}

func widgetV2() bool { return os.Getenv("SLIPWAY_TESTKIT_WIDGET_V2") == "1" }

func (widget) Schema() sdk.Schema {
	if widgetV2() {
		return sdk.Schema{Version: 2, Attributes: map[string]sdk.Attribute{
			"name": {Type: cty.String, Required: true},
			"size": {Type: cty.Number, Optional: true},
		}}
	}
	return sdk.Schema{Version: 1, Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true},
		"size": {Type: cty.String, Optional: true},
	}}
}

func (widget) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
}

func (widget) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

func (widget) StateUpgraders() map[int64]sdk.StateUpgrader {
	if !widgetV2() {
		return nil
	}
	return map[int64]sdk.StateUpgrader{
		1: func(_ context.Context, st map[string]any) (map[string]any, error) {
			if size, ok := st["size"].(string); ok {
				st["size"] = json.Number(size)
			} else if st["size"] != nil {
				return nil, fmt.Errorf("size is %T, want a string", st["size"])
			}
			return st, nil
		},
	}
}
