// Package file is the example provider's resource type "file"; see the
// provider-file command for what it does and how to use it.
//
// What must stay true: it imports nothing of slipway but plugin-sdk, as a
// third-party provider would, so that it stays a model to copy.
package file
