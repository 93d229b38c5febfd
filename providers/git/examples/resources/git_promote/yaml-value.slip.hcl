# Set one value of a YAML file (a chart's values), keeping its comments.
resource "git_promote" "chart_values" {
  url       = "https://git.example.com/org/gitops.git"
  branch    = "main"
  path      = "charts/web/values-prod.yaml"
  yaml_path = "image.tag"
  value     = "1.4.2"
  message   = "web: image.tag 1.4.2 in prod"
}
