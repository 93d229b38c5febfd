// Package par runs the per-item work of a batch (encoding and decoding
// values) on every CPU.
//
// What must stay true: fn runs exactly once per index, and Each returns
// only when every call has returned; it is internal to plugin-sdk.
package par
