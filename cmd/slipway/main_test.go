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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"slipway.dev/slipway/cmd/slipway/internal/agent"
	"slipway.dev/slipway/examples/provider-file/file"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/testbed"
)

// TestMain makes this test binary also act as the slipway command and as
// provider plugins, which testscript puts on PATH under those names, so
// the end-to-end tests run real processes speaking the real protocol.
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(stopClusterAfter{m}, map[string]func() int{
		"slipway":                  func() int { return runChecked(os.Args[1:]) },
		"slipway-provider-file":    func() int { sdk.Serve(file.New()); return 0 },
		"slipway-provider-testkit": serveTestkit,
	}))
}

// stopClusterAfter runs the tests, then stops the control plane the app
// scripts shared, so the test binary leaves no process behind. Every
// JSON output of the slipway processes the tests run is validated
// against the published schemas (runChecked); one that is not valid
// fails the run.
type stopClusterAfter struct{ m *testing.M }

func (s stopClusterAfter) Run() int {
	// The slipway processes the tests start start no agent that would
	// outlive them (the scripts' environments say so themselves).
	os.Setenv("SLIPWAY_AGENT", "off")
	finish := startSchemaReports()
	code := s.m.Run()
	code = max(code, finish())
	if err := testbed.StopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "stop the shared cluster: %v\n", err)
		code = max(code, 1)
	}
	return code
}

// examplePolicies is examples/policies, which the policies scripts check
// plans against with -policy.
var examplePolicies, _ = filepath.Abs(filepath.Join("..", "..", "examples", "policies"))

// binDir is where testscript put the commands: the first entry of PATH.
func binDir() string {
	return filepath.SplitList(os.Getenv("PATH"))[0]
}

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SLIPWAY_PROVIDER_PATH", binDir())
			env.Setenv("NO_COLOR", "1")
			// No plan starts an agent that outlives its script; the
			// agent scripts ask for one.
			env.Setenv("SLIPWAY_AGENT", "off")
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			schemaCheckEnv(env)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      scriptExits,
			"oldlock":    scriptOldLock,
			"stuckagent": scriptStuckAgent,
		},
	})
}

// scriptExits is the script command `exits N CMD ARGS...`: it runs a
// command and checks its exit code.
func scriptExits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if (got == want) == neg {
		ts.Fatalf("%s exited %d, want %s%d", strings.Join(args[1:], " "), got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// scriptStuckAgent is the script command `stuckagent PATH`: an agent's
// socket at PATH whose process never takes a connection, as one stopped
// with SIGSTOP or wedged: the kernel takes each connection and request
// into its buffers, and nothing answers. It lasts until the script ends.
func scriptStuckAgent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stuckagent PATH")
	}
	l, err := agent.Listen(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("stuckagent: %v", err)
	}
	ts.Defer(func() { l.Close() })
}
