# Promote a release: team/app:stable points at what team/app:1.4.2 points
# at. The plan shows the digest it will point at.
resource "distribution_tag" "stable" {
  repository = "team/app"
  tag        = "stable"

  source {
    repository = "team/app"
    reference  = "1.4.2"
  }
}

output "stable_digest" {
  value = distribution_tag.stable.digest
}
