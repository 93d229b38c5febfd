# The file provider is not built into slipway: require it, then run
# slipway init to find its binary and pin it. It has no provider
# arguments.
slipway {
  required_providers {
    file = {
      source  = "slipway.dev/examples/file"
      version = ">= 0.1.0"
    }
  }
}
