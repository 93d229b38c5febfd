resource "file" "a" {
  count    = 2
  for_each = toset(["x"]) # ERROR: Invalid combination of "count" and "for_each"
  content  = "x"
}

source "git" "s" {
  for_each = toset(["x"]) # ERROR: Unsupported meta-argument
  url      = "http://example.com/s.git"
}

rollout "r" {
  count = 2 # ERROR: Unsupported meta-argument
}

analysis "a" {
  for_each = toset(["x"]) # ERROR: Unsupported meta-argument
}

pipeline "p" {
  count = 2
}

app "a" {
  for_each = toset(["eu", "us"])
  provider = "kubernetes" # ERROR: Invalid provider reference
}

resource "file" "b" {
  provider = file.other # ERROR: Reference to undeclared provider configuration
}
