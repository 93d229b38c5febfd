# The quickstart: an app synced from a GitOps repository into a cluster,
# the way an Argo CD Application does it, as plan and apply.
#
# `make demo` starts a local control plane and git server, pushes
# gitops/ into a repository, and runs slipway here with gitops_url and
# KUBECONFIG pointing at them.

variable "gitops_url" {
  type        = string
  description = "Clone URL of the GitOps repository."
}

provider "kubernetes" {
  # kubeconfig and context follow kubectl: KUBECONFIG and the current context.
}

source "git" "gitops" {
  url    = var.gitops_url
  branch = "main"
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
}

output "revision" {
  value = source.git.gitops.short_commit
}
