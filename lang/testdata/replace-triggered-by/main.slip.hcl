variable "v" {
  default = "x"
}
locals {
  l = "y"
}
resource "file" "cfg" {
  count   = 2
  path    = "cfg-${count.index}.txt"
  content = var.v
}
resource "file" "ok" {
  count   = 2
  path    = "ok-${count.index}.txt"
  content = "x"
  lifecycle {
    replace_triggered_by = [file.cfg, file.cfg[count.index], file.cfg[0].content, file.cfg[count.index].content]
  }
}
resource "file" "bad" {
  path    = "bad.txt"
  content = "x"
  lifecycle {
    replace_triggered_by = [
      var.v, # ERROR: Invalid replace_triggered_by expression
      local.l, # ERROR: Invalid replace_triggered_by expression
      "file.cfg", # ERROR: Invalid replace_triggered_by expression
    ]
  }
}
