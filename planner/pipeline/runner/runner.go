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
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/wait"

	"slipway.dev/slipway/internal/confine"
)

// Retry is a stage's retry policy, Argo Workflows' retryStrategy: up to
// Limit more attempts after the first, waiting Backoff, then Backoff×Factor,
// and so on, never more than MaxBackoff (when set). Each wait is made up to
// retryJitter longer at random, inside MaxBackoff.
type Retry struct {
	Limit      int
	Backoff    time.Duration
	Factor     float64
	MaxBackoff time.Duration
}

// retryJitter is small: a stage's waits are the user's to choose, and
// only stages that failed together, such as on a shared service, need
// spreading.
const retryJitter = 0.1

// backoff is r as a wait.Backoff. Its cap is MaxBackoff less the jitter,
// so that a wait with its jitter is never longer than MaxBackoff.
func (r Retry) backoff() wait.Backoff {
	b := wait.Backoff{Duration: max(r.Backoff, 0), Factor: max(r.Factor, 1), Jitter: retryJitter, Steps: r.Limit}
	if r.MaxBackoff > 0 {
		b.Cap = time.Duration(float64(r.MaxBackoff) / (1 + retryJitter))
		b.Duration = min(b.Duration, b.Cap)
	}
	return b
}

// Stage is one stage's commands and how to run them.
type Stage struct {
	Name string
	// Run holds shell commands, each run with /bin/sh -c in order; the
	// first that fails fails the attempt.
	Run []string
	// Env is added to the process environment (and overrides it).
	Env map[string]string
	// Dir is the working directory, relative to the workspace.
	Dir     string
	Timeout time.Duration
	Retry   Retry
	// Mask lists strings (secrets) printed as *** wherever they appear
	// in the output, before it reaches the log or the callback. A secret
	// of several lines is masked line by line (see lineMasks).
	Mask []string
}

// Result is the outcome of a stage.
type Result struct {
	Attempts int
	Duration time.Duration
	// Err is nil on success. A failure's error names the command, its exit
	// status or the timeout.
	Err error
	// Tail holds the last lines of output, for an error message.
	Tail []string
}

// Output receives each line a stage prints (stdout and stderr merged).
type Output func(line string)

// tailLines is how many lines of output a Result keeps.
const tailLines = 20

// RunStage runs st in workspace, appending its output to logPath (created
// when missing) and passing each line to out. Attempts after a failure
// wait as st.Retry says; ctx cancels the stage and any wait.
func RunStage(ctx context.Context, workspace, logPath string, baseEnv []string, st Stage, out Output) Result {
	start := time.Now()
	res := Result{}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		res.Err = fmt.Errorf("create log directory: %w", err)
		return res
	}
	// Not through a link a repository may hold at that path.
	logf, err := confine.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		res.Err = fmt.Errorf("open stage log: %w", err)
		return res
	}
	defer logf.Close()
	tail := &ring{max: tailLines}
	masks := lineMasks(st.Mask)
	emit := func(line string) {
		for _, m := range masks {
			line = strings.ReplaceAll(line, m, "***")
		}
		fmt.Fprintln(logf, line)
		tail.add(line)
		if out != nil {
			out(line)
		}
	}
	dir := workspace
	if st.Dir != "" {
		// The links on the way are followed before the check that the
		// directory is inside the workspace: a link to /etc must not make
		// the stage run there.
		rel, err := confine.Rel(workspace, st.Dir)
		if err != nil {
			res.Err = fmt.Errorf("stage dir %q: %w", st.Dir, err)
			emit("# " + res.Err.Error())
			res.Duration, res.Tail = time.Since(start), tail.lines()
			return res
		}
		dir = filepath.Join(workspace, rel)
	}
	env := mergeEnv(baseEnv, st.Env)
	delays := st.Retry.backoff().DelayFunc()
	announce := wait.DelayFunc(func() time.Duration {
		d := delays()
		emit(fmt.Sprintf("# retry %d of %d after %s", res.Attempts, st.Retry.Limit, d.Round(time.Millisecond)))
		return d
	})
	err = announce.Until(ctx, true, true, func(ctx context.Context) (bool, error) {
		res.Attempts++
		res.Err = runAttempt(ctx, dir, env, st, emit)
		if res.Err == nil || res.Attempts > st.Retry.Limit || ctx.Err() != nil {
			return true, nil
		}
		emit("# " + res.Err.Error())
		return false, nil
	})
	if err != nil {
		// Cancelled while waiting to retry.
		res.Err = err
	}
	res.Duration, res.Tail = time.Since(start), tail.lines()
	return res
}

// minMaskLine is the shortest line of a multi-line secret that is masked
// on its own, not counting the white space around it. The formats such secrets
// come in have short lines that are layout, not secret: a PEM block's blank
// line, a JSON key's "{" and "}", a YAML file's "---". Masked wherever they
// appear, they would turn every blank line, every brace and every
// "--- FAIL" of unrelated output into ***, and a whitespace-only mask would
// hide every space. A shorter line gives away at most three characters of
// a secret that is usually hundreds long, so it is printed as it is.
const minMaskLine = 4

// lineMasks is the list of strings to replace by *** in each line of
// output, longest first, so that a secret inside a longer one does not
// break the longer one's match.
//
// Output is masked a line at a time, and a line never holds a line break,
// so a secret of several lines (a PEM private key, a kubeconfig, a JSON
// service-account key) could never match whole. Instead each of its lines
// is masked on its own wherever it appears, as GitHub Actions does: the
// secret's lines are hidden whether it is printed whole, a line at a time
// or inside other text. Each line is trimmed of the white space around it,
// which a program may indent or re-indent, and of a carriage return (output
// lines lose theirs). Lines shorter than minMaskLine are left out.
//
// A secret with one line once blank lines are removed, such as a token
// read from a file with its final newline, is that line, masked as a
// single-line secret is: as it is, whatever its length. A blank secret is
// left out, since it would mask every space or every character.
func lineMasks(secrets []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(m string) {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, s := range secrets {
		var lines []string
		for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 1 {
			add(lines[0])
			continue
		}
		for _, l := range lines {
			if l = strings.TrimSpace(l); utf8.RuneCountInString(l) >= minMaskLine {
				add(l)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// runAttempt runs every command of a stage once, under the stage timeout.
func runAttempt(ctx context.Context, dir string, env []string, st Stage, emit Output) error {
	if st.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, st.Timeout)
		defer cancel()
	}
	for _, command := range st.Run {
		emit("$ " + command)
		err := runCommand(ctx, dir, env, command, emit)
		if err == nil {
			continue
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("timed out after %s running %q", st.Timeout, command)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("cancelled running %q", command)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%q exited with status %d", command, ee.ExitCode())
		}
		return fmt.Errorf("running %q: %w", command, err)
	}
	return nil
}

// runCommand runs one shell command in its own process group, killing the
// group when ctx ends.
func runCommand(ctx context.Context, dir string, env []string, command string, emit Output) error {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = nil
	setProcessGroup(cmd)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			emit(sc.Text())
		}
		io.Copy(io.Discard, pr) // a line over the buffer: keep the pipe draining
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		killGroup(cmd)
		err = <-done
		if err == nil {
			err = ctx.Err()
		}
	}
	wg.Wait()
	return err
}

// mergeEnv returns base with extra's variables set, sorted for a stable
// environment.
func mergeEnv(base []string, extra map[string]string) []string {
	m := map[string]string{}
	var order []string
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = v
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = extra[k]
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+m[k])
	}
	return out
}

// ring keeps the last max lines.
type ring struct {
	mu  sync.Mutex
	max int
	buf []string
}

func (r *ring) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, s)
	if len(r.buf) > r.max {
		r.buf = r.buf[len(r.buf)-r.max:]
	}
}

func (r *ring) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.buf...)
}

// PrepareWorkspace empties dir and copies src into it, so that a run
// starts from exactly the source's files. Copies are writable by the
// owner whatever the source's modes (source checkouts are read-only).
func PrepareWorkspace(dir, src string) error {
	if err := os.RemoveAll(dir); err != nil {
		// A read-only tree left by a command: make it writable, then retry.
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clean workspace %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create workspace: %w", err)
	}
	if src == "" {
		return nil
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		to := filepath.Join(dir, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(to, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case info.Mode().IsRegular():
			return copyFile(p, to, info.Mode().Perm()|0o600)
		}
		return nil // sockets, devices: not part of a source
	})
}

func copyFile(from, to string, mode fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
