variable "region" {
  default = "eu"
}

variable "zone" {
  default = "a"
  validation {
    condition     = var.zone != var.region # ERROR: Invalid reference in variable validation
    error_message = "The zone must not be named like the region."
  }
}

resource "file" "a" {
  content = var.regoin # ERROR: Reference to undeclared input variable
  path    = local.nope # ERROR: Reference to undeclared local value
}
