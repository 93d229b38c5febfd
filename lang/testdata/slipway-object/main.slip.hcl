resource "file" "a" {
  path    = "out/${slipway.workspace}.txt"
  content = slipway.workspaces # ERROR: Invalid "slipway" attribute
}

output "o" {
  value = slipway # ERROR: Invalid reference
}

variable "v" {
  validation {
    condition     = var.v != slipway.workspace # ERROR: Invalid reference in variable validation
    error_message = "The value must not be the workspace's name."
  }
}

slipway {
  backend "local" {
    path = slipway.workspace # ERROR: Reference in backend configuration
  }
}
