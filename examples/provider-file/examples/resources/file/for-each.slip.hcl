# One file per entry of a map.
variable "ports" {
  type = map(number)
  default = {
    web     = 8080
    metrics = 9090
  }
}

resource "file" "service" {
  for_each = var.ports

  path    = "/tmp/slipway/${each.key}.conf"
  content = "listen = ${each.value}\n"
}
