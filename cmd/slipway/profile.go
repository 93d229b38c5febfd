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
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strings"
)

// startProfile writes a CPU profile of this process when
// SLIPWAY_CPUPROFILE names a file prefix (PREFIX.COMMAND.PID.pprof), and
// an execution trace when SLIPWAY_EXECTRACE does
// (PREFIX.COMMAND.PID.trace), for slipway and for each provider it
// serves. A profile says where the CPU went; a trace also says when each
// process waited, and for what: which of the processes of a plan is on
// its critical path. It returns the function that finishes both.
func startProfile(args []string) func() {
	cpu := profileFile(args, os.Getenv("SLIPWAY_CPUPROFILE"), "pprof")
	if cpu != nil {
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			cpu = nil
		}
	}
	tr := profileFile(args, os.Getenv("SLIPWAY_EXECTRACE"), "trace")
	if tr != nil {
		if err := trace.Start(tr); err != nil {
			tr.Close()
			tr = nil
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if tr != nil {
			trace.Stop()
			tr.Close()
		}
	}
}

// profileFile creates PREFIX.COMMAND.PID.EXT, the command being args'
// words without their flags; nil when prefix is "" or the file cannot be
// made.
func profileFile(args []string, prefix, ext string) *os.File {
	if prefix == "" {
		return nil
	}
	var words []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			// A word may be a path (show DIR/PLAN): the file is made
			// in PREFIX's directory all the same.
			words = append(words, strings.NewReplacer("/", "_", string(filepath.Separator), "_").Replace(a))
		}
	}
	name := fmt.Sprintf("%s.%s.%d.%s", prefix, strings.Join(words, "-"), os.Getpid(), ext)
	f, err := os.Create(filepath.Clean(name))
	if err != nil {
		return nil
	}
	return f
}
