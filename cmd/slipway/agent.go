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
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/cmd/slipway/internal/agent"
	"slipway.dev/slipway/cmd/slipway/internal/command"
	"slipway.dev/slipway/internal/confine"
)

// planByAgent has the agent of the working directory make the plan: the
// one running there, or else one it starts (startAgent). It reports false,
// having written nothing, when there is none and none may be started,
// when it refuses (another build, another environment), or when use is
// false (plan -agent=false, SLIPWAY_AGENT=off).
func planByAgent(ctx context.Context, m *command.Meta, inv *invocation, use bool) (int, bool) {
	mode := agent.ModeOf(inv.env, m.InAutomation())
	if !use || inv.resident != nil || mode == agent.ModeOff {
		return 0, false
	}
	if processLocal(inv.args) {
		m.Debugf("plan: an argument names a file of this process (/dev, /proc); planning here")
		return 0, false
	}
	dir, err := os.Getwd()
	if err != nil {
		return 0, false
	}
	req := &agent.Request{Args: withoutChdir(inv.args), Dir: dir, Env: inv.env, Color: m.View.Color, Build: agent.Build(version)}
	code, err := agent.Ask(ctx, agent.SocketPath, req, inv.stdout, inv.stderr)
	if errors.Is(err, agent.ErrNoAgent) && mode == agent.ModeStart {
		if serr := startAgent(ctx, inv); serr != nil {
			m.Debugf("plan: no agent started (%v); planning here", serr)
		} else {
			code, err = agent.Ask(ctx, agent.SocketPath, req, inv.stdout, inv.stderr)
		}
	}
	var refused *agent.Refused
	switch {
	case err == nil:
		m.Debugf("plan: made by the agent on %s", agent.SocketPath)
		return code, true
	case errors.Is(err, agent.ErrAnotherUser):
		// Left by a repository, or by another user: not an agent of
		// this user's, and not one to replace while it listens.
		fmt.Fprintf(inv.stderr, "Warning: %v; slipway sent it nothing and plans without an agent. Remove %s to have an agent again.\n", err, agent.SocketPath)
		return 0, false
	case errors.Is(err, agent.ErrUnresponsive):
		// Stopped (Ctrl-Z in the terminal that started it, SIGSTOP) or
		// wedged: it has the request, and may run it once it runs
		// again, but this plan does not wait for it.
		fmt.Fprintf(inv.stderr, "Warning: %v, so slipway plans without it. If it stays so, %s; the next plan starts another.\n", err, agent.UnresponsiveAdvice(err))
		return 0, false
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

// agentLog is where an agent that plan started writes its log.
var agentLog = filepath.Join(".slipway", "agent.log")

// startAgent starts `slipway agent -on-demand` in the working directory,
// in a session of its own (so the terminal's Ctrl-C and hangup reach the
// plan, not the agent) with the client's environment and its log in
// agentLog, and waits until it listens. The directory must have been
// initialised (.slipway exists): an agent serves a directory someone
// works in, and its socket and log live there.
func startAgent(ctx context.Context, inv *invocation) error {
	if err := agent.Supported(); err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Dir(agent.SocketPath)); err != nil || !fi.IsDir() {
		return errors.New("the directory is not initialised")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// Appended to, not truncated: a plan started at the same time may
	// have started an agent writing there. The agent that listens
	// truncates it (truncateLog). Never through a link, nor into
	// anything but a file: a repository may hold .slipway/agent.log as
	// a link to a file of the user's, which the agent would empty.
	log, err := confine.OpenFile(agentLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "agent", "-on-demand")
	cmd.Args[0] = os.Args[0] // the name a multi-call binary runs by
	cmd.Env = inv.env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = detached()
	err = cmd.Start()
	log.Close()
	if err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The agent listens once it has started (some 50 ms); a second plan
	// started at the same time may have started the one that answers,
	// which is the one to name.
	pid := cmd.Process.Pid
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		if listener, ok := agent.Listening(agent.SocketPath); ok {
			if listener > 0 {
				pid = listener
			}
			return true, nil
		}
		select {
		case err := <-exited:
			return false, fmt.Errorf("the agent stopped (%v); its log is %s", err, agentLog)
		default:
			return false, nil
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.stderr, "slipway: started an agent to make this directory's plans (process %d; it stops after %s without a plan, or with slipway agent -stop; %s=off starts none). Later plans will be faster.\n",
		pid, shortDuration(defaultIdleTimeout), agent.ModeEnv)
	return nil
}

// defaultIdleTimeout is how long an agent waits for a plan before it
// stops, as a build tool's server does (3 hours).
const defaultIdleTimeout = 3 * time.Hour

// shortDuration spells d as "3h" rather than "3h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
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

// agentOptions are the flags of slipway agent.
type agentOptions struct {
	idleTimeout time.Duration
	// onDemand is set for an agent that plan started (startAgent): it
	// stops once it refuses a plan for its build, environment or
	// directory, so that the next plan starts one of its own.
	onDemand bool
	// stop asks the agent running in the directory to stop.
	stop bool
}

// watchSocketEvery is how often an agent checks that its socket is
// still there.
const watchSocketEvery = 10 * time.Second

// serveAgent runs `slipway agent`: it listens on the directory's socket
// and makes the plans its clients ask for, one at a time, keeping the
// providers running and the state read between them, until the user
// stops it, it has made no plan for the idle timeout, or its socket is
// gone (its directory removed, or another agent took its place).
func serveAgent(ctx context.Context, inv *invocation, opts agentOptions) int {
	if opts.stop {
		return stopAgent(ctx, inv)
	}
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	l, sock, err := listenAgent(agent.SocketPath)
	if opts.onDemand && errors.Is(err, agent.ErrServed) {
		// A plan started at the same time started the one that serves.
		fmt.Fprintf(inv.stdout, "slipway agent: not started (process %d): %v.\n", os.Getpid(), err)
		return 0
	}
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	if opts.onDemand {
		truncateLog(inv.stdout)
	}
	// The socket goes last, once the providers are stopped and the last
	// line is written: slipway agent -stop returns when it is gone.
	defer removeSocket(agent.SocketPath, sock)
	defer l.Close()
	resident := &command.Resident{}
	defer resident.CloseProviders()
	build := agent.Build(version)
	logf := func(format string, args ...any) {
		fmt.Fprintf(inv.stdout, "%s %s\n", time.Now().Format(time.TimeOnly), fmt.Sprintf(format, args...))
	}
	if opts.onDemand {
		fmt.Fprintf(inv.stdout, "slipway agent: started by slipway plan to make the plans of %s (socket %s, process %d); stop it with slipway agent -stop.\n", dir, agent.SocketPath, os.Getpid())
	} else {
		fmt.Fprintf(inv.stdout, "slipway agent: making the plans of %s (socket %s, process %d); stop it with Ctrl-C.\n", dir, agent.SocketPath, os.Getpid())
	}
	// Like a build tool's server, it stops by itself once it has made no
	// plan for a while, so a forgotten one does not hold its memory.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var why atomic.Pointer[string]
	stopFor := func(reason string) {
		why.CompareAndSwap(nil, &reason)
		stop()
	}
	var timer *time.Timer
	if opts.idleTimeout > 0 {
		timer = time.AfterFunc(opts.idleTimeout, func() {
			stopFor(fmt.Sprintf("stopped after %s without a plan (-idle-timeout)", opts.idleTimeout))
		})
	}
	go watchSocket(ctx, agent.SocketPath, sock, watchSocketEvery, stopFor)
	handle := func(rctx context.Context, req *agent.Request, stdout, stderr io.Writer) (int, string) {
		if isStopRequest(req) {
			logf("asked to stop (slipway agent -stop)")
			fmt.Fprintf(stdout, "slipway agent: stopping the agent of %s (process %d).\n", dir, os.Getpid())
			stopFor("stopped (slipway agent -stop)")
			return 0, ""
		}
		if why, stops := refusal(req, dir, build, inv.env); why != "" {
			logf("refused %s: %s", describe(req.Args), why)
			if opts.onDemand && stops {
				// Started for another build, environment or
				// directory: the next plan starts one for its own.
				stopFor("stopped: started by plan, it makes no plan of another build, environment or directory")
			}
			return 0, why
		}
		// Only a plan it makes keeps it from stopping for idleness: one
		// it refuses (another environment, say) serves nobody.
		if timer != nil {
			timer.Stop()
			defer timer.Reset(opts.idleTimeout)
		}
		began := time.Now()
		code := servePlan(rctx, req, stdout, stderr, resident)
		note := ""
		if started := resident.Launched(); len(started) > 0 {
			note = "; started provider " + strings.Join(started, ", ")
		}
		if rctx.Err() != nil && ctx.Err() == nil {
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
	resident.CloseProviders()
	if w := why.Load(); w != nil {
		fmt.Fprintf(inv.stdout, "slipway agent: %s.\n", *w)
		return 0
	}
	fmt.Fprintln(inv.stdout, "slipway agent: stopped.")
	return 0
}

// watchSocket stops the agent (stopFor) once its socket is no longer
// the file it listens on: its directory was removed (a temporary one,
// a checkout deleted), or the socket was, and no client can reach it. A
// socket of another agent in its place is left to that agent.
func watchSocket(ctx context.Context, path string, sock os.FileInfo, every time.Duration, stopFor func(string)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if isSocket(path, sock) {
			continue
		}
		stopFor("stopped: its socket " + path + " is gone, so no plan can reach it")
		return
	}
}

// truncateLog empties the log of an agent that plan started (its
// standard output, agentLog, opened for appending), once it listens: the
// log is that of the agent serving, not of the ones before it.
func truncateLog(w io.Writer) {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			f.Truncate(0)
		}
	}
}

// listenAgent listens on the agent's socket at path and returns the
// socket file's own information. Closing the listener leaves the file
// (Serve closes it as soon as the agent is asked to stop); removeSocket
// removes it once the agent has stopped.
func listenAgent(path string) (net.Listener, os.FileInfo, error) {
	l, err := agent.Listen(path)
	if err != nil {
		return nil, nil, err
	}
	sock, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return nil, nil, err
	}
	if ul, ok := l.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
	return l, sock, nil
}

// isSocket reports whether the file at path is still sock, an agent's
// socket: not removed, and no other agent's in its place.
func isSocket(path string, sock os.FileInfo) bool {
	fi, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, sock)
}

// removeSocket removes the agent's socket at path, unless another
// agent's is in its place.
func removeSocket(path string, sock os.FileInfo) {
	if isSocket(path, sock) {
		os.Remove(path)
	}
}

// stopArgs is the request of slipway agent -stop.
var stopArgs = agent.StopArgs

func isStopRequest(req *agent.Request) bool { return req.IsStop() }

// stopAgent runs slipway agent -stop: it asks the agent of the working
// directory to stop, whichever build or environment it runs with, and
// waits until it has stopped: its providers stopped, its last line
// written, its socket removed last.
func stopAgent(ctx context.Context, inv *invocation) int {
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	sock, _ := os.Lstat(agent.SocketPath)
	req := &agent.Request{Args: stopArgs, Dir: dir, Env: inv.env, Build: agent.Build(version)}
	code, err := agent.Ask(ctx, agent.SocketPath, req, inv.stdout, inv.stderr)
	if errors.Is(err, agent.ErrNoAgent) {
		fmt.Fprintf(inv.stdout, "slipway agent: no agent runs in %s.\n", dir)
		return 0
	}
	if errors.Is(err, agent.ErrUnresponsive) {
		fmt.Fprintf(inv.stderr, "Error: %v: %s.\n", err, agent.UnresponsiveAdvice(err))
		return 1
	}
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: %v\n", err)
		return 1
	}
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		// Gone, or another agent's in its place (a plan that found
		// this one stopping started one).
		return !isSocket(agent.SocketPath, sock), nil
	})
	if err != nil {
		fmt.Fprintf(inv.stderr, "Error: the agent still listens on %s: %v\n", agent.SocketPath, err)
		return 1
	}
	return code
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

// refusal says why the agent will not make the plan req asks for, or "",
// and whether it is for the agent's build, environment or directory
// (stops), which an agent started on demand stops for.
func refusal(req *agent.Request, dir, build string, env []string) (why string, stops bool) {
	if req.Build != build {
		return "the agent runs another slipway build; restart it (slipway agent) to use this one", true
	}
	// The directory the agent works in, not the path it was started by:
	// a link switched since (current -> releases/124) names another one.
	if a, err := os.Stat(req.Dir); err != nil || !sameDir(a, ".") {
		return "the agent makes the plans of " + dir + " only", true
	}
	// The same directory by another path (a link): path.root, path.cwd,
	// abspath() and a relative -source would be spelled from the agent's
	// path, not the client's, and the plan would differ from the one the
	// client makes itself.
	if c, a := command.EnvOf(req.Env, "PWD"), command.EnvOf(env, "PWD"); c != "" && a != "" && filepath.Clean(c) != filepath.Clean(a) && pathIsDir(c, req.Dir) {
		return "the directory is reached by another path (" + c + ") than the agent's (" + a + "), which path.root, path.cwd and relative paths would show", false
	}
	if commandOf(req.Args) != "plan" {
		return "the agent makes plans only", false
	}
	if slices.ContainsFunc(req.Args, func(a string) bool {
		return a == "--" || strings.HasPrefix(a, "-chdir") || strings.HasPrefix(a, "--chdir")
	}) {
		return "the agent takes no -chdir", false
	}
	if processLocal(req.Args) {
		return "an argument names a file of the client's process (/dev, /proc), which the agent would read as its own", false
	}
	if diff := agent.EnvDiff(req.Env, env); len(diff) > 0 {
		return "the environment differs from the agent's (" + strings.Join(diff, ", ") + "); start the agent from the same environment", true
	}
	return "", false
}

// processLocal reports whether an argument names a file that is the
// process's own (-var-file=/dev/stdin, a shell's <(...) as /dev/fd/63,
// -out=/dev/stdout, anything under /proc): the agent would open its own,
// not the client's, reading no variables or writing the plan to its log.
func processLocal(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = v
		}
		return strings.HasPrefix(a, "/dev/") || strings.HasPrefix(a, "/proc/")
	})
}

// pathIsDir reports whether path names directory dir (a client's PWD
// names the directory it plans unless it gave -chdir).
func pathIsDir(path, dir string) bool {
	a, err := os.Stat(path)
	return err == nil && sameDir(a, dir)
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
	defer inv.close()
	root := newRoot(ctx, ctx, &code, inv)
	root.SetArgs(normalizeArgs(req.Args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		return 1
	}
	return code
}
