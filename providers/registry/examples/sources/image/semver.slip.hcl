# The highest 1.x tag of an image, resolved to a digest at every plan.
source "image" "base" {
  repository = "registry.example.com/library/base"
  semver     = "^1"
}

output "base_ref" {
  value = source.image.base.ref
}
