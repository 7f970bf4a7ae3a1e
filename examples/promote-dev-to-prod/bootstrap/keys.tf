# Keys are ephemeral variables (Terraform 1.10 or later): Terraform never writes them to a
# saved plan or the state, and asks for them again when it applies a saved plan (set the same
# TF_VAR_ variables). They may only go to provider blocks and write-only arguments.
# For older CLIs, replace this file with ../before-terraform-1.11/bootstrap_keys.tf.

variable "dev_admin_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Admin key of the dev cluster (reads users and the organization)."
}

variable "prod_admin_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Admin key of the prod cluster."
}

variable "prod_service_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Value of the service account's key on prod, from your secret store."
}
