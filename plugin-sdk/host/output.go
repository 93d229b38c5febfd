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

package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// lineWriter splits what a plugin writes into lines and hands each to fn.
// go-plugin writes from its own goroutines, so it locks.
type lineWriter struct {
	mu      sync.Mutex
	partial []byte
	fn      func(line string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := string(append(w.partial, p[:i]...))
		w.partial = w.partial[:0]
		p = p[i+1:]
		w.fn(strings.TrimRight(line, "\r"))
	}
	return n, nil
}

const (
	tailLines      = 20  // lines kept of ordinary output
	tailPanicLines = 60  // lines kept from the start of a Go panic
	tailLineLength = 500 // longer lines are cut
)

// tail keeps the plugin's last lines of output, so that a crash can be
// reported with what the plugin said as it died. A Go panic is kept from its
// first line, which names the cause, rather than its last.
type tail struct {
	mu      sync.Mutex
	lines   []string
	inPanic bool
}

func (t *tail) add(line string) {
	if line = strings.TrimSpace(renderLogLine(line)); line == "" {
		return
	}
	if len(line) > tailLineLength {
		line = line[:tailLineLength] + "…"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: "):
		if !t.inPanic {
			t.lines, t.inPanic = nil, true
		}
		fallthrough
	case t.inPanic:
		if len(t.lines) < tailPanicLines {
			t.lines = append(t.lines, line)
		}
	default:
		t.lines = append(t.lines, line)
		if len(t.lines) > tailLines {
			t.lines = t.lines[len(t.lines)-tailLines:]
		}
	}
}

// String is the kept lines, indented for inclusion in an error message.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return ""
	}
	return "  " + strings.Join(t.lines, "\n  ")
}

// renderLogLine shows one of hclog's JSON lines (which is what the SDK's
// Serve writes) as "[LEVEL] message key=value"; other lines pass as is.
func renderLogLine(line string) string {
	if !strings.HasPrefix(line, "{") {
		return line
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(line), &entry); err != nil {
		return line
	}
	msg, ok := entry["@message"].(string)
	if !ok {
		return line
	}
	level, _ := entry["@level"].(string)
	keys := make([]string, 0, len(entry))
	for k := range entry {
		if !strings.HasPrefix(k, "@") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	if level != "" {
		fmt.Fprintf(&b, "[%s] ", strings.ToUpper(level))
	}
	b.WriteString(msg)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, entry[k])
	}
	return b.String()
}

// logStdio logs a line the plugin wrote to its os.Stdout or os.Stderr at
// the level its prefix names, and at debug when it names none.
func logStdio(logger hclog.Logger, line string) {
	level, msg := hclog.Debug, line
	for prefix, l := range map[string]hclog.Level{
		"[TRACE]": hclog.Trace, "[DEBUG]": hclog.Debug, "[INFO]": hclog.Info,
		"[WARN]": hclog.Warn, "[ERROR]": hclog.Error, "[ERR]": hclog.Error,
	} {
		if strings.HasPrefix(line, prefix) {
			level, msg = l, strings.TrimSpace(line[len(prefix):])
			break
		}
	}
	logger.Log(level, msg)
}
