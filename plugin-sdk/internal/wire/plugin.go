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

package wire

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

// ProtocolVersion is the version of the provider protocol. Bump it on any
// incompatible change to provider.proto; old providers are then refused at
// the handshake with a clear message instead of failing mid-plan.
const ProtocolVersion = 1

// Handshake is what slipway and a provider check before talking. The cookie
// is not a secret; it only stops a provider binary started by hand from
// hanging, waiting for a client.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "SLIPWAY_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "f6fa81c33b0ee1d4a416fb19587cc156bae4ed71117b32f9dea2d5dc9658ccc6",
}

// PluginName is the key of the provider in the go-plugin plugin map.
const PluginName = "provider"

// MaxMessageSize bounds one gRPC message either way. Batches of thousands
// of Kubernetes objects are large; the gRPC default of 4 MiB is not enough.
const MaxMessageSize = 256 << 20

// GRPCPlugin is the go-plugin entry for the provider service. The serving
// side sets Impl; the client side leaves it nil.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl protocol.ProviderServer
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// Conn is what the client side dispenses: the generated client, and a
// channel closed when the plugin process has exited.
type Conn struct {
	Provider protocol.ProviderClient
	Exited   <-chan struct{}
}

// GRPCServer registers the provider service.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	protocol.RegisterProviderServer(s, p.Impl)
	return nil
}

// GRPCClient returns a *Conn. go-plugin cancels ctx when the plugin process
// exits, which is how the host tells a crash from other failures.
func (p *GRPCPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &Conn{Provider: protocol.NewProviderClient(c), Exited: ctx.Done()}, nil
}

// NewGRPCServer is plugin.DefaultGRPCServer with slipway's message sizes.
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize))
	return plugin.DefaultGRPCServer(opts)
}

// DialOptions are the client side's gRPC options.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(MaxMessageSize),
		grpc.MaxCallSendMsgSize(MaxMessageSize),
	)}
}
