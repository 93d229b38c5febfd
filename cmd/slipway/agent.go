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
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"slipway.dev/slipway/cmd/slipway/internal/agent"
	"slipway.dev/slipway/cmd/slipway/internal/command"
)

// planByAgent has the agent of the working directory make the plan, when
// one runs there and will make it: it reports false, having written
// nothing, when there is none, when it refuses (another build, another
// environment), or when use is false (plan -agent=false).
func planByAgent(ctx context.Context, m *command.Meta, inv *invocation, use bool) (int, bool) {
	if !use || inv.resident != nil {
		return 0, false
	}
	dir, err := os.Getwd()
	if err != nil {
		return 0, false
	}
	req := &agent.Request{Args: withoutChdir(inv.args), Dir: dir, Env: inv.env, Color: m.View.Color, Build: agent.Build(version)}
	code, err := agent.Ask(ctx, agent.SocketPath, req, inv.stdout, inv.stderr)
	var refused *agent.Refused
	switch {
	case err == nil:
		m.Debugf("plan: made by the agent on %s", agent.SocketPath)
		return code, true
	case errors.Is(err, agent.ErrNoAgent):
		if err != agent.ErrNoAgent {
			m.Debugf("plan: no agent answers on %s (%v); planning here", agent.SocketPath, err)
		}
		return 0, false
	case errors.As(err, &refused):
		m.Debugf("plan: %v; planning here", err)
		return 0, false
	default:
		// The agent broke off a plan it had begun writing.
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1, true
	}
}

// withoutChdir is a command line without -chdir, which the client has
// already acted on.
func withoutChdir(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--chdir" || a == "-chdir" {
			i++ // and its value
			continue
		}
		if strings.HasPrefix(a, "--chdir=") || strings.HasPrefix(a, "-chdir=") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// serveAgent runs `slipway agent`: it listens on the directory's socket
// and makes the plans its clients ask for, one at a time, keeping the
// providers running and the state read between them, until the user
// stops it.
func serveAgent(ctx context.Context, inv *invocation, idleTimeout time.Duration) int {
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	l, err := agent.Listen(agent.SocketPath)
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	defer l.Close() // which removes the socket
	resident := &command.Resident{}
	defer resident.CloseProviders()
	build := agent.Build(version)
	logf := func(format string, args ...any) {
		fmt.Fprintf(inv.stdout, "%s %s\n", time.Now().Format(time.TimeOnly), fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(inv.stdout, "slipway agent: making the plans of %s (socket %s, process %d); stop it with Ctrl-C.\n", dir, agent.SocketPath, os.Getpid())
	// Like a build tool's server, it stops by itself once it has made no
	// plan for a while, so a forgotten one does not hold its memory.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var idled atomic.Bool
	idle := func() {
		idled.Store(true)
		stop()
	}
	var timer *time.Timer
	if idleTimeout > 0 {
		timer = time.AfterFunc(idleTimeout, idle)
	}
	handle := func(rctx context.Context, req *agent.Request, stdout, stderr io.Writer) (int, string) {
		if timer != nil {
			timer.Stop()
			defer timer.Reset(idleTimeout)
		}
		if why := refusal(req, dir, build, inv.env); why != "" {
			logf("refused %s: %s", describe(req.Args), why)
			return 0, why
		}
		began := time.Now()
		code := servePlan(rctx, req, stdout, stderr, resident)
		note := ""
		if started := resident.Launched(); len(started) > 0 {
			note = "; started provider " + strings.Join(started, ", ")
		}
		if rctx.Err() != nil {
			// Stopped by its client: its providers may have been
			// stopped mid-call; the next plan starts them afresh.
			resident.CloseProviders()
			note = "; stopped by its client"
		}
		logf("%s: exit %d in %s%s", describe(req.Args), code, time.Since(began).Round(time.Millisecond), note)
		return code, ""
	}
	if err := agent.Serve(ctx, l, handle, logf); err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	if idled.Load() {
		fmt.Fprintf(inv.stdout, "slipway agent: stopped after %s without a plan (-idle-timeout).\n", idleTimeout)
		return 0
	}
	fmt.Fprintln(inv.stdout, "slipway agent: stopped.")
	return 0
}

// describe is a command line for the agent's log: the command and the
// names of its flags, spelt with one dash as slipway's docs spell them,
// not their values (-var may carry a secret).
func describe(args []string) string {
	out := []string{commandOf(args)}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			name, _, _ := strings.Cut(a, "=")
			out = append(out, "-"+strings.TrimLeft(name, "-"))
		}
	}
	return strings.Join(out, " ")
}

// commandOf is the command a command line runs: its first word that is
// not a flag. The global flags before it take no value (-chdir, which
// does, the client leaves out).
func commandOf(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// refusal says why the agent will not make the plan req asks for, or "".
func refusal(req *agent.Request, dir, build string, env []string) string {
	if req.Build != build {
		return "the agent runs another slipway build; restart it (slipway agent) to use this one"
	}
	if a, err := os.Stat(req.Dir); err != nil || !sameDir(a, dir) {
		return "the agent makes the plans of " + dir + " only"
	}
	if commandOf(req.Args) != "plan" {
		return "the agent makes plans only"
	}
	if slices.ContainsFunc(req.Args, func(a string) bool {
		return a == "--" || strings.HasPrefix(a, "-chdir") || strings.HasPrefix(a, "--chdir")
	}) {
		return "the agent takes no -chdir"
	}
	if diff := agent.EnvDiff(req.Env, env); len(diff) > 0 {
		return "the environment differs from the agent's (" + strings.Join(diff, ", ") + "); start the agent from the same environment"
	}
	return ""
}

func sameDir(a os.FileInfo, dir string) bool {
	b, err := os.Stat(dir)
	return err == nil && os.SameFile(a, b)
}

// servePlan makes the plan req asks for, as `slipway plan` would in the
// client's place, with the providers and state resident keeps.
func servePlan(ctx context.Context, req *agent.Request, stdout, stderr io.Writer, resident *command.Resident) (code int) {
	// A plan that panics tells its client as a process of its own would,
	// and the agent goes on with providers started afresh.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "panic: %v\n\n%s", r, debug.Stack())
			resident.CloseProviders()
			code = 2
		}
	}()
	inv := &invocation{
		stdout: stdout, stderr: stderr, stdin: strings.NewReader(""), env: req.Env,
		color:  func(noColor bool) bool { return req.Color && !noColor },
		halter: new(command.Halter), args: req.Args, resident: resident,
	}
	root := newRoot(ctx, ctx, &code, inv)
	root.SetArgs(normalizeArgs(req.Args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		return 1
	}
	return code
}
