# For Terraform CLIs older than 1.11: replaces ../keys.tf. The keys are sensitive but not
# ephemeral (older CLIs have no ephemeral variables, or no write-only arguments to pass them
# to), so a saved plan holds them in clear text: protect plan files like the state.

variable "dev_api_key" {
  type        = string
  sensitive   = true
  description = "Standard key on dev that can read the algorithms and clone their repositories."
}

variable "prod_api_key" {
  type        = string
  sensitive   = true
  description = "The service account's key on prod, with algorithm management."
}

# Algorithm secrets need Terraform 1.11 (their value is write-only): secrets.tf of this
# directory promotes none, so keep this map and algorithm_secrets empty.
variable "algorithm_secret_values" {
  type        = map(string)
  sensitive   = true
  default     = {}
  description = "Values of the secrets in algorithm_secrets, by the same keys."
}
