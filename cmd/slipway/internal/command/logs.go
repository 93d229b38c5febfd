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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
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
func (m *Meta) Logs(ctx context.Context, a LogsArgs) int {
	addr, diags := addrs.ParseResourceInstance(a.Address)
	if diags.HasErrors() || addr.Resource.Kind != addrs.Pipeline {
		m.View.Error(fmt.Errorf("%q is not a pipeline address; write it like pipeline.myapp", a.Address))
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
	logDir := str(attr(run, "log_dir"))
	number := str(attr(run, "number"))
	var stages []string
	if s := attr(run, "stages"); !s.IsNull() && s.IsKnown() {
		for _, e := range s.AsValueSlice() {
			if log := str(attr(e, "log")); log != "" {
				stages = append(stages, log)
			}
		}
	}
	if a.Run != 0 && strconv.Itoa(a.Run) != number {
		// An older run: its logs stay on disk (the last ten are kept).
		logDir = filepath.ToSlash(filepath.Join(filepath.Dir(filepath.FromSlash(logDir)), strconv.Itoa(a.Run)))
		number = strconv.Itoa(a.Run)
		stages = nil
		entries, err := os.ReadDir(filepath.Join(m.Dir, filepath.FromSlash(logDir)))
		if err != nil {
			m.View.Error(fmt.Errorf("run #%d of %s has no logs on disk (slipway keeps the last ten runs): %v", a.Run, addr, err))
			return 1
		}
		for _, e := range entries {
			stages = append(stages, e.Name())
		}
	}
	if a.Stage != "" {
		want := a.Stage + ".log"
		found := false
		for _, s := range stages {
			if s == want {
				found = true
			}
		}
		if !found {
			names := make([]string, len(stages))
			for i, s := range stages {
				names[i] = strings.TrimSuffix(s, ".log")
			}
			m.View.Error(fmt.Errorf("run #%s of %s has no log for stage %q; it has logs for: %s", number, addr, a.Stage, strings.Join(names, ", ")))
			return 1
		}
		stages = []string{want}
	}
	for _, s := range stages {
		if len(stages) > 1 || a.Stage == "" {
			m.View.Printf("%s\n", m.View.Bold(fmt.Sprintf("==> %s run #%s, stage %s <==", addr, number, strings.TrimSuffix(s, ".log"))))
		}
		f, err := os.Open(filepath.Join(m.Dir, filepath.FromSlash(logDir), s))
		if err != nil {
			m.View.Error(fmt.Errorf("read the log of stage %s: %w", strings.TrimSuffix(s, ".log"), err))
			return 1
		}
		io.Copy(m.View.Stdout, f)
		f.Close()
	}
	return 0
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
