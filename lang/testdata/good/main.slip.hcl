slipway {
  required_providers {
    file = { source = "slipway/file", version = ">= 1.0" }
  }
  backend "local" {
    path = "state.json"
  }
}

provider "kubernetes" {
  context = "dev"
}

provider "kubernetes" {
  alias   = "prod"
  context = var.prod_context
}

variable "prod_context" {
  type        = string
  default     = "prod"
  description = "The kubeconfig context of production."
}

variable "regions" {
  type    = map(object({ replicas = optional(number, 1) }))
  default = { eu = {} }
  validation {
    condition     = length(var.regions) > 0
    error_message = "Give at least one region."
  }
}

locals {
  greeting = "hello ${var.prod_context}"
  names    = ["a", "b"]
}

resource "file" "greeting" {
  count   = length(local.names)
  path    = "${path.module}/${local.names[count.index]}.txt"
  content = local.greeting
  lifecycle {
    ignore_changes       = [content]
    replace_triggered_by = [source.git.app.commit]
  }
}

output "greeting_paths" {
  value       = file.greeting[*].path
  description = "Where the greetings are."
  depends_on  = [app.web]
}
