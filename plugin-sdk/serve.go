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

package sdk

import (
	"os"
	"runtime"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// Serve runs p as a slipway provider plugin: it answers slipway's
// handshake, serves the provider protocol over gRPC until slipway closes the
// connection, then returns. Call it from main:
//
//	func main() { sdk.Serve(myprovider.New()) }
//
// Started by hand rather than by slipway, the binary says it is a plugin
// and exits with status 1. Log lines written to os.Stderr reach slipway,
// which shows them when SLIPWAY_LOG=debug is set.
//
// The process exits, within half a second, when the process that started
// it is gone, so that a provider never outlives a slipway that was
// killed: nobody would be left to record what it does.
func Serve(p Provider) {
	// The parent is read now, not in the goroutine, which might first run
	// after the parent has died.
	go watchParent(os.Getppid())
	level := hclog.Warn
	if l := hclog.LevelFromString(os.Getenv("SLIPWAY_LOG")); l != hclog.NoLevel {
		level = l
	}
	serve := wire.NewGRPCServer
	// A host that asked for automatic mutual TLS (go-plugin's
	// PLUGIN_CLIENT_CERT) gets it, whatever else the environment holds;
	// one that asked to be admitted by its process (host.LaunchConfig.Peer)
	// is the only process admitted. The request is not passed on to what
	// the provider starts.
	if host := os.Getenv(wire.PeerEnv); host != "" && os.Getenv("PLUGIN_CLIENT_CERT") == "" {
		serve = wire.PeerServer(host, os.Getppid)
	}
	os.Unsetenv(wire.PeerEnv)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins:         plugin.PluginSet{wire.PluginName: &wire.GRPCPlugin{Impl: newServer(p)}},
		GRPCServer:      serve,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "provider",
			Level:      level,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
}

// parentPoll is how often Serve checks that its parent is alive.
const parentPoll = 250 * time.Millisecond

// watchParent ends the process when its parent, slipway, is gone. On Unix
// an orphan is adopted by init or a subreaper, so its parent process ID
// changes. (Standard input is no sign: slipway passes its own, the
// user's terminal, on to providers, and reading it would take the user's
// answers.) On Windows the parent ID never changes, so Serve waits on the
// parent process itself.
func watchParent(ppid int) {
	// Nothing is written on the way out: nobody reads it, and a write to
	// a full pipe could block the exit.
	gone := func() { os.Exit(1) }
	if runtime.GOOS == "windows" {
		parent, err := os.FindProcess(ppid)
		if err != nil {
			gone()
		}
		if _, err := parent.Wait(); err != nil {
			return // cannot tell: better a provider that lingers than one that quits
		}
		gone()
	}
	for {
		time.Sleep(parentPoll)
		if os.Getppid() != ppid {
			gone()
		}
	}
}
