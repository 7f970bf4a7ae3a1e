# For Terraform CLIs older than 1.11: replaces ../secrets.tf. A secret's value can only be
# passed to the write-only secret_value_wo, and older CLIs refuse any expression there, even
# in a resource with no instances. So this variant promotes no secrets, and refuses to run
# when some are asked for rather than skip them silently.
output "algorithm_secrets" {
  description = "Secrets promoted to prod: none with this CLI, which has no write-only arguments."
  value       = {}

  precondition {
    condition     = length(var.algorithm_secrets) == 0
    error_message = "Algorithm secrets need write-only arguments (Terraform 1.11 or OpenTofu 1.11 and later); with this CLI leave algorithm_secrets empty."
  }
}
