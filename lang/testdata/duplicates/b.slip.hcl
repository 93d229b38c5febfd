resource "file" "a" { # ERROR: Duplicate resource
  content = "y"
}

variable "v" {} # ERROR: Duplicate variable

locals {
  l = 2 # ERROR: Duplicate local value
}

output "o" { # ERROR: Duplicate output
  value = 2
}

provider "kubernetes" { # ERROR: Duplicate provider configuration
  alias = "prod"
}

app "web" {}
app "web" {} # ERROR: Duplicate app

resource "file" "bad name!" {} # ERROR: Invalid name
