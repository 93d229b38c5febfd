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
	"runtime"
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

// TestWatchHeapWritesAtThePeak: the profile is written again when the
// live heap grows by more than a tenth, and not when it falls.
func TestWatchHeapWritesAtThePeak(t *testing.T) {
	var written atomic.Int32
	create := func() *os.File {
		written.Add(1)
		f, err := os.Create(filepath.Join(t.TempDir(), "heap.pprof"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	stop := watchHeap(create, time.Millisecond)
	waitFor := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); int(written.Load()) < want && time.Now().Before(deadline); {
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(1) // the first sample after a collection
	first := int(written.Load())
	if first == 0 {
		t.Fatal("no profile of the first heap seen")
	}
	var held [][]byte
	for range 64 {
		held = append(held, make([]byte, 1<<20)) // 64 MiB more than any test binary holds
	}
	waitFor(first + 1)
	grown := int(written.Load())
	if grown <= first {
		t.Errorf("the heap grew by 64 MiB and no profile was written again (%d)", grown)
	}
	held = nil
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	stop()
	if n := int(written.Load()); n != grown {
		t.Errorf("the heap fell and %d profiles more were written", n-grown)
	}
	runtime.KeepAlive(held)
}
