# An image of one binary on a base image pinned by digest, pushed with two
# tags. A pipeline's image block is lowered to this resource.
source "image" "base" {
  repository = "registry.example.com/library/base"
  tag        = "1.2.0"
}

resource "registry_image" "web" {
  repository  = "registry.example.com/org/web"
  tags        = ["1.4.2", "latest"]
  base        = source.image.base.ref
  platform    = "linux/amd64"
  context_dir = "/src/web"
  files = {
    "/app/web" = "out/web"
  }
  entrypoint = ["/app/web"]
  env = {
    PORT = "8080"
  }
}

output "web_ref" {
  value = registry_image.web.ref
}
