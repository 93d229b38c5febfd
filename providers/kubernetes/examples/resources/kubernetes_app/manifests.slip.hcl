# The manifests of a directory of a git source, synced with server-side
# apply. An app block is lowered to this resource; write one by hand for
# manifests that come from somewhere else.
source "git" "gitops" {
  url    = "https://git.example.com/org/gitops.git"
  branch = "main"
}

resource "kubernetes_app" "web" {
  name             = "web"
  manifests_dir    = "${source.git.gitops.dir}/apps/web"
  revision         = source.git.gitops.commit
  namespace        = "web"
  create_namespace = true
  prune            = true
  wait_timeout     = "5m"

  ignore_differences = [{
    group         = "apps"
    kind          = "Deployment"
    name          = "web"
    namespace     = "web"
    json_pointers = ["/spec/replicas"]
  }]
}
