# Keys are ephemeral variables (Terraform 1.10 or later): Terraform never writes them to a
# saved plan or the state, and asks for them again when it applies a saved plan (set the same
# TF_VAR_ variables). They may only go to provider blocks and write-only arguments.
# For older CLIs, replace this file with ../before-terraform-1.11/keys.tf.

variable "dev_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Standard key on dev that can read the algorithms and clone their repositories."
}

variable "prod_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The service account's key on prod, with algorithm management."
}

variable "algorithm_secret_values" {
  type        = map(string)
  sensitive   = true
  ephemeral   = true
  default     = {}
  description = "Values of the secrets in algorithm_secrets, by the same keys."
}
