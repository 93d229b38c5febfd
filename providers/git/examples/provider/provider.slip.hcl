# Credentials for http(s) remotes, and where checkouts are cached. Every
# argument is optional: without a provider block, public repositories
# are read into the user's cache directory.
variable "git_token" {
  type      = string
  sensitive = true
}

provider "git" {
  cache_dir = "/var/cache/slipway/git"
  username  = "slipway"
  password  = var.git_token
}
