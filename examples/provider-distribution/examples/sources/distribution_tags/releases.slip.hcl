# The release tags of team/app, sorted. A source block's provider is the
# one its type is named after, so a source type of a provider that is not
# built in names its provider.
source "distribution_tags" "releases" {
  provider   = distribution
  repository = "team/app"
  match      = "^[0-9]+\\.[0-9]+\\.[0-9]+$"
}

output "releases" {
  value = source.distribution_tags.releases.tags
}
