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
