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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEnvDiff(t *testing.T) {
	t.Parallel()
	a := []string{"KUBECONFIG=/a", "HOME=/h", "PWD=/x", "TERM=xterm", "ONLY_A=1", "SAME=1", "DUP=old", "DUP=new"}
	b := []string{"KUBECONFIG=/b", "HOME=/h", "PWD=/y", "TERM=dumb", "ONLY_B=", "SAME=1", "DUP=new", "NO_COLOR=1"}
	got := EnvDiff(a, b)
	want := []string{"KUBECONFIG", "ONLY_A", "ONLY_B"}
	if !slices.Equal(got, want) {
		t.Fatalf("EnvDiff = %q, want %q", got, want)
	}
	if d := EnvDiff(b, a); !slices.Equal(d, want) {
		t.Fatalf("EnvDiff is not symmetric: %q", d)
	}
	if d := EnvDiff(a, a); d != nil {
		t.Fatalf("EnvDiff of an environment with itself = %q", d)
	}
}

// socketPath is where a test's agent listens: in a new directory with a
// short path, since a socket's path is limited to about 100 bytes
// (t.TempDir's are longer).
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, SocketPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// serve starts an agent on a socket in a new directory with handler h,
// and returns the socket's path and what stops the agent (which the
// test's end does too, and then checks Serve returned no error).
func serve(t *testing.T, h Handler) (string, context.CancelFunc) {
	t.Helper()
	path := socketPath(t)
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, t.Logf) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return path, cancel
}

func TestAskCopiesTheStreamsAndTheExitCode(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 3*maxFrame+17) // more than one frame
	path, _ := serve(t, func(ctx context.Context, req *Request, stdout, stderr io.Writer) (int, string) {
		fmt.Fprintf(stdout, "args %q color %t\n", req.Args, req.Color)
		fmt.Fprintln(stderr, "a warning")
		io.WriteString(stdout, big)
		return 2, ""
	})
	var out, errs bytes.Buffer
	code, err := Ask(context.Background(), path, &Request{Args: []string{"plan", "-detailed-exitcode"}, Color: true}, &out, &errs)
	if err != nil || code != 2 {
		t.Fatalf("Ask = %d, %v; want 2, nil", code, err)
	}
	if want := "args [\"plan\" \"-detailed-exitcode\"] color true\n" + big; out.String() != want {
		t.Fatalf("stdout: %d bytes, want %d", out.Len(), len(want))
	}
	if errs.String() != "a warning\n" {
		t.Fatalf("stderr = %q", errs.String())
	}
}

// TestGarbageIsCollectedBetweenRequests: once a request is answered, the
// agent collects what it left, rather than letting a collection fall in
// the next request. Automatic collections are off for the test (it is not
// parallel): only the agent's can count.
func TestGarbageIsCollectedBetweenRequests(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var before atomic.Uint32
	path, _ := serve(t, func(ctx context.Context, req *Request, stdout, stderr io.Writer) (int, string) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before.Store(ms.NumGC)
		return 0, ""
	})
	if code, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != nil || code != 0 {
		t.Fatalf("Ask = %d, %v", code, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.NumGC > before.Load() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no collection within 10 s of the answer (%d before, %d now)", before.Load(), ms.NumGC)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestARefusedRequestWritesNothing(t *testing.T) {
	t.Parallel()
	path, _ := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		return 0, "the environment differs (KUBECONFIG)"
	})
	var out, errs bytes.Buffer
	_, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, &out, &errs)
	var r *Refused
	if !errors.As(err, &r) || r.Reason != "the environment differs (KUBECONFIG)" {
		t.Fatalf("Ask: %v, want the refusal", err)
	}
	if out.Len()+errs.Len() != 0 {
		t.Fatalf("a refused request wrote %q and %q", out.String(), errs.String())
	}
}

func TestNoAgent(t *testing.T) {
	t.Parallel()
	path := socketPath(t)
	if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != ErrNoAgent {
		t.Fatalf("Ask without a socket: %v, want ErrNoAgent", err)
	}
	// A socket whose agent was killed: nothing listens on it.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("Ask on a dead socket: %v, want ErrNoAgent", err)
	}
	// A new agent replaces the dead socket, and a second one is refused
	// while the first listens.
	l2, err := Listen(path)
	if err != nil {
		t.Fatalf("Listen over a dead socket: %v", err)
	}
	defer l2.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("the socket's mode is %o, want 600", perm)
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "another agent") {
		t.Fatalf("a second Listen: %v, want another agent's error", err)
	}
}

// TestListeningNamesTheListener: Listening tells whether an agent
// listens, and names the process that does, not the one asking (plan
// names it in the line that says it started one, which may be the one a
// plan started at the same time started).
func TestListeningNamesTheListener(t *testing.T) {
	if err := Supported(); err != nil {
		t.Skip(err)
	}
	path := socketPath(t)
	if _, ok := Listening(path); ok {
		t.Fatal("Listening found an agent where none listens")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "AGENT_TEST_LISTEN="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line := make([]byte, len("listening\n"))
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "listening\n" {
		t.Fatalf("the listening process: %q, %v", line, err)
	}
	pid, ok := Listening(path)
	if !ok || pid != cmd.Process.Pid {
		t.Fatalf("Listening = %d, %v; want the listening process %d (this one is %d)", pid, ok, cmd.Process.Pid, os.Getpid())
	}
}

// untilInterrupted is a handler's wait for its request to end, which
// it reports; after ten seconds it reports that it never did.
func untilInterrupted(ctx context.Context, stdout io.Writer) {
	select {
	case <-ctx.Done():
		io.WriteString(stdout, "Interrupted\n")
	case <-time.After(10 * time.Second):
		io.WriteString(stdout, "never interrupted\n")
	}
}

func TestAnInterruptedClientEndsItsRequest(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	path, _ := serve(t, func(ctx context.Context, _ *Request, stdout, _ io.Writer) (int, string) {
		io.WriteString(stdout, "planning\n")
		close(started)
		untilInterrupted(ctx, stdout)
		return 1, ""
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	var out bytes.Buffer
	code, err := Ask(ctx, path, &Request{Args: []string{"plan"}}, &out, io.Discard)
	if err != nil || code != 1 || out.String() != "planning\nInterrupted\n" {
		t.Fatalf("Ask = %d, %v, %q; want the request stopped and its last words", code, err, out.String())
	}
}

func TestAClientThatGoesAwayEndsItsRequest(t *testing.T) {
	t.Parallel()
	ended := make(chan struct{})
	path, _ := serve(t, func(ctx context.Context, _ *Request, stdout, _ io.Writer) (int, string) {
		io.WriteString(stdout, "planning\n")
		select {
		case <-ctx.Done():
			close(ended)
		case <-time.After(10 * time.Second):
		}
		return 1, ""
	})
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, `{"args":["plan"]}`+"\n")
	var hdr [5]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the request still runs after its client went away")
	}
}

func TestRequestsRunOneAtATime(t *testing.T) {
	t.Parallel()
	var running, most atomic.Int32
	path, _ := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
		return 0, ""
	})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m != 1 {
		t.Fatalf("%d requests ran at once, want 1", m)
	}
}

func TestABadRequestIsRefused(t *testing.T) {
	t.Parallel()
	path, _ := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		t.Error("the handler ran for a request that could not be read")
		return 0, ""
	})
	for _, line := range []string{"not json\n", "{}\n", `{"args":[]}` + "\n"} {
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, line)
		b, _ := io.ReadAll(conn)
		conn.Close()
		if len(b) < 5 || b[0] != frameRefused {
			t.Fatalf("%q: answered %q, want a refusal", line, b)
		}
	}
}

// TestMain lets the test binary act as a client of another user
// (TestAnotherUserIsNotServed).
func TestMain(m *testing.M) {
	if path := os.Getenv("AGENT_TEST_LISTEN"); path != "" {
		// An agent of another process (TestListeningNamesTheListener),
		// until its standard input closes.
		l, err := Listen(path)
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		fmt.Println("listening")
		io.ReadAll(os.Stdin)
		l.Close()
		os.Exit(0)
	}
	if path := os.Getenv("AGENT_TEST_RECORD"); path != "" {
		// A process of another user listening where an agent would
		// (TestAListenerOfAnotherUserIsSentNothing): it says how much
		// each client sent, one after the other.
		l, err := net.Listen("unix", path)
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		fmt.Println("listening")
		for {
			conn, err := l.Accept()
			if err != nil {
				fmt.Println("accept:", err)
				os.Exit(1)
			}
			// A request is a line; a client that sends none is
			// let go after a while.
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			b, _ := bufio.NewReader(conn).ReadBytes('\n')
			conn.Close()
			fmt.Printf("received %d bytes\n", len(b))
		}
	}
	if path := os.Getenv("AGENT_TEST_DIAL"); path != "" {
		conn, err := net.Dial("unix", path)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(0)
		}
		io.WriteString(conn, `{"args":["plan"]}`+"\n")
		b, _ := io.ReadAll(conn)
		fmt.Printf("answered %d bytes\n", len(b))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestARequestThatWaitedForAStoppedAgentIsRefused(t *testing.T) {
	t.Parallel()
	first, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	path, stop := serve(t, func(context.Context, *Request, io.Writer, io.Writer) (int, string) {
		if runs.Add(1) == 1 {
			close(first)
			<-release
		}
		return 0, ""
	})
	done := make(chan error, 1)
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard)
		done <- err
	}()
	<-first
	second := make(chan error, 1)
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard)
		second <- err
	}()
	time.Sleep(500 * time.Millisecond) // the second request waits its turn
	stop()
	close(release)
	if err := <-done; err != nil {
		t.Errorf("the request running when the agent stopped: %v", err)
	}
	var r *Refused
	if err := <-second; !errors.As(err, &r) {
		t.Errorf("the request that waited: %v, want a refusal", err)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("%d requests ran, want 1", n)
	}
}

// An interrupt sent with the request, in the same write, still ends it.
func TestAnInterruptSentWithTheRequestEndsIt(t *testing.T) {
	t.Parallel()
	path, _ := serve(t, func(ctx context.Context, _ *Request, stdout, _ io.Writer) (int, string) {
		untilInterrupted(ctx, stdout)
		return 1, ""
	})
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, `{"args":["plan"]}`+"\n"+string(interruptByte))
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Interrupted\n") {
		t.Fatalf("answered %q, want the request interrupted", b)
	}
}

func TestModeOf(t *testing.T) {
	for _, c := range []struct {
		env        []string
		automation bool
		want       Mode
	}{
		{nil, false, ModeStart},
		{[]string{"SLIPWAY_AGENT=auto"}, false, ModeStart},
		{[]string{"SLIPWAY_AGENT=off"}, false, ModeOff},
		{[]string{"SLIPWAY_AGENT=0"}, false, ModeOff},
		{[]string{"SLIPWAY_AGENT=OFF"}, false, ModeOff},
		{[]string{"SLIPWAY_AGENT=off", "CI=true"}, false, ModeOff},
		{nil, true, ModeAsk},
		{[]string{"CI=true"}, false, ModeAsk},
		{[]string{"CI=1"}, false, ModeAsk},
		{[]string{"CI=false"}, false, ModeStart},
		{[]string{"CI=0"}, false, ModeStart},
		{[]string{"CI="}, false, ModeStart},
		{[]string{"JENKINS_URL=http://jenkins:8080/"}, false, ModeAsk},
		{[]string{"TF_BUILD=True"}, false, ModeAsk},
		{[]string{"CI=true", "SLIPWAY_AGENT=on"}, false, ModeStart},
		{[]string{"SLIPWAY_AGENT=on"}, true, ModeStart},
	} {
		if got := ModeOf(c.env, c.automation); got != c.want {
			t.Errorf("ModeOf(%q, automation %v) = %d, want %d", c.env, c.automation, got, c.want)
		}
	}
}

// TestAStopIsAnsweredPastAHungRequest: a request that hangs writing to a
// client that reads nothing (stopped with Ctrl-Z, say) neither keeps a
// stop request waiting nor the agent from stopping; a connection that
// sends no request does not either.
func TestAStopIsAnsweredPastAHungRequest(t *testing.T) {
	t.Parallel()
	writing := make(chan struct{})
	var once sync.Once
	path := socketPath(t)
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, l, func(_ context.Context, req *Request, stdout, _ io.Writer) (int, string) {
			if req.IsStop() {
				cancel()
				return 0, ""
			}
			chunk := make([]byte, 64<<10)
			for {
				once.Do(func() { close(writing) })
				if _, err := stdout.Write(chunk); err != nil {
					return 1, ""
				}
			}
		}, t.Logf)
	}()
	// A client that sends its request and reads nothing.
	stuck, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	if _, err := stuck.Write([]byte(`{"args":["plan"]}` + "\n")); err != nil {
		t.Fatal(err)
	}
	<-writing
	silent, err := net.Dial("unix", path) // connects and says nothing
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	asked := make(chan error, 1)
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: StopArgs}, io.Discard, io.Discard)
		asked <- err
	}()
	select {
	case err := <-asked:
		if err != nil {
			t.Errorf("the stop request: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stop request waited behind the hung one")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(requestTimeout + 5*time.Second):
		t.Fatal("the agent did not stop: a hung request or a silent connection held it")
	}
}

// withAnswerTimeout sets answerTimeout for a test, which must not be
// parallel.
func withAnswerTimeout(t *testing.T, d time.Duration) {
	old := answerTimeout
	answerTimeout = d
	t.Cleanup(func() { answerTimeout = old })
}

// TestAStoppedAgentIsNotWaitedFor: an agent that listens but does not
// run (stopped with SIGSTOP, wedged) has its connection and request taken
// by the kernel all the same; Ask gives up on it after answerTimeout,
// having written nothing, instead of waiting forever.
func TestAStoppedAgentIsNotWaitedFor(t *testing.T) {
	withAnswerTimeout(t, 200*time.Millisecond)
	path := socketPath(t)
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // never accepts: the kernel's backlog holds the client
	type answer struct {
		code int
		err  error
	}
	done := make(chan answer, 1)
	var out, errs bytes.Buffer
	go func() {
		code, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, &out, &errs)
		done <- answer{code, err}
	}()
	select {
	case a := <-done:
		if !errors.Is(a.err, ErrUnresponsive) || a.code != 0 {
			t.Fatalf("Ask = %d, %v; want ErrUnresponsive", a.code, a.err)
		}
		if !strings.Contains(a.err.Error(), "within 200ms") {
			t.Errorf("the error %q does not say how long it waited", a.err)
		}
		if out.Len()+errs.Len() != 0 {
			t.Errorf("Ask wrote %q %q", out.String(), errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ask still waits for an agent that never answers")
	}
}

// TestARequestWaitingItsTurnIsNotGivenUp: the bound is on the agent's
// acknowledgement, not on the plan: a request that waits behind another
// plan for longer than answerTimeout is served.
func TestARequestWaitingItsTurnIsNotGivenUp(t *testing.T) {
	withAnswerTimeout(t, 100*time.Millisecond)
	path, _ := serve(t, func(_ context.Context, _ *Request, stdout, _ io.Writer) (int, string) {
		time.Sleep(400 * time.Millisecond)
		io.WriteString(stdout, "planned\n")
		return 2, ""
	})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			var out bytes.Buffer
			code, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, &out, io.Discard)
			if err != nil || code != 2 || out.String() != "planned\n" {
				t.Errorf("Ask = %d, %v, %q; want 2, nil, the plan", code, err, out.String())
			}
		})
	}
	wg.Wait()
}

// TestTheAcknowledgementIsSentOnlyWhenAsked: a client of a build before
// the acknowledgement gets no frame it does not know; one that asks gets
// it first.
func TestTheAcknowledgementIsSentOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	path, _ := serve(t, func(_ context.Context, _ *Request, stdout, _ io.Writer) (int, string) {
		io.WriteString(stdout, "planned\n")
		return 0, ""
	})
	for _, tc := range []struct {
		line string
		want byte
	}{
		{`{"args":["plan"]}`, frameStdout},
		{`{"args":["plan"],"ack":true}`, frameAccepted},
	} {
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, tc.line+"\n")
		b, _ := io.ReadAll(conn)
		conn.Close()
		if len(b) < 5 || b[0] != tc.want {
			t.Errorf("%s: answered %q, want a first frame of kind %d", tc.line, b, tc.want)
		}
	}
}

// TestAQueuedRequestSaysSo: a plan that waits for another the agent is
// making (one whose output a pager holds) says so on its client's
// standard error at once, rather than wait in silence; one that does not
// wait says nothing of it.
func TestAQueuedRequestSaysSo(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	path, _ := serve(t, func(ctx context.Context, req *Request, stdout, stderr io.Writer) (int, string) {
		started <- struct{}{}
		if req.Args[0] == "plan" && len(req.Args) > 1 {
			<-release
		}
		return 0, ""
	})
	// Released before the agent stops (cleanups run last first), so
	// that a failing test does not hang on the held plan.
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	first := make(chan error, 1)
	var firstErr bytes.Buffer
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: []string{"plan", "-held"}}, io.Discard, &firstErr)
		first <- err
	}()
	<-started
	second := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, second)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(second.String(), "waiting for the agent to finish another plan") {
		if time.Now().After(deadline) {
			t.Fatalf("the queued request's client saw %q; want it told it waits", second.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	releaseOnce()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(firstErr.String(), "waiting") {
		t.Errorf("the request that did not wait was told it waits: %q", firstErr.String())
	}
}

// lockedBuffer is a bytes.Buffer that one goroutine writes while another
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAClientThatLeavesWhileQueuedGetsNoPlan: a client that gives up
// (Ctrl-C) while its plan waits for another's turn gets none made once
// the turn comes: the plan started cancelled, and the agent took it for
// one stopped mid-call and closed its warm providers.
func TestAClientThatLeavesWhileQueuedGetsNoPlan(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	var runs atomic.Int32
	started := make(chan struct{}, 1)
	path, _ := serve(t, func(ctx context.Context, req *Request, stdout, stderr io.Writer) (int, string) {
		if runs.Add(1) == 1 {
			started <- struct{}{}
			<-release
		}
		return 0, ""
	})
	t.Cleanup(releaseOnce)
	first := make(chan error, 1)
	go func() {
		_, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard)
		first <- err
	}()
	<-started
	queued := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := Ask(ctx, path, &Request{Args: []string{"plan"}}, io.Discard, queued)
		second <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(queued.String(), "waiting"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second plan never queued")
		}
	}
	cancel()
	time.Sleep(200 * time.Millisecond) // its interrupt reaches the agent
	releaseOnce()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	select {
	case <-second:
	case <-time.After(10 * time.Second):
		t.Fatal("the client that left is still waiting for the agent")
	}
	// A third plan runs once the agent has had the second's turn.
	if _, err := Ask(context.Background(), path, &Request{Args: []string{"plan"}}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2: the plan whose client left while queued must not run", n)
	}
}
