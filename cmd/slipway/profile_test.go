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
	"testing"
)

// TestStartProfile: SLIPWAY_CPUPROFILE and SLIPWAY_EXECTRACE each write
// their file, named by the command without its flags and the process,
// and neither writes anything unset.
func TestStartProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLIPWAY_CPUPROFILE", filepath.Join(dir, "p"))
	t.Setenv("SLIPWAY_EXECTRACE", filepath.Join(dir, "t"))
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

	// A command word that is a path, as show's plan file is.
	t.Setenv("SLIPWAY_EXECTRACE", "")
	startProfile([]string{"show", "-json", "plans/../tf.plan"})()
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("p.show-plans_.._tf.plan.%d.pprof", os.Getpid()))); err != nil {
		t.Errorf("CPU profile of show with a plan file's path: %v", err)
	}

	empty := t.TempDir()
	t.Setenv("SLIPWAY_CPUPROFILE", "")
	t.Setenv("SLIPWAY_EXECTRACE", "")
	t.Chdir(empty)
	startProfile([]string{"plan"})()
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("unset, it wrote %d files", len(entries))
	}
}
