policy "no_prod_deletes" {
  deny    = "plan.changes.exists(c, c.action == 'delete' && c.namespace.startsWith('prod'))"
  message = "deleting objects in prod needs an approval"
}

policy "big_plans" {
  warn    = <<-EOT
    size(plan.changes) > 100
  EOT
  message = "this plan is big; review it in parts"
}

policy "both" {
  deny    = "true"
  warn    = "true" # ERROR: Invalid policy
  message = "x"
}

policy "neither" { # ERROR: Invalid policy
  message = "x"
}

policy "no_message" { # ERROR: Missing required argument
  deny = "true"
}

variable "ns" {
  type    = string
  default = "prod"
}

policy "refers" {
  deny    = "plan.changes.exists(c, c.namespace == '${var.ns}')" # ERROR: Invalid policy rule
  message = "x"
}

policy "not_a_string" {
  deny    = ["true"] # ERROR: Unsuitable value type
  message = "x"
}

policy "no_prod_deletes" { # ERROR: Duplicate policy
  deny    = "false"
  message = "x"
}
