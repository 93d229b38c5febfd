resource "file" "a" {
  content = "x"
}

variable "v" {}

locals {
  l = 1
}

output "o" {
  value = 1
}

provider "kubernetes" {
  alias = "prod"
}
