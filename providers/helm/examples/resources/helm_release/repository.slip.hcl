# A chart from an HTTP chart repository, at the newest 6.x version.
resource "helm_release" "podinfo" {
  name             = "podinfo"
  namespace        = "podinfo"
  create_namespace = true
  repository       = "https://stefanprodan.github.io/podinfo"
  chart            = "podinfo"
  version          = "~6"
  wait_timeout     = "5m"

  values = yamlencode({
    replicaCount = 2
  })
}
