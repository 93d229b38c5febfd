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
	"strings"
)

// startProfile writes a CPU profile of this process when
// SLIPWAY_CPUPROFILE names a file prefix: PREFIX.COMMAND.PID.pprof, for
// slipway and for each provider it serves. It returns the function that
// finishes the profile.
func startProfile(args []string) func() {
	prefix := os.Getenv("SLIPWAY_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	var words []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			words = append(words, a)
		}
	}
	name := fmt.Sprintf("%s.%s.%d.pprof", prefix, strings.Join(words, "-"), os.Getpid())
	f, err := os.Create(filepath.Clean(name))
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
