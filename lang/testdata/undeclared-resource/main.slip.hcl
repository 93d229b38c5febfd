source "git" "app" {
  url = "http://example.com/app.git"
}

resource "file" "a" {
  content = file.b.content # ERROR: Reference to undeclared resource
  path    = source.git.ap.commit # ERROR: Reference to undeclared resource
}

app "web" {
  rollout {
    strategy = rollout.canary # ERROR: Reference to undeclared resource
  }
  source {
    repo = source.git.gitops # ERROR: Reference to undeclared resource
  }
  depends_on = [pipeline.build] # ERROR: Reference to undeclared resource
}

resource "file" "self" {
  content = file.self.path # ERROR: Self-referential block
}

resource "file" "many" {
  count   = 2
  content = file.a[0].content # ERROR: Unexpected resource instance key
}

resource "file" "keyed" {
  for_each = toset(["x"])
  content  = file.many["x"].content # ERROR: Invalid resource instance key
  path     = file.many[1].path
}

rollout "checked" {
  canary {
    step { analysis = analysis.erors } # ERROR: Reference to undeclared resource
  }
}

analysis "errors" {
  http { url = "http://web/healthz" }
}
