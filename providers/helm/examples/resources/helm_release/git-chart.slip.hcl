# A chart kept in a directory of a git repository, with a values file
# beside it.
source "git" "charts" {
  url    = "https://git.example.com/org/charts.git"
  branch = "main"
}

resource "helm_release" "web" {
  name         = "web"
  namespace    = "web"
  chart_dir    = "${source.git.charts.dir}/web"
  values_files = ["${source.git.charts.dir}/web/values-prod.yaml"]
  revision     = source.git.charts.commit
}
