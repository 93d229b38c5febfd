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
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestStartProfile: SLIPWAY_CPUPROFILE and SLIPWAY_EXECTRACE each write
// their file, named by the command without its flags and the process,
// and neither writes anything unset.
func TestStartProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLIPWAY_CPUPROFILE", filepath.Join(dir, "p"))
	t.Setenv("SLIPWAY_EXECTRACE", filepath.Join(dir, "t"))
	t.Setenv("SLIPWAY_MEMPROFILE", filepath.Join(dir, "m"))
	startProfile([]string{"provider", "serve", "git", "-x"})()
	base := fmt.Sprintf("provider-serve-git.%d", os.Getpid())
	cpu, err := os.ReadFile(filepath.Join(dir, "p."+base+".pprof"))
	if err != nil || len(cpu) == 0 {
		t.Errorf("CPU profile: %d bytes, %v", len(cpu), err)
	}
	tr, err := os.ReadFile(filepath.Join(dir, "t."+base+".trace"))
	if err != nil || !bytes.HasPrefix(tr, []byte("go 1.")) {
		t.Errorf("execution trace: %d bytes, %v", len(tr), err)
	}
	if heap, err := os.ReadFile(filepath.Join(dir, "m."+base+".heap.pprof")); err != nil || len(heap) == 0 {
		t.Errorf("heap profile: %d bytes, %v", len(heap), err)
	}
	t.Setenv("SLIPWAY_MEMPROFILE", "")

	// A command word that is a path, as show's plan file is.
	t.Setenv("SLIPWAY_EXECTRACE", "")
	startProfile([]string{"show", "-json", "plans/../tf.plan"})()
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("p.show-plans_.._tf.plan.%d.pprof", os.Getpid()))); err != nil {
		t.Errorf("CPU profile of show with a plan file's path: %v", err)
	}

	empty := t.TempDir()
	t.Setenv("SLIPWAY_CPUPROFILE", "")
	t.Setenv("SLIPWAY_EXECTRACE", "")
	t.Setenv("SLIPWAY_MEMPROFILE", "")
	t.Chdir(empty)
	startProfile([]string{"plan"})()
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("unset, it wrote %d files", len(entries))
	}
}

// TestWatchHeapWritesAtThePeak: the profile is written again each time
// the live heap grows by more than a tenth over the last one written,
// never when it grows less or falls, and at the end only when it never
// was.
func TestWatchHeapWritesAtThePeak(t *testing.T) {
	var heap atomic.Uint64
	var written atomic.Int32
	var seen atomic.Uint64 // the heap as the last profile saw it
	create := func() *os.File {
		written.Add(1)
		seen.Store(heap.Load())
		f, err := os.Create(filepath.Join(t.TempDir(), "heap.pprof"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var samples atomic.Int32
	live := func() uint64 { samples.Add(1); return heap.Load() }
	// settle lets the watcher take a few samples of the heap as it is.
	settle := func() {
		t.Helper()
		for n := samples.Load() + 3; samples.Load() < n; {
			time.Sleep(time.Millisecond)
		}
	}
	steps := []struct {
		heap  uint64
		wrote int32
	}{
		{100 << 20, 1}, // the first sample
		{105 << 20, 1}, // less than a tenth more
		{111 << 20, 2}, // more than a tenth over 100
		{50 << 20, 2},  // it fell
		{121 << 20, 2}, // less than a tenth over 111
		{300 << 20, 3},
	}
	stop := watchHeap(create, time.Millisecond, live)
	for _, st := range steps {
		heap.Store(st.heap)
		settle()
		if got := written.Load(); got != st.wrote {
			t.Fatalf("at a live heap of %d MiB: %d profiles written, want %d", st.heap>>20, got, st.wrote)
		}
	}
	if seen.Load() != 300<<20 {
		t.Errorf("the last profile saw %d MiB, want the peak, 300", seen.Load()>>20)
	}
	stop()
	if got := written.Load(); got != 3 {
		t.Errorf("stopping wrote a profile more: %d", got)
	}

	// A process whose heap never grew gets its profile at the end.
	written.Store(0)
	heap.Store(0)
	stop = watchHeap(create, time.Millisecond, live)
	settle()
	stop()
	if got := written.Load(); got != 1 {
		t.Errorf("with no growth seen: %d profiles, want 1 at the end", got)
	}
	if liveHeap() == 0 {
		t.Error("the runtime's live heap reads as 0")
	}
}
