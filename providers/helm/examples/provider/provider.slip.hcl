# The cluster, found as helm finds it, and where downloaded charts are
# kept. Every argument is optional.
provider "helm" {
  context   = "prod"
  cache_dir = "/var/cache/slipway/helm"
}
