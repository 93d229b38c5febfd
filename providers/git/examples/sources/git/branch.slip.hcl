# Follow a branch: every plan reads its head and checks that commit out.
source "git" "app" {
  url    = "https://git.example.com/org/app.git"
  branch = "main"
}

output "app_commit" {
  value = source.git.app.short_commit
}
