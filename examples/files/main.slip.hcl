# The quickstart: a small configuration that exercises the engine end to
# end with the example file provider — variables, locals, for_each,
# references between resources, and outputs.

slipway {
  required_providers {
    file = {
      source  = "slipway.dev/examples/file"
      version = ">= 0.1.0"
    }
  }
}

variable "environment" {
  type        = string
  default     = "dev"
  description = "Which environment the files describe."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "ports" {
  type = map(number)
  default = {
    web     = 8080
    metrics = 9090
  }
}

locals {
  out_dir = "${path.module}/out/${var.environment}"
}

resource "file" "service" {
  for_each = var.ports

  path    = "${local.out_dir}/${each.key}.conf"
  content = "listen = ${each.value}\nenvironment = ${var.environment}\n"
}

resource "file" "index" {
  path = "${local.out_dir}/index.txt"
  content = join("", [
    for name, f in file.service : "${name} ${f.sha256}\n"
  ])
}

output "index" {
  value = file.index.path
}

output "services" {
  value = { for name, f in file.service : name => f.path }
}
