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

package command

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/pipeline"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// hostileLog is what a stage may print: a clipboard write (OSC 52), a
// line erased and rewritten, a bell.
const hostileLog = "ok\r\x1b[2K\x1b]52;c;Y3VybCBldmlsfHNo\x07done\n"

// stageRun is a stage of a run as state records it.
type stageRun struct{ name, log string }

// pipelineState writes, in a new configuration directory, a local state
// in which pipeline.ci's last run is number, with logDir and stages, and
// its last successful run had the stages named in order. It returns the
// directory.
func pipelineState(t *testing.T, number int, logDir string, stages []stageRun, order ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte("locals {\n  x = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var runStages []cty.Value
	for _, s := range stages {
		runStages = append(runStages, cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal(s.name), "status": cty.StringVal("succeeded"), "log": cty.StringVal(s.log),
		}))
	}
	list := cty.ListValEmpty(cty.Object(map[string]cty.Type{"name": cty.String, "status": cty.String, "log": cty.String}))
	if len(runStages) > 0 {
		list = cty.ListVal(runStages)
	}
	names := cty.ListValEmpty(cty.String)
	if len(order) > 0 {
		var vs []cty.Value
		for _, o := range order {
			vs = append(vs, cty.StringVal(o))
		}
		names = cty.ListVal(vs)
	}
	addr, diags := addrs.ParseResourceInstance("pipeline.ci")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	st := state.NewState()
	st.Resources["pipeline.ci"] = &state.ResourceInstance{Addr: addr, Value: cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("ci"), "stages": names,
		"run": cty.ObjectVal(map[string]cty.Value{
			"number": cty.NumberIntVal(int64(number)), "status": cty.StringVal("succeeded"),
			"log_dir": cty.StringVal(logDir), "stages": list,
		}),
	})}
	if err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFile writes content at path, making its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const saToken = "eyJhbGciOi.SERVICE-ACCOUNT-TOKEN"

// TestLogsReadsOnlyTheRunsDirectory: where the logs are is not taken
// from state, which may be shared and written by others, nor through a
// link a repository holds: a crafted log_dir, a log name that climbs or
// a link out of the run's directory never prints a file of the machine
// (a service account token, in CI).
func TestLogsReadsOnlyTheRunsDirectory(t *testing.T) {
	t.Parallel()
	runDir := filepath.Join(".slipway", "pipelines", "ci", "runs", "1")
	tests := map[string]struct {
		logDir string
		stages []stageRun
		// setup lays out the files, given the configuration directory
		// and the directory above it, outside.
		setup func(t *testing.T, dir, outside string)
		stage string
		want  string // in the error
	}{
		"a log_dir that climbs out": {
			logDir: "../secrets", stages: []stageRun{{"build", "token"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "token"), saToken)
			},
			want: `"token", which is not the name of a log`,
		},
		"a log_dir that climbs out, with a log's name": {
			logDir: "../secrets", stages: []stageRun{{"build", "token.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "token.log"), saToken)
			},
			want: "read the log of stage token",
		},
		"a log that climbs out": {
			logDir: filepath.ToSlash(runDir), stages: []stageRun{{"build", "../../../../../../secrets/token.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "token.log"), saToken)
			},
			want: "which is not the name of a log",
		},
		"an absolute log": {
			logDir: "/", stages: []stageRun{{"build", "/secrets/token.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "token.log"), saToken)
			},
			want: "which is not the name of a log",
		},
		"a log that is a link out": {
			logDir: filepath.ToSlash(runDir), stages: []stageRun{{"build", "build.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "token"), saToken)
				if err := os.MkdirAll(filepath.Join(dir, runDir), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(outside, "secrets", "token"), filepath.Join(dir, runDir, "build.log")); err != nil {
					t.Fatal(err)
				}
			},
			want: "which is outside",
		},
		"a run directory that is a link out": {
			logDir: filepath.ToSlash(runDir), stages: []stageRun{{"build", "build.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(outside, "secrets", "1", "build.log"), saToken)
				if err := os.MkdirAll(filepath.Join(dir, ".slipway", "pipelines", "ci"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(outside, "secrets"), filepath.Join(dir, ".slipway", "pipelines", "ci", "runs")); err != nil {
					t.Fatal(err)
				}
			},
			want: "which is outside",
		},
		"a stage asked for that climbs": {
			logDir: filepath.ToSlash(runDir), stages: []stageRun{{"build", "build.log"}},
			setup: func(t *testing.T, dir, outside string) {
				writeFile(t, filepath.Join(dir, runDir, "build.log"), "built\n")
				writeFile(t, filepath.Join(outside, "secrets", "token.log"), saToken)
			},
			stage: "../../../../../../secrets/token",
			want:  "has no log for stage",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := pipelineState(t, 1, tc.logDir, tc.stages)
			tc.setup(t, dir, filepath.Dir(dir))
			m, out, errs := rolloutMeta(dir)
			code := m.Logs(context.Background(), LogsArgs{Address: "pipeline.ci", Stage: tc.stage})
			if strings.Contains(out.String()+errs.String(), "SERVICE-ACCOUNT-TOKEN") {
				t.Fatalf("logs printed a file outside the run's directory:\n%s%s", out, errs)
			}
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(errs.String(), tc.want) {
				t.Errorf("the error lacks %q:\n%s", tc.want, errs)
			}
		})
	}
}

// TestLogsFindsTheRunByItsAddress: the logs are read from the run's
// directory that slipway's layout gives the address, whatever log_dir
// state records; a key is escaped as the pipeline directory's name is.
func TestLogsFindsTheRunByItsAddress(t *testing.T) {
	t.Parallel()
	dir := pipelineState(t, 4, "../../elsewhere", []stageRun{{"test", "test.log"}, {"build", "build.log"}, {"approve", ""}})
	run := filepath.Join(dir, ".slipway", "pipelines", "ci", "runs", "4")
	writeFile(t, filepath.Join(run, "test.log"), "tested\n")
	writeFile(t, filepath.Join(run, "build.log"), "built\n")
	m, out, errs := rolloutMeta(dir)
	if code := m.Logs(context.Background(), LogsArgs{Address: "pipeline.ci"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "==> pipeline.ci run #4, stage test <==\ntested\n==> pipeline.ci run #4, stage build <==\nbuilt\n"
	if out.String() != want {
		t.Errorf("logs printed:\n%s\nwant:\n%s", out, want)
	}

	a, _ := addrs.ParseResourceInstance("pipeline.web")
	if got, want := pipeline.RunDir("staging", a, 7), filepath.Join(".slipway", "workspaces", "staging", "pipelines", "web", "runs", "7"); got != want {
		t.Errorf("the run directory in workspace staging = %s, want %s", got, want)
	}
}

// TestLogsOfAnOlderRunInStageOrder: the logs of an older run are listed
// from its directory, in the order its stages ran as state records it,
// the post steps after them, not by name.
func TestLogsOfAnOlderRunInStageOrder(t *testing.T) {
	t.Parallel()
	dir := pipelineState(t, 3, ".slipway/pipelines/ci/runs/3",
		[]stageRun{{"checkout", "checkout.log"}, {"test", "test.log"}, {"build", "build.log"}},
		"checkout", "test", "build", "deploy")
	run := filepath.Join(dir, ".slipway", "pipelines", "ci", "runs", "2")
	for _, name := range []string{"build", "checkout", "deploy", "test", "post-always", "post-failure", "zz-unknown"} {
		writeFile(t, filepath.Join(run, name+".log"), name+" said\n")
	}
	writeFile(t, filepath.Join(run, "notes.txt"), "not a log\n")
	m, out, errs := rolloutMeta(dir)
	if code := m.Logs(context.Background(), LogsArgs{Address: "pipeline.ci", Run: 2}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []string
	for _, line := range strings.Split(out.String(), "\n") {
		if s, ok := strings.CutPrefix(line, "==> pipeline.ci run #2, stage "); ok {
			got = append(got, strings.TrimSuffix(s, " <=="))
		}
	}
	want := []string{"checkout", "test", "build", "deploy", "post-failure", "post-always", "zz-unknown"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("stages in the order %v, want %v:\n%s", got, want, out)
	}
}

// TestLogsEscapedOnATerminal: what a stage printed reaches a terminal
// escaped, newlines kept, so that it cannot set the clipboard or rewrite
// lines. Not parallel: it sets logsToTerminal.
func TestLogsEscapedOnATerminal(t *testing.T) {
	dir := pipelineState(t, 1, ".slipway/pipelines/ci/runs/1", []stageRun{{"build", "build.log"}})
	writeFile(t, filepath.Join(dir, ".slipway", "pipelines", "ci", "runs", "1", "build.log"), hostileLog+"second line\n")
	saved := logsToTerminal
	logsToTerminal = func(io.Writer) bool { return true }
	defer func() { logsToTerminal = saved }()
	m, out, errs := rolloutMeta(dir)
	if code := m.Logs(context.Background(), LogsArgs{Address: "pipeline.ci", Stage: "build"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.ContainsAny(out.String(), "\r\x1b\x07") {
		t.Errorf("a raw control reached the terminal: %q", out)
	}
	want := `ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007done` + "\nsecond line\n"
	if out.String() != want {
		t.Errorf("logs printed %q, want %q", out, want)
	}
}

// TestLogsRawWhenPiped: to a file or another program, the log is written
// as it is, byte for byte, as kubectl logs and git write it.
func TestLogsRawWhenPiped(t *testing.T) {
	t.Parallel()
	dir := pipelineState(t, 1, ".slipway/pipelines/ci/runs/1", []stageRun{{"build", "build.log"}})
	writeFile(t, filepath.Join(dir, ".slipway", "pipelines", "ci", "runs", "1", "build.log"), hostileLog)
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, errs := rolloutMeta(dir)
	m.View.Stdout = f
	if code := m.Logs(context.Background(), LogsArgs{Address: "pipeline.ci", Stage: "build"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != hostileLog {
		t.Errorf("a file got %q, want the log as it is, %q", got, hostileLog)
	}
}
