variable "passphrase" {
  sensitive = true
}

locals {
  word = "x"
}

resource "file" "a" {
  path    = "a"
  content = "a"
}

slipway {
  encryption {
    key_provider "pbkdf2" "main" {
      passphrase = var.passphrase
    }
    key_provider "pbkdf2" "from_env" {}
    key_provider "pbkdf2" "bad" {
      passphrase = local.word # ERROR: Invalid reference in encryption configuration
      iterations = var.iterations # ERROR: Reference to undeclared input variable
    }
    key_provider "pbkdf2" "chained" {
      passphrase = key_provider.pbkdf2.main # ERROR: Invalid reference in encryption configuration
    }
    key_provider "pbkdf2" "main" {} # ERROR: Duplicate key_provider
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    method "aes_gcm" "old" {
      keys = key_provider.pbkdf2.gone # ERROR: Reference to undeclared key_provider
    }
    method "aes_gcm" "resource" {
      keys = file.a.content # ERROR: Invalid reference in encryption configuration
    }
    method "unencrypted" "migrate" {}
    state {
      method = method.aes_gcm.main
      fallback {
        method = method.unencrypted.migrate
      }
      fallback {
        method = key_provider.pbkdf2.main # ERROR: Invalid reference in encryption configuration
      }
      enforced = true
    }
    plan {
      method = method.aes_gcm.nope # ERROR: Reference to undeclared method
    }
    plan { # ERROR: Duplicate encryption target
      method = method.aes_gcm.main
    }
  }
}

slipway {
  encryption {} # ERROR: Duplicate encryption configuration
}
