// Package protocol holds the Go code generated from
// plugin-sdk/proto/slipway/provider/v1/provider.proto by `make generate`
// (protoc, protoc-gen-go and protoc-gen-go-grpc at pinned versions). Only
// this doc.go is written by hand.
//
// What must stay true: the generated files are never edited, and they match
// the .proto (`make check-generate` fails otherwise). The package is internal
// to plugin-sdk: provider authors and slipway's core see the SDK's plain Go
// types, never these messages. An incompatible change to the .proto bumps
// the protocol version in package wire.
package protocol
