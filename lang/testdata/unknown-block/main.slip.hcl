resourc "file" "a" { # ERROR: Unsupported block type
  content = "x"
}

slipway {
  required_provider { # ERROR: Unsupported block type
    file = { source = "slipway/file" }
  }
}
