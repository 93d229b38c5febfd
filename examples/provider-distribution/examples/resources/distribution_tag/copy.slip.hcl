# Copy an image, by digest, into another repository: its blobs are
# mounted there, not downloaded. Import an existing tag with
#   slipway import distribution_tag.prod prod/app:1.4.2
resource "distribution_tag" "prod" {
  repository = "prod/app"
  tag        = "1.4.2"

  source {
    repository = "team/app"
    reference  = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}
