# No image is run or pushed as "latest" or without a tag, which means the
# same: such an image changes under a running workload.
policy "no_latest_tags" {
  deny    = <<-EOT
    plan.changes.exists(c, c.action != 'delete' &&
      c.images.exists(i, !i.contains('@') &&
        (i.endsWith(':latest') || !i.substring(i.lastIndexOf('/') + 1).contains(':'))))
  EOT
  message = "use a version tag or a digest, never latest or no tag"
}
