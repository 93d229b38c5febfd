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
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"
)

// startProfile writes a CPU profile of this process when
// SLIPWAY_CPUPROFILE names a file prefix (PREFIX.COMMAND.PID.pprof), and
// an execution trace when SLIPWAY_EXECTRACE does
// (PREFIX.COMMAND.PID.trace), for slipway and for each provider it
// serves. A profile says where the CPU went; a trace also says when each
// process waited, and for what: which of the processes of a plan is on
// its critical path. SLIPWAY_MEMPROFILE writes a heap profile
// (PREFIX.COMMAND.PID.heap.pprof) of the process at the highest live heap
// it reached (see watchHeap). It returns the function that finishes all
// three.
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
	stopHeap := func() {}
	if prefix := os.Getenv("SLIPWAY_MEMPROFILE"); prefix != "" {
		stopHeap = watchHeap(func() *os.File { return profileFile(args, prefix, "heap.pprof") }, 100*time.Millisecond, liveHeap)
	}
	return func() {
		stopHeap()
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

// watchHeap samples the live heap (liveHeap) every interval, and writes
// a heap profile through create each time it has grown by a tenth over
// the last one written, and once at the end if it never did: what a
// process holds at its peak, which its profile at exit (after the plan
// or the state it built is let go) does not say. It returns the function
// that stops it.
func watchHeap(create func() *os.File, interval time.Duration, live func() uint64) (stop func()) {
	var written uint64
	write := func() {
		f := create()
		if f == nil {
			return
		}
		defer f.Close()
		_ = pprof.Lookup("heap").WriteTo(f, 0)
	}
	check := func() {
		if n := live(); n > written+written/10 {
			written = n
			write()
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				check()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		if written == 0 {
			runtime.GC()
			write()
		}
	}
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
