# Registry credentials come from the docker config by default; name
# another one, or give a user name and password for every registry.
provider "registry" {
  docker_config = "/etc/slipway/docker/config.json"
}
