# The distribution provider is not built into slipway: require it, then
# run slipway init to find its binary and pin it. Its provider block
# names the registry.
slipway {
  required_providers {
    distribution = {
      source  = "slipway.dev/examples/distribution"
      version = ">= 0.1.0"
    }
  }
}

variable "registry_password" {
  type      = string
  sensitive = true
}

provider "distribution" {
  url      = "https://registry.example.com"
  username = "deploy"
  password = var.registry_password
}
