resource "file" "a" {
  content = each.key # ERROR: Reference to "each" in context without for_each
}

resource "file" "b" {
  count   = 2
  content = "${count.index}"
  path    = each.value # ERROR: Reference to "each" in context without for_each
}

resource "file" "c" {
  for_each = toset(["x"])
  content  = count.index # ERROR: Reference to "count" in non-counted context
  path     = each.key
}

resource "file" "d" {
  count   = length(each.key) # ERROR: Reference to "each" in context without for_each
  content = path.modul # ERROR: Invalid "path" attribute
}

locals {
  me = self.name # ERROR: Invalid "self" reference
}

output "o" {
  value = each.value # ERROR: Reference to "each" in context without for_each
}
