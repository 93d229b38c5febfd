# Credentials for the http(s) remotes of your git server, and where
# checkouts are cached. Every argument is optional: without a provider
# block, public repositories are read into the user's cache directory.
variable "git_token" {
  type      = string
  sensitive = true
}

provider "git" {
  cache_dir = "/var/cache/slipway/git"
  username  = "slipway"
  password  = var.git_token
  hosts     = ["git.example.com"]
}
