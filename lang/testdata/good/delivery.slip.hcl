source "git" "app" {
  url    = "http://127.0.0.1:8418/myapp.git"
  branch = "main"
}

source "git" "gitops" {
  url    = "http://127.0.0.1:8418/gitops.git"
  branch = "main"
}

pipeline "myapp" {
  source = source.git.app
  when { branch = "main" }

  stage "build" {
    run = ["go build -o out/myapp ."]
    retry { limit = 2 }
  }

  image "myapp" {
    repository = "127.0.0.1:5000/myuser/myapp"
    tag        = source.git.app.short_commit
  }

  promote {
    repo    = source.git.gitops
    image   = image.myapp
    message = "promote ${self.name}"
  }
}

app "web" {
  for_each = var.regions
  provider = kubernetes.prod

  source {
    repo     = source.git.gitops
    path     = "apps/${each.key}"
    revision = source.git.app.commit
  }
  destination { namespace = "web-${each.key}" }
  sync {
    prune = true
    retry { limit = each.value.replicas }
  }
  rollout {
    strategy = rollout.canary
    workload = "Deployment/web"
  }
  depends_on = [pipeline.myapp]
}

rollout "canary" {
  canary {
    step { set_weight = 10 }
    step {
      pause { duration = "30s" }
    }
    step { analysis = analysis.errors }
  }
}

analysis "errors" {
  interval = "10s"
  count    = 3
  http {
    url           = "http://web.${var.prod_context}.example.com/healthz"
    expect_status = 200
  }
}
