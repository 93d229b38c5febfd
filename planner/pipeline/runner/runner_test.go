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

package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunStageOutputEnvAndDir(t *testing.T) {
	ws := t.TempDir()
	os.MkdirAll(filepath.Join(ws, "sub"), 0o755)
	logPath := filepath.Join(t.TempDir(), "logs", "build.log")
	var got []string
	res := RunStage(context.Background(), ws, logPath, []string{"PATH=" + os.Getenv("PATH"), "A=base"}, Stage{
		Name: "build",
		Run:  []string{"echo hello $A $B", "pwd", "echo to-stderr >&2"},
		Env:  map[string]string{"B": "stage", "A": "override"},
		Dir:  "sub",
	}, func(l string) { got = append(got, l) })
	if res.Err != nil {
		t.Fatalf("stage failed: %v", res.Err)
	}
	want := []string{"$ echo hello $A $B", "hello override stage", "$ pwd", filepath.Join(ws, "sub"), "$ echo to-stderr >&2", "to-stderr"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	logged, _ := os.ReadFile(logPath)
	if string(logged) != strings.Join(want, "\n")+"\n" {
		t.Fatalf("log file:\n%s", logged)
	}
}

// TestRunStageDirSymlinks checks that a stage dir is resolved with its
// links before the check that it is inside the workspace.
func TestRunStageDirSymlinks(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	os.MkdirAll(filepath.Join(ws, "src", "cmd"), 0o755)
	for link, target := range map[string]string{"etc": "/etc", "up": "..", "code": "src"} {
		if err := os.Symlink(target, filepath.Join(ws, link)); err != nil {
			t.Fatal(err)
		}
	}
	run := func(dir string) (Result, []string) {
		var got []string
		res := RunStage(context.Background(), ws, filepath.Join(t.TempDir(), "log"), []string{"PATH=" + os.Getenv("PATH")},
			Stage{Name: "s", Run: []string{"pwd"}, Dir: dir}, func(l string) { got = append(got, l) })
		return res, got
	}
	for dir, want := range map[string]string{
		"etc":     `stage dir "etc": etc is a symbolic link to /etc, which is outside ` + ws,
		"etc/ssl": `stage dir "etc/ssl": etc is a symbolic link to /etc, which is outside ` + ws,
		"up/x":    `stage dir "up/x": up is a symbolic link to .., which is outside ` + ws,
	} {
		res, out := run(dir)
		if res.Err == nil || res.Err.Error() != want {
			t.Errorf("dir %q: error %v, want %q", dir, res.Err, want)
		}
		for _, l := range out {
			if l == "$ pwd" {
				t.Errorf("dir %q: the stage ran: %q", dir, out)
			}
		}
	}
	// A link that stays inside is followed.
	res, out := run("code/cmd")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if want := filepath.Join(ws, "src", "cmd"); len(out) < 2 || out[1] != want {
		t.Errorf("output %q, want the stage to run in %s", out, want)
	}
}

func TestRunStageMasksSecrets(t *testing.T) {
	ws := t.TempDir()
	logPath := filepath.Join(ws, "log")
	var got []string
	res := RunStage(context.Background(), ws, logPath, os.Environ(), Stage{
		Run: []string{"echo the token is $TOKEN, twice: $TOKEN"}, Env: map[string]string{"TOKEN": "hunter2"}, Mask: []string{"hunter2"},
	}, func(l string) { got = append(got, l) })
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	logged, _ := os.ReadFile(logPath)
	for _, s := range append(got, string(logged)) {
		if strings.Contains(s, "hunter2") {
			t.Fatalf("the secret leaked: %q", s)
		}
	}
	if got[len(got)-1] != "the token is ***, twice: ***" {
		t.Fatalf("output %q", got)
	}
}

// TestRunStageMasksMultiLineSecrets checks that every line of a secret of
// several lines is masked wherever it appears, including when a line of it
// reaches the runner in two chunks, and that the rest of the output, short
// lines such as a blank line or a brace included, is left as printed.
func TestRunStageMasksMultiLineSecrets(t *testing.T) {
	pem := strings.Join([]string{
		"-----BEGIN RSA PRIVATE KEY-----",
		"Proc-Type: 4,ENCRYPTED",
		"DEK-Info: AES-128-CBC,3F17F5316E2BAC89",
		"",
		"MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
		"KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm",
		"o3qGy0t6z09AIJtH+5OeRV1be+N4cDYJKffGzDa88vQENZiRm0GRq6a+HPGQMd2k",
		"Yw==",
		"-----END RSA PRIVATE KEY-----",
		"",
	}, "\n")
	type step struct {
		run  string
		want []string // what the command prints, masked
	}
	tests := map[string]struct {
		secret string
		env    map[string]string // besides K, the secret
		steps  []step
	}{
		"two lines": {
			secret: "correct-horse-battery\nstaple-purple-monkey",
			// A and B are the second line cut in two, printed 100ms apart.
			env: map[string]string{"A": "staple-pur", "B": "ple-monkey"},
			steps: []step{
				{`printf "%s" "$K"`, []string{"***", "***"}},
				{`printf 'key=%s;\n' "$K"`, []string{"key=***", "***;"}},
				{`printf 'split: %s' "$A"; sleep 0.1; printf '%s, done\n' "$B"`, []string{"split: ***, done"}},
				{`echo the rest is intact`, []string{"the rest is intact"}},
			},
		},
		"PEM": {
			secret: pem,
			steps: []step{
				{`printf '%s' "$K"`, []string{"***", "***", "***", "", "***", "***", "***", "***", "***"}},
				{`printf '%s' "$K" | sed 's/^/    /'`, []string{"    ***", "    ***", "    ***", "    ", "    ***", "    ***", "    ***", "    ***", "    ***"}},
				{`echo; echo '}'; echo '--- FAIL: TestDeploy (0.01s)'`, []string{"", "}", "--- FAIL: TestDeploy (0.01s)"}},
			},
		},
		"JSON key": {
			secret: "{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n" +
				"  \"private_key_id\": \"8c2b1f0e9d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c\"\n}\n",
			steps: []step{
				{`printf '%s' "$K"`, []string{"{", "  ***", "  ***", "  ***", "}"}},
				{`echo '{"status": "ok"}'; echo '}'`, []string{`{"status": "ok"}`, "}"}},
			},
		},
		"CRLF line ends": {
			secret: "first-crlf-line\r\nsecond-crlf-line\r\n",
			steps:  []step{{`printf '%s' "$K"`, []string{"***", "***"}}},
		},
		"short lines": {
			// Lines under four characters are not masked: they would hide
			// the same text in unrelated output.
			secret: "---\nlong-enough-line\n  ],\nabc",
			steps: []step{
				{`printf '%s\n' "$K"`, []string{"---", "***", "  ],", "abc"}},
				{`echo '--- abc ],'`, []string{"--- abc ],"}},
			},
		},
		"one line and a newline": {
			secret: "tok-9f8e7d6c\n",
			steps:  []step{{`echo "token=$K."`, []string{"token=***", "."}}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ws := t.TempDir()
			logPath := filepath.Join(ws, "log")
			env := map[string]string{"K": tc.secret}
			for k, v := range tc.env {
				env[k] = v
			}
			var run, want []string
			for _, s := range tc.steps {
				run = append(run, s.run)
				want = append(append(want, "$ "+s.run), s.want...)
			}
			var got []string
			res := RunStage(context.Background(), ws, logPath, os.Environ(), Stage{
				// A single-line secret besides, as a pipeline has several.
				Run: run, Env: env, Mask: []string{tc.secret, "hunter2"},
			}, func(l string) { got = append(got, l) })
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			logged, _ := os.ReadFile(logPath)
			for _, line := range strings.FieldsFunc(tc.secret, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if line = strings.TrimSpace(line); len(line) < 4 { // too short to mask
					continue
				}
				for _, s := range append(append(got, res.Tail...), string(logged)) {
					if strings.Contains(s, line) {
						t.Fatalf("the secret's line %q leaked: %q", line, s)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if string(logged) != strings.Join(want, "\n")+"\n" {
				t.Fatalf("log file:\n%s", logged)
			}
		})
	}
}

func TestRunStageStopsAtFirstFailure(t *testing.T) {
	ws := t.TempDir()
	res := RunStage(context.Background(), ws, filepath.Join(ws, "log"), os.Environ(), Stage{
		Run: []string{"echo one", "exit 3", "touch never"},
	}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), `"exit 3" exited with status 3`) {
		t.Fatalf("err = %v", res.Err)
	}
	if _, err := os.Stat(filepath.Join(ws, "never")); err == nil {
		t.Fatal("a command after the failing one ran")
	}
	if res.Attempts != 1 || len(res.Tail) == 0 || res.Tail[len(res.Tail)-1] != "$ exit 3" {
		t.Fatalf("attempts %d tail %q", res.Attempts, res.Tail)
	}
}

func TestRunStageRetriesWithBackoff(t *testing.T) {
	ws := t.TempDir()
	// Fails twice, then succeeds: a counter file in the workspace.
	cmd := `n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; test $n -ge 3`
	start := time.Now()
	res := RunStage(context.Background(), ws, filepath.Join(ws, "log"), os.Environ(), Stage{
		Run:   []string{cmd},
		Retry: Retry{Limit: 2, Backoff: 50 * time.Millisecond, Factor: 2},
	}, nil)
	if res.Err != nil || res.Attempts != 3 {
		t.Fatalf("err %v after %d attempts", res.Err, res.Attempts)
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("retries waited %s in all; backoff 50ms then 100ms should wait at least 150ms", el)
	}

	os.Remove(filepath.Join(ws, "count"))
	res = RunStage(context.Background(), ws, filepath.Join(ws, "log"), os.Environ(), Stage{
		Run: []string{cmd}, Retry: Retry{Limit: 1},
	}, nil)
	if res.Err == nil || res.Attempts != 2 {
		t.Fatalf("limit 1: err %v after %d attempts, want a failure after 2", res.Err, res.Attempts)
	}
}

func TestRetryBackoff(t *testing.T) {
	tests := map[string]struct {
		retry Retry
		// bases are the waits before jitter, which adds up to
		// retryJitter of each.
		bases []time.Duration
	}{
		"capped": {
			retry: Retry{Limit: 5, Backoff: time.Second, Factor: 2, MaxBackoff: 5500 * time.Millisecond},
			bases: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		"no max": {
			retry: Retry{Limit: 3, Backoff: 50 * time.Millisecond, Factor: 3},
			bases: []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 450 * time.Millisecond},
		},
		"factor unset": {
			retry: Retry{Limit: 3, Backoff: time.Second},
			bases: []time.Duration{time.Second, time.Second, time.Second},
		},
		"backoff unset": {
			retry: Retry{Limit: 2, Factor: 2, MaxBackoff: time.Minute},
			bases: []time.Duration{0, 0},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// The jitter is random: many runs show its bounds.
			for range 200 {
				next := tc.retry.backoff().DelayFunc()
				for i, base := range tc.bases {
					d := next()
					top := base + time.Duration(retryJitter*float64(base))
					if d < base || d > top {
						t.Fatalf("wait %d = %s, want it within [%s, %s]", i+1, d, base, top)
					}
					if tc.retry.MaxBackoff > 0 && d > tc.retry.MaxBackoff {
						t.Fatalf("wait %d = %s, over max_backoff %s", i+1, d, tc.retry.MaxBackoff)
					}
				}
			}
		})
	}
}

func TestRunStageAttempts(t *testing.T) {
	tests := map[string]struct {
		run          string
		limit        int
		wantAttempts int
		wantErr      bool
	}{
		"success needs no retry":  {run: "true", limit: 3, wantAttempts: 1},
		"no retries":              {run: "false", limit: 0, wantAttempts: 1, wantErr: true},
		"every retry spent":       {run: "false", limit: 2, wantAttempts: 3, wantErr: true},
		"success on the second":   {run: `test -e ran || { touch ran; false; }`, limit: 4, wantAttempts: 2},
		"timeout is not the last": {run: `test -e ran || { touch ran; sleep 5; }`, limit: 1, wantAttempts: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ws := t.TempDir()
			var lines []string
			res := RunStage(context.Background(), ws, filepath.Join(ws, "log"), os.Environ(), Stage{
				Run: []string{tc.run}, Timeout: time.Second, Retry: Retry{Limit: tc.limit, Backoff: time.Millisecond, Factor: 2},
			}, func(l string) { lines = append(lines, l) })
			if res.Attempts != tc.wantAttempts || (res.Err != nil) != tc.wantErr {
				t.Fatalf("%d attempts, error %v; want %d attempts, error %v", res.Attempts, res.Err, tc.wantAttempts, tc.wantErr)
			}
			announced := 0
			for _, l := range lines {
				if strings.HasPrefix(l, "# retry ") {
					announced++
				}
			}
			if announced != tc.wantAttempts-1 {
				t.Errorf("%d retries announced, want %d: %q", announced, tc.wantAttempts-1, lines)
			}
		})
	}
}

func TestRunStageCancelEndsTheWait(t *testing.T) {
	ws := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// An hour's backoff: only the cancellation can end the wait.
	res := RunStage(ctx, ws, filepath.Join(ws, "log"), os.Environ(), Stage{
		Run: []string{"false"}, Retry: Retry{Limit: 3, Backoff: time.Hour, Factor: 2},
	}, func(l string) {
		if strings.HasPrefix(l, "# retry 1 of 3 after 1h") {
			cancel()
		}
	})
	if !errors.Is(res.Err, context.Canceled) || res.Attempts != 1 {
		t.Fatalf("%d attempts, error %v; want 1 attempt, then the cancellation", res.Attempts, res.Err)
	}
}

func TestRunStageTimeoutKillsProcessGroup(t *testing.T) {
	ws := t.TempDir()
	// The background sleep would write the marker if it survived the kill.
	res := RunStage(context.Background(), ws, filepath.Join(ws, "log"), os.Environ(), Stage{
		Run:     []string{"(sleep 1; touch survived) & sleep 30"},
		Timeout: 200 * time.Millisecond,
	}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "timed out after 200ms") {
		t.Fatalf("err = %v", res.Err)
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(ws, "survived")); err == nil {
		t.Fatal("a process of the timed-out stage kept running")
	}
}

func TestPrepareWorkspaceIsClean(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "pkg"), 0o755)
	os.WriteFile(filepath.Join(src, "pkg", "a.go"), []byte("package pkg"), 0o444)
	os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh"), 0o555)
	os.Chmod(filepath.Join(src, "pkg"), 0o555)
	t.Cleanup(func() { os.Chmod(filepath.Join(src, "pkg"), 0o755) })

	ws := filepath.Join(t.TempDir(), "ws")
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, "stale"), []byte("left by an earlier run"), 0o644)
	if err := PrepareWorkspace(ws, src); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ws, "stale")); err == nil {
		t.Fatal("a file of an earlier run survived")
	}
	b, err := os.ReadFile(filepath.Join(ws, "pkg", "a.go"))
	if err != nil || string(b) != "package pkg" {
		t.Fatalf("copied file: %q %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(ws, "pkg", "a.go"), []byte("x"), 0o644); err != nil {
		t.Fatalf("workspace copy is not writable: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(ws, "run.sh")); fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("run.sh lost its execute bit: %v", fi.Mode())
	}
	// A second run cleans what the first left, read-only files included.
	if err := PrepareWorkspace(ws, src); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrencyLimitHolds(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const limit = 2
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := Acquire(ctx, dir, "deploy prod", limit, Holder{Pipeline: "pipeline.p", Run: i, PID: os.Getpid()}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(100 * time.Millisecond)
			running.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != limit {
		t.Fatalf("peak concurrency %d, want exactly the limit %d", p, limit)
	}
}

func TestConcurrencyWaitingSaysWho(t *testing.T) {
	dir := t.TempDir()
	release, err := Acquire(context.Background(), dir, "g", 1, Holder{Pipeline: "pipeline.a", Run: 7, PID: 4242, Dir: "/srv/a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	var seen []Holder
	_, err = Acquire(ctx, dir, "g", 1, Holder{Pipeline: "pipeline.b"}, func(h []Holder) { seen = h })
	if err == nil || !strings.Contains(err.Error(), `concurrency group "g"`) {
		t.Fatalf("err = %v", err)
	}
	if len(seen) != 1 || seen[0].Pipeline != "pipeline.a" || seen[0].PID != 4242 || !strings.Contains(seen[0].String(), "run #7") {
		t.Fatalf("waiting saw %+v", seen)
	}
}
