# Set an image's tag in the kustomization of apps/web and push the commit.
# A pipeline's promote block is lowered to this resource; write one by
# hand to promote from outside a pipeline.
resource "git_promote" "web" {
  url     = "https://git.example.com/org/gitops.git"
  branch  = "main"
  path    = "apps/web"
  image   = "registry.example.com/org/web"
  new_tag = "1.4.2"
  message = "Deploy web 1.4.2"
}

output "promoted" {
  value = git_promote.web.commit
}
