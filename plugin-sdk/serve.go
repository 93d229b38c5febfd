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
func Serve(p Provider) {
	level := hclog.Warn
	if l := hclog.LevelFromString(os.Getenv("SLIPWAY_LOG")); l != hclog.NoLevel {
		level = l
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins:         plugin.PluginSet{wire.PluginName: &wire.GRPCPlugin{Impl: newServer(p)}},
		GRPCServer:      wire.NewGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "provider",
			Level:      level,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
}
