# A file with the content and mode the configuration gives.
resource "file" "motd" {
  path    = "/tmp/slipway/motd"
  content = "hello\n"
  mode    = "0600"
}

output "motd_sha256" {
  value = file.motd.sha256
}
