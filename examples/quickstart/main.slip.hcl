# The quickstart: the whole road from a commit to a running workload, in
# one plan. A pipeline tests and builds the Go program of app/, pushes its
# image to a registry without a Docker daemon and writes the new tag into
# the GitOps repository (what a Jenkinsfile does); the app syncs that
# repository into a cluster (what an Argo CD Application does).
#
# When a later commit changes the Deployment's pod template, the app rolls
# it out as a canary (rollout.canary): half the pods on the new template, a
# short pause, then all of them; the plan shows those steps first.
#
# `make demo` starts a local control plane, git server and image registry,
# pushes app/ and gitops/ into two repositories, and runs slipway here with
# app_url, gitops_url, registry and KUBECONFIG pointing at them.

variable "app_url" {
  type        = string
  description = "Clone URL of the application's repository."
}

variable "gitops_url" {
  type        = string
  description = "Clone URL of the GitOps repository."
}

variable "registry" {
  type        = string
  description = "The image registry, host:port."
}

provider "kubernetes" {
  # kubeconfig and context follow kubectl: KUBECONFIG and the current context.
}

source "git" "app" {
  url    = var.app_url
  branch = "main"
}

source "git" "gitops" {
  url    = var.gitops_url
  branch = "main"
}

# Runs when source.git.app moves (or a stage changes): test, build, push,
# promote. A stage with approval { message = "Ship it?" } would stop the
# run until someone answers at the terminal, or until apply is given
# -approve=pipeline.web.STAGE.
pipeline "web" {
  source = source.git.app
  when { branch = "main" }
  concurrency {
    group = "web"
  }

  stage "test" {
    run     = ["go vet ./...", "go test ./..."]
    env     = { CGO_ENABLED = "0" }
    timeout = "10m"
  }
  stage "build" {
    run = ["go build -trimpath -o out/web ."]
    env = { CGO_ENABLED = "0" }
  }

  image "web" {
    repository = "${var.registry}/demo/web"
    tags       = [source.git.app.short_commit, "latest"]
    base       = "scratch"
    files      = { "/app/web" = "out/web" }
    entrypoint = ["/app/web"]
    env        = { PORT = "8080" }
  }

  promote {
    repo    = source.git.gitops
    path    = "apps/web"
    image   = image.web
    message = "web ${source.git.app.short_commit}"
  }
}

# A canary: half of the pods on the new template, five seconds to look,
# then the rest. `slipway rollout status` shows where it stands.
rollout "canary" {
  canary {
    step { set_weight = 50 }
    step {
      pause { duration = "5s" }
    }
  }
}

app "web" {
  source {
    repo = source.git.gitops
    path = "apps/web"
  }

  destination {
    namespace = "web"
  }

  sync {
    prune            = true
    self_heal        = true
    create_namespace = true

    retry {
      limit       = 5
      backoff     = "5s"
      factor      = 2
      max_backoff = "3m"
    }

    wait {
      timeout = "2m"
    }
  }

  rollout {
    strategy = rollout.canary
  }
}

output "revision" {
  value = source.git.gitops.short_commit
}

output "image" {
  value = pipeline.web.image.web.ref
}
