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
