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

package agent

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"slipway.dev/slipway/plugin-sdk/peercred"
)

// SocketPath is where the agent of a configuration directory listens,
// relative to that directory (which keeps it within the length a socket
// path may have, however deep the directory is).
var SocketPath = filepath.Join(".slipway", "agent.sock")

// Request is what a client asks the agent to run.
type Request struct {
	// Args is the command line, the command first (only "plan" is
	// served), without -chdir: the client has already moved into the
	// directory the agent serves.
	Args []string `json:"args"`
	// Dir is the client's working directory, which must be the agent's.
	Dir string `json:"dir"`
	// Env is the client's environment.
	Env []string `json:"env"`
	// Color says the client's standard output wants colour (a terminal,
	// NO_COLOR unset).
	Color bool `json:"color"`
	// Build identifies the client's slipway binary (see Build).
	Build string `json:"build"`
	// Ack asks the agent to send frameAccepted once it has read the
	// request. Ask sets it; clients of builds before it do not, and get
	// no frame they do not know.
	Ack bool `json:"ack,omitempty"`
}

// Build identifies the running slipway binary by version, path, size and
// modification time: an agent serves only clients of the build it runs,
// so that a rebuilt or upgraded slipway never gets a plan made by the old
// one.
func Build(version string) string {
	exe, err := os.Executable()
	if err != nil {
		return version
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	info, err := os.Stat(exe)
	if err != nil {
		return version + " " + exe
	}
	return fmt.Sprintf("%s %s %d %d", version, exe, info.Size(), info.ModTime().UnixNano())
}

// shellNoise are the variables a shell, a terminal or a terminal
// multiplexer sets, which differ between two windows of the same user and
// that neither slipway nor its providers read. NO_COLOR is left out too:
// the client sends whether it wants colour (Request.Color).
var shellNoise = map[string]bool{
	"_": true, "PWD": true, "OLDPWD": true, "SHLVL": true,
	"TERM": true, "COLORTERM": true, "TERM_PROGRAM": true, "TERM_PROGRAM_VERSION": true, "TERM_SESSION_ID": true,
	"COLUMNS": true, "LINES": true, "NO_COLOR": true,
	"TMUX": true, "TMUX_PANE": true, "STY": true, "WINDOW": true, "WINDOWID": true,
	"SSH_TTY": true, "SSH_CONNECTION": true, "SSH_CLIENT": true, "GPG_TTY": true,
	"PS1": true, "PS2": true, "PROMPT_COMMAND": true, "HISTFILE": true, "HISTSIZE": true, "HISTCONTROL": true,
	"LS_COLORS": true, "LSCOLORS": true, "VTE_VERSION": true, "ITERM_SESSION_ID": true, "INSIDE_EMACS": true,
	"DISPLAY": true, "WAYLAND_DISPLAY": true, "XDG_SESSION_ID": true, "XDG_VTNR": true,
	// Read by the client alone, to choose whether to ask an agent.
	ModeEnv: true,
}

// EnvDiff returns the names of the variables whose values differ between
// two environments (KEY=VALUE entries, the last of a name winning), but
// for shellNoise, sorted. Values are never returned: they may be secrets.
func EnvDiff(a, b []string) []string {
	ma, mb := envMap(a), envMap(b)
	var out []string
	for k, v := range ma {
		if w, ok := mb[k]; (!ok || w != v) && !shellNoise[k] {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok && !shellNoise[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// ModeEnv says whether plan uses an agent (see ModeOf).
const ModeEnv = "SLIPWAY_AGENT"

// Mode is what plan does about an agent.
type Mode int

const (
	ModeOff   Mode = iota // ask none
	ModeAsk               // ask the one running in the directory, start none
	ModeStart             // ask the one running, or else start one
)

// ModeOf is what plan does about an agent, from SLIPWAY_AGENT in env:
// "off" asks none (as plan -agent=false), "on" starts one when none
// runs, and unset or "auto" starts one too but in automation
// (inAutomation: SLIPWAY_IN_AUTOMATION) or CI (CI set to other than
// false, or a CI system's own variable), where it only asks the one
// running: a CI job's machine is gone after the job, and a process left
// behind would outlive what it was started for.
func ModeOf(env []string, inAutomation bool) Mode {
	vars := envMap(env)
	switch strings.ToLower(vars[ModeEnv]) {
	case "off", "false", "0", "no":
		return ModeOff
	case "on", "true", "1", "yes":
		return ModeStart
	}
	if inAutomation || inCI(vars) {
		return ModeAsk
	}
	return ModeStart
}

// ciVars are variables CI systems set in every job, besides CI (which
// GitHub Actions, GitLab CI, CircleCI, Travis CI, Buildkite and most
// others set): Jenkins, Azure Pipelines, TeamCity and AWS CodeBuild.
var ciVars = []string{"JENKINS_URL", "TF_BUILD", "TEAMCITY_VERSION", "CODEBUILD_BUILD_ID"}

func inCI(vars map[string]string) bool {
	if v := vars["CI"]; v != "" && !strings.EqualFold(v, "false") && v != "0" {
		return true
	}
	return slices.ContainsFunc(ciVars, func(k string) bool { return vars[k] != "" })
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok {
			m[k] = v
		}
	}
	return m
}

// The frames the agent sends back: a kind byte, a big-endian length and
// the payload.
const (
	frameStdout  byte = 1
	frameStderr  byte = 2
	frameExit    byte = 3 // payload: the exit code in decimal; the last frame
	frameRefused byte = 4 // payload: why; the only frame besides frameAccepted
	// frameAccepted, with no payload, says the agent read the request;
	// sent first, at once, when the request asks (Request.Ack).
	frameAccepted byte = 5
	// frameWaiting, before the plan begins, says it waits for another
	// the agent is making; the client prints its payload on standard
	// error. A refusal may still follow it.
	frameWaiting byte = 6
)

// answerTimeout bounds how long Ask waits for the agent's first frame.
// An agent that runs reads a request and acknowledges it within
// milliseconds, also while another plan holds it; one that does not
// answer in this time is stopped (SIGSTOP), or wedged: the kernel takes
// the connection and the request into the socket's buffers all the same,
// and without a bound the plan would wait for it forever.
var answerTimeout = 5 * time.Second

// interruptByte is what a client sends once the user interrupted it.
const interruptByte = 'i'

// StopArgs are the arguments of the request of slipway agent -stop. It is
// answered at once, not after the plans waiting their turn: a plan that
// hangs (its client stopped with Ctrl-Z, a pager left open) must not keep
// the agent from being stopped.
var StopArgs = []string{"agent", "-stop"}

// IsStop reports whether req asks the agent to stop.
func (r *Request) IsStop() bool { return slices.Equal(r.Args, StopArgs) }

// requestTimeout bounds how long a connection may take to send its
// request: one that sends nothing must not hold the agent's shutdown.
const requestTimeout = 10 * time.Second

// stopGrace is how long a request running when the agent stops has to
// send its last frames before its connection is closed.
const stopGrace = 2 * time.Second

// maxRequest bounds a request's size.
const maxRequest = 4 << 20

// maxFrame bounds a frame's payload.
const maxFrame = 1 << 20

// Handler runs one request, writing to stdout and stderr, and returns the
// exit code, or why it will not run it (refused non-empty), in which case
// it must have written nothing. ctx ends when the client interrupts or
// goes away.
type Handler func(ctx context.Context, req *Request, stdout, stderr io.Writer) (code int, refused string)

// Serve accepts connections on l until ctx ends, and runs their requests
// with h one at a time, in the order they arrive. A connection from
// another user is closed unanswered. logf, when set, is told of each one
// refused that way.
func Serve(ctx context.Context, l net.Listener, h Handler, logf func(format string, args ...any)) error {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var one sync.Mutex // one request at a time
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		uc, ok := conn.(*net.UnixConn)
		if !ok {
			conn.Close()
			continue
		}
		if err := sameUser(uc); err != nil {
			logf("refused a connection: %v", err)
			conn.Close()
			continue
		}
		wg.Go(func() {
			defer conn.Close()
			serveConn(ctx, uc, h, &one)
		})
	}
}

// serveConn reads a request from conn and answers it.
// waitingMessage is what a client whose plan waits for another's turn
// prints.
const waitingMessage = "slipway: waiting for the agent to finish another plan (slipway agent -stop ends it, slipway plan -agent=false plans without it)\n"

func serveConn(ctx context.Context, conn *net.UnixConn, h Handler, one *sync.Mutex) {
	// Once the agent stops, a connection that has sent no request yet
	// ends: it must not hold the agent's shutdown.
	closeIfStopped := context.AfterFunc(ctx, func() { conn.Close() })
	r := bufio.NewReader(io.LimitReader(conn, maxRequest))
	_ = conn.SetReadDeadline(time.Now().Add(requestTimeout))
	line, err := r.ReadBytes('\n')
	if !closeIfStopped() || err != nil {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	var req Request
	if err := json.Unmarshal(line, &req); err != nil || len(req.Args) == 0 {
		writeFrame(conn, frameRefused, []byte("the request could not be read"))
		return
	}
	if req.Ack {
		if writeFrame(conn, frameAccepted, nil) != nil {
			return
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The client sends one byte when the user interrupts it, and closes
	// the connection when it goes away: either ends the request, also
	// while it waits its turn. It is read through r, which may hold it
	// already, read with the request.
	go func() {
		var b [1]byte
		r.Read(b[:])
		cancel()
	}()
	if !req.IsStop() {
		if !one.TryLock() {
			// Another plan is being made: say so, rather than wait in
			// silence behind it (a plan whose output a pager holds).
			if writeFrame(conn, frameWaiting, []byte(waitingMessage)) != nil {
				return
			}
			one.Lock()
		}
		defer one.Unlock()
	}
	if ctx.Err() != nil {
		// The agent stopped while this request waited its turn.
		writeFrame(conn, frameRefused, []byte("the agent is stopping"))
		return
	}
	if rctx.Err() != nil {
		// Its client went away while it waited its turn: nothing is
		// made for no one, and the providers stay warm.
		return
	}
	// Nor does a request running when it stops: its plan is cancelled
	// (rctx) and has stopGrace to send its last frames; a plan blocked
	// writing to a client that reads nothing (stopped with Ctrl-Z) ends
	// with its connection then. (One waiting its turn is refused once it
	// gets it.) The timer may fire after the request ended: the
	// connection is closed by then, and closing it again does nothing.
	defer context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, func() { conn.Close() }) })()
	w := &frames{conn: conn}
	code, refused := h(rctx, &req, w.stream(frameStdout), w.stream(frameStderr))
	if refused != "" {
		w.write(frameRefused, []byte(refused))
		return
	}
	w.write(frameExit, []byte(strconv.Itoa(code)))
	// The client has its answer: what the request left for the garbage
	// collector is collected now, between requests, rather than by a
	// collection during the next one. The process holds what it keeps
	// for the next plans (the state, the evaluations), and a plan of
	// 1,000 apps allocated about as much again: the collector otherwise
	// ran during every other plan.
	go runtime.GC()
}

// frames writes frames to a connection, one at a time.
type frames struct {
	mu   sync.Mutex
	conn net.Conn
	err  error
}

func (f *frames) write(kind byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.err = writeFrame(f.conn, kind, p)
	return f.err
}

// stream is the writer of one of the client's streams. It is a pointer,
// so that writers can be compared, as a view compares them to standard
// output.
func (f *frames) stream(kind byte) io.Writer { return &stream{f: f, kind: kind} }

type stream struct {
	f    *frames
	kind byte
}

func (s *stream) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), maxFrame)
		if err := s.f.write(s.kind, rest[:n]); err != nil {
			return len(p) - len(rest), err
		}
		rest = rest[n:]
	}
	return len(p), nil
}

func writeFrame(w io.Writer, kind byte, p []byte) error {
	hdr := make([]byte, 5, 5+len(p))
	hdr[0] = kind
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(p)))
	_, err := w.Write(append(hdr, p...))
	return err
}

// ErrNoAgent is returned by Ask when no agent listens in the directory.
var ErrNoAgent = errors.New("no agent")

// ErrServed is returned by Listen when another agent already serves the
// directory.
var ErrServed = errors.New("another agent already serves this directory")

// ErrUnresponsive is returned by Ask when the agent took the connection
// but sent nothing within answerTimeout (a stopped or wedged process). It
// was sent the request, which it may still run, and nothing was written.
var ErrUnresponsive = errors.New("the agent does not answer")

// ErrAnotherUser is returned by Ask when a process of another user
// listens at the agent's socket (a socket, or a link to one, that a
// repository or another user left there): it is sent nothing, not even
// the request, which holds the environment.
var ErrAnotherUser = errors.New("a process of another user listens on the agent's socket")

// Refused is returned by Ask when the agent would not serve the request;
// nothing was written then.
type Refused struct{ Reason string }

func (r *Refused) Error() string { return "the agent did not serve the plan: " + r.Reason }

// Ask sends req to the agent listening at path, copies what it writes
// to stdout and stderr, and returns the exit code. It returns ErrNoAgent
// when nothing listens there and a *Refused when the agent will not serve
// req, ErrAnotherUser when the process listening is not of this
// process's user, and ErrUnresponsive when the agent sent nothing within
// answerTimeout; in all four cases it wrote nothing. Once ctx ends it
// tells the agent, which stops the request, and waits for the agent's
// last frames.
func Ask(ctx context.Context, path string, req *Request, stdout, stderr io.Writer) (int, error) {
	if _, err := os.Lstat(path); err != nil {
		return 0, ErrNoAgent
	}
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		// A socket nothing listens on: an agent that was killed.
		return 0, fmt.Errorf("%w: %v", ErrNoAgent, err)
	}
	defer conn.Close()
	if err := ownListener(conn); err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrAnotherUser, path, err)
	}
	ack := *req
	ack.Ack = true
	b, err := json.Marshal(&ack)
	if err != nil {
		return 0, err
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoAgent, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Write([]byte{interruptByte}) })
	defer stop()
	_ = conn.SetReadDeadline(time.Now().Add(answerTimeout))
	r := bufio.NewReader(conn)
	var hdr [5]byte
	for first, answered := true, false; ; {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			switch {
			case !answered && errors.Is(err, os.ErrDeadlineExceeded):
				pid := 0
				if uc, ok := conn.(*net.UnixConn); ok {
					pid, _ = peercred.PID(uc)
				}
				return 0, &unresponsive{pid: pid}
			case first:
				// The agent went away before answering: plan without it.
				return 0, fmt.Errorf("%w: %v", ErrNoAgent, err)
			}
			return 1, fmt.Errorf("the agent stopped before the plan ended: %w", err)
		}
		if !answered {
			// Answered: from here the plan takes the time it takes,
			// waiting its turn behind another plan included.
			answered = true
			_ = conn.SetReadDeadline(time.Time{})
		}
		if hdr[0] == frameAccepted {
			if binary.BigEndian.Uint32(hdr[1:]) != 0 {
				return 1, fmt.Errorf("the agent sent an acknowledgement with a payload")
			}
			continue
		}
		n := binary.BigEndian.Uint32(hdr[1:])
		if n > maxFrame {
			return 1, fmt.Errorf("the agent sent a frame of %d bytes", n)
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(r, p); err != nil {
			return 1, fmt.Errorf("the agent stopped before the plan ended: %w", err)
		}
		switch hdr[0] {
		case frameStdout:
			stdout.Write(p)
		case frameStderr:
			stderr.Write(p)
		case frameWaiting:
			stderr.Write(p)
			continue // the plan has not begun: a refusal may still come
		case frameExit:
			code, err := strconv.Atoi(string(p))
			if err != nil {
				return 1, fmt.Errorf("the agent sent exit code %q", p)
			}
			return code, nil
		case frameRefused:
			if !first {
				return 1, fmt.Errorf("the agent refused the plan after it began: %s", p)
			}
			return 0, &Refused{Reason: string(p)}
		default:
			return 1, fmt.Errorf("the agent sent a frame of kind %d", hdr[0])
		}
		first = false
	}
}

// unresponsive is ErrUnresponsive naming the agent's process.
type unresponsive struct{ pid int }

func (e *unresponsive) Error() string {
	if e.pid > 0 {
		return fmt.Sprintf("%v within %v (pid %d)", ErrUnresponsive, answerTimeout, e.pid)
	}
	return fmt.Sprintf("%v within %v", ErrUnresponsive, answerTimeout)
}

func (e *unresponsive) Unwrap() error { return ErrUnresponsive }

// UnresponsiveAdvice is what to do of an agent Ask found unresponsive
// (err wraps ErrUnresponsive): end its process.
func UnresponsiveAdvice(err error) string {
	if u := (*unresponsive)(nil); errors.As(err, &u) && u.pid > 0 {
		return fmt.Sprintf("end it (kill %d)", u.pid)
	}
	return "end its process"
}

// Listening reports whether an agent of this process's user listens at
// path, and which process it is (0 where that cannot be told). A socket
// another user's process listens on is none: Listen replaces it.
func Listening(path string) (pid int, ok bool) {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return 0, false
	}
	defer c.Close()
	if ownListener(c) != nil {
		return 0, false
	}
	if uc, isUnix := c.(*net.UnixConn); isUnix {
		pid, _ = peercred.PID(uc)
	}
	return pid, true
}

// Listen listens on a socket at path (SocketPath, in the directory the
// agent serves), which only the process's user may open. A socket left by
// an agent that is gone is replaced; one another agent still answers on
// is an error.
func Listen(path string) (net.Listener, error) {
	if err := Supported(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		if _, ok := Listening(path); ok {
			return nil, fmt.Errorf("%w on %s", ErrServed, path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("unix", path)
	if errors.Is(err, syscall.EADDRINUSE) {
		// Another agent listened since the check.
		return nil, fmt.Errorf("%w on %s", ErrServed, path)
	}
	if err != nil {
		return nil, err
	}
	// Between the socket's creation and this, a process of another user
	// that connects is still refused: Serve checks every peer.
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}
