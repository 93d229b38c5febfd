// Package addrs holds slipway's typed addresses: the names by which
// configuration, plans, state and the CLI refer to the things a
// configuration declares (file.a, source.git.app, pipeline.myapp,
// app.web["eu"], provider.kubernetes.prod, var.region).
//
// What must stay true: addresses are small comparable values; their
// String form round-trips through ParseResourceInstance; this package
// imports nothing of slipway's, so every other package may import it.
package addrs
