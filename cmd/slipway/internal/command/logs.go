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
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/internal/termtext"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/pipeline"
)

// LogsArgs are logs' arguments.
type LogsArgs struct {
	Address string
	Stage   string
	// Run is the run number; 0 means the last run.
	Run int
}

// Logs runs `slipway logs pipeline.NAME [STAGE]`: the output of a
// pipeline's last run (or run -run N), every stage in order or one.
//
// State is read, not trusted, for where the logs are: it may be shared
// (pg, kubernetes) and written by others. The run's directory is the one
// slipway's own layout gives the pipeline's address, workspace and run
// number (runDir), whatever log_dir says; the files read in it are plain
// NAME.log names; and they are opened with their links followed only
// inside it (confine), so that no state and no link a repository holds
// makes logs print a file of the machine's.
func (m *Meta) Logs(ctx context.Context, a LogsArgs) int {
	addr, diags := addrs.ParseResourceInstance(a.Address)
	if diags.HasErrors() || addr.Resource.Kind != addrs.Pipeline {
		m.View.Error(fmt.Errorf("%q is not a pipeline address; write it like pipeline.myapp", a.Address))
		return 1
	}
	if a.Run < 0 {
		m.View.Error(fmt.Errorf("-run must be a run number, 1 or more, not %d", a.Run))
		return 1
	}
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	ri := st.Resources[addr.String()]
	if ri == nil {
		m.View.Error(fmt.Errorf("%s has no runs in state: apply it first", addr))
		return 1
	}
	run := attr(ri.Value, "run")
	if run.IsNull() {
		m.View.Error(fmt.Errorf("%s has no runs in state: apply it first", addr))
		return 1
	}
	ws, err := m.workspace()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	number, err := strconv.Atoi(str(attr(run, "number")))
	if err != nil || number < 1 {
		m.View.Error(fmt.Errorf("state records no run number of %s that slipway can read (%q)", addr, str(attr(run, "number"))))
		return 1
	}
	var logs []string
	if a.Run == 0 || a.Run == number {
		for _, e := range elements(attr(run, "stages")) {
			log := str(attr(e, "log"))
			if log == "" {
				continue // skipped, or not approved: no log
			}
			if !logFileName(log) {
				m.View.Error(fmt.Errorf("state names the log of stage %q of %s run #%d %q, which is not the name of a log in a run's directory (NAME.log); slipway reads nothing else", str(attr(e, "name")), addr, number, log))
				return 1
			}
			logs = append(logs, log)
		}
	}
	rel := pipeline.RunDir(ws, addr, number)
	if a.Run != 0 && a.Run != number {
		// An older run: its logs stay on disk (the last ten are kept,
		// and the last successful one).
		number = a.Run
		rel = pipeline.RunDir(ws, addr, number)
		logs, err = runLogs(m.Dir, rel)
		if err != nil {
			m.View.Error(fmt.Errorf("run #%d of %s has no logs on disk (slipway keeps the last ten runs and the last successful one): %v", a.Run, addr, err))
			return 1
		}
		sortLogs(logs, stageOrder(ri.Value))
	}
	if a.Stage != "" {
		want := a.Stage + ".log"
		found := false
		for _, s := range logs {
			if s == want {
				found = true
			}
		}
		if !found {
			names := make([]string, len(logs))
			for i, s := range logs {
				names[i] = strings.TrimSuffix(s, ".log")
			}
			m.View.Error(fmt.Errorf("run #%d of %s has no log for stage %q; it has logs for: %s", number, addr, a.Stage, strings.Join(names, ", ")))
			return 1
		}
		logs = []string{want}
	}
	// What a stage printed goes to a terminal escaped (termtext), so that
	// it cannot move the cursor, set the clipboard or rewrite what is
	// shown; to a file or a program, as it is, as kubectl logs and git
	// write it.
	escape := logsToTerminal(m.View.Stdout)
	for _, s := range logs {
		stage := strings.TrimSuffix(s, ".log")
		if len(logs) > 1 || a.Stage == "" {
			m.View.Printf("%s\n", m.View.Bold(fmt.Sprintf("==> %s run #%d, stage %s <==", termtext.Printable(addr.String()), number, termtext.Printable(stage))))
		}
		f, err := openLog(m.Dir, rel, s)
		if err != nil {
			m.View.Error(fmt.Errorf("read the log of stage %s: %w", stage, err))
			return 1
		}
		if escape {
			err = copyEscaped(m.View, f)
		} else {
			_, err = io.Copy(m.View.Stdout, f)
		}
		f.Close()
		if err != nil {
			m.View.Error(fmt.Errorf("read the log of stage %s: %w", stage, err))
			return 1
		}
	}
	return 0
}

// logsToTerminal reports whether w, logs' standard output, is a
// terminal. A variable, for the tests.
var logsToTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && views.IsTerminal(f)
}

// copyEscaped writes what r holds to v's standard output a line at a
// time, escaped for a terminal with its newlines kept (termtext.Lines).
// A line is read whole, so that no character is cut in two.
func copyEscaped(v *views.View, r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			v.Printf("%s", termtext.Lines(line))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// logFileName reports whether name is what a stage's log is called in
// its run's directory: STAGE.log, a plain file name, with no separator
// and nothing that climbs out.
func logFileName(name string) bool {
	return strings.HasSuffix(name, ".log") && !strings.ContainsAny(name, `/\`) &&
		filepath.IsLocal(name) && filepath.Base(name) == name
}

// resolveRunDir is rel, a run's directory relative to the configuration
// directory cfgDir, with its links followed, none of them out of cfgDir.
func resolveRunDir(cfgDir, rel string) (string, error) {
	return confine.Resolve(cfgDir, rel)
}

// runLogs lists the logs in the run directory rel (relative to cfgDir),
// by name.
func runLogs(cfgDir, rel string) ([]string, error) {
	dir, err := resolveRunDir(cfgDir, rel)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && logFileName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// openLog opens the log name in the run directory rel (relative to
// cfgDir) for reading: the links on the way are followed only while they
// stay inside the run's directory (the directory's own, inside cfgDir),
// and only a regular file is opened.
func openLog(cfgDir, rel, name string) (*os.File, error) {
	if !logFileName(name) {
		return nil, fmt.Errorf("%q is not the name of a log", name)
	}
	dir, err := resolveRunDir(cfgDir, rel)
	if err != nil {
		return nil, err
	}
	p, err := confine.Resolve(dir, name)
	if err != nil {
		return nil, err
	}
	return confine.OpenFile(p, os.O_RDONLY, 0)
}

// stageOrder is the order in which a pipeline's runs write their logs,
// as far as its state entry v says: the stages of its last run, then
// those of its last successful run, then the post steps (post-success or
// post-failure, then post-always), by log name.
func stageOrder(v cty.Value) map[string]int {
	order := map[string]int{}
	add := func(log string) {
		if _, ok := order[log]; !ok && log != ".log" {
			order[log] = len(order)
		}
	}
	for _, e := range elements(attr(attr(v, "run"), "stages")) {
		if log := str(attr(e, "log")); log != "" {
			add(log)
		} else {
			add(str(attr(e, "name")) + ".log")
		}
	}
	for _, s := range elements(attr(v, "stages")) {
		add(str(s) + ".log")
	}
	for _, post := range []string{"post-success.log", "post-failure.log", "post-always.log"} {
		add(post)
	}
	return order
}

// sortLogs puts logs in order: those order knows by their place in it,
// then the others by name.
func sortLogs(logs []string, order map[string]int) {
	sort.SliceStable(logs, func(i, j int) bool {
		oi, iok := order[logs[i]]
		oj, jok := order[logs[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return logs[i] < logs[j]
	})
}

// elements is a known list's (or tuple's) elements, or none.
func elements(v cty.Value) []cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() || !(v.Type().IsListType() || v.Type().IsTupleType()) {
		return nil
	}
	return v.AsValueSlice()
}

// attr is an object's attribute, or null.
func attr(v cty.Value, name string) cty.Value {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v.GetAttr(name)
}

// str prints a known string or number, or "".
func str(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return ""
}
