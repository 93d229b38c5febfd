// Package wire is the glue both ends of the provider protocol share: the
// go-plugin handshake and plugin map entry, the gRPC options, and the
// conversions between go-cty values or paths and protocol messages.
//
// Conversions of SDK types (schemas, diagnostics, requests) live with the
// side that needs them: package sdk encodes what a provider sends, package
// host decodes it. They cannot live here because package sdk imports wire to
// serve, and wire importing sdk would be a cycle.
//
// What must stay true: ProtocolVersion is bumped on every incompatible
// change to the protocol, and Handshake changes only with it; the magic
// cookie never changes. Nothing outside plugin-sdk imports this package.
package wire
