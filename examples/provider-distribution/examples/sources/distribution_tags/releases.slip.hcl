# The release tags of team/app, sorted.
source "distribution_tags" "releases" {
  repository = "team/app"
  match      = "^[0-9]+\\.[0-9]+\\.[0-9]+$"
}

output "releases" {
  value = source.distribution_tags.releases.tags
}
