variable "region" {
  typ     = string # ERROR: Unsupported argument
  default = "eu"
}

output "region" {
  value       = var.region
  descripton  = "The region." # ERROR: Unsupported argument
}
