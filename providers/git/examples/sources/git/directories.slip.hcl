# One app per directory of apps/ in a GitOps repository, as Argo CD's git
# directory generator makes one Application per directory.
source "git" "gitops" {
  url    = "https://git.example.com/org/gitops.git"
  branch = "main"
  path   = "apps"
}

app "each" {
  for_each = toset(source.git.gitops.directories)

  source {
    repo = source.git.gitops
    path = "apps/${each.key}"
  }

  destination {
    namespace = each.key
  }
}
