# Registry credentials come from the docker config by default; name
# another one, or give a user name and password for the registries
# they are for (others get the docker config's, or none).
provider "registry" {
  docker_config = "/etc/slipway/docker/config.json"
  username      = "ci"
  password      = "token-from-a-sensitive-variable"
  registries    = ["registry.example.com"]
}
