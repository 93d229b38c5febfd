policy "ok" {
  deny    = "plan.summary.destroy > 0"
  message = "no deletes"
}

resource "file" "sneaky" { # ERROR: Only policies in a policy directory
  content = "x"
}

locals { # ERROR: Only policies in a policy directory
  x = 1
}

answer = 42 # ERROR: Only policies in a policy directory
