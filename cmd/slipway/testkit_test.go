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
	"fmt"
	"os"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// testkit is a provider for the engine's own end-to-end tests: a
// resource that takes its time to apply (to hold the state lock), one
// whose apply kills the provider process (to test crash handling), and
// one that repeats its message everywhere a provider can speak
// (secrets_test.go).
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
		select {}
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
	return map[string]sdk.Resource{"testkit_sleep": sleeper{}, "testkit_crash": crasher{}, "testkit_echo": echoer{}}
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
		select {
		case <-time.After(d):
		case <-ctx.Done():
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
