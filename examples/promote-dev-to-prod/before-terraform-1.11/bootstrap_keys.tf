# For Terraform CLIs older than 1.11: replaces ../bootstrap/keys.tf. The keys are sensitive
# but not ephemeral (older CLIs have no ephemeral variables, or no write-only arguments to
# pass them to), so a saved plan holds them in clear text: protect plan files like the state.

variable "dev_admin_api_key" {
  type        = string
  sensitive   = true
  description = "Admin key of the dev cluster (reads users and the organization)."
}

variable "prod_admin_api_key" {
  type        = string
  sensitive   = true
  description = "Admin key of the prod cluster."
}

variable "prod_service_api_key" {
  type        = string
  sensitive   = true
  description = "Value of the service account's key on prod, from your secret store."
}
