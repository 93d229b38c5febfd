# Workloads (the objects of apps) run only images from the organisation's
# registries, pinned by digest, so that what runs is exactly what was
# reviewed and scanned.
policy "allowed_registries" {
  deny    = <<-EOT
    plan.changes.exists(c, c.app != '' && c.parent != '' && c.action != 'delete' &&
      c.images.exists(i,
        !['registry.example.com/', 'ghcr.io/example-org/'].exists(r, i.startsWith(r)) ||
        !i.contains('@sha256:')))
  EOT
  message = "images must come from registry.example.com or ghcr.io/example-org, by digest (IMAGE@sha256:...)"
}
