# The cluster, found as kubectl finds it. Every argument is optional.
provider "kubernetes" {
  kubeconfig = "~/.kube/config"
  context    = "prod"
}
